"""Inbound policy: a chain of rules deciding one action for a post.

Plain Python, no ORM: the model gathers the facts (``Post``, ``GroupPolicy``)
and applies the ``Decision``. The first rule that answers wins; the order
is the order of ``RULES``. The patterns the rules match: patterns.py.
"""
from dataclasses import dataclass, field, replace
from email.utils import getaddresses

from . import reasons
from .patterns import matches_pattern, matches_value

ACCEPT = 'accept'
HOLD = 'hold'
REJECT = 'reject'
DISCARD = 'discard'


@dataclass(frozen=True)
class Post:
    """What we know of one post. ``headers`` holds lower-cased raw header
    names for mail that came through the gateway, and is empty otherwise."""
    email_from: str = ''
    headers: dict = field(default_factory=dict)
    size: int = 0             # bytes of the raw message (or body + attachments)
    recipient_count: int = 0  # addresses in To and Cc
    suspicious: bool = False  # active content (scripts, frames, handlers) in the HTML
    authenticated: bool = True  # False: mail whose From the group's sender authentication did not prove
    via_gateway: bool = False   # the post came through the mail gateway (not the website nor Odoo)
    # gateway mail only: every header as (lower-cased name, decoded value), and the To and Cc addresses (normalized)
    header_values: tuple = ()
    destinations: tuple = ()
    authentication: str = ''    # the verdict's status (authentication.PASS, FAIL...), '' when not checked


@dataclass(frozen=True)
class GroupPolicy:
    """What the group says about this post and its author."""
    list_id: str = ''
    loop_address: str = ''
    moderated: bool = False
    author_rule: str = ''  # '', 'allow' or 'ban' (mail.group.moderation)
    author_is_moderator: bool = False
    author_is_member: bool = True
    nonmember_action: str = ACCEPT
    max_size: int = 0        # bytes, 0: no limit
    max_recipients: int = 0  # 0: no limit
    banned_patterns: tuple = ()
    members_only: bool = False  # only members (or the selected users) may post: others are refused
    # moderation rules for busy lists (models/mail_group_moderation_rules.py)
    emergency_hold: bool = False
    header_rules: tuple = ()           # (header name, wildcard pattern, action), the first match decides
    auth_fail_action: str = ''         # '', HOLD, REJECT or DISCARD: mail whose sender authentication failed
    list_addresses: tuple = ()         # lower-cased: one of them must be in To or Cc; empty: not checked
    author_is_new_member: bool = False  # a member still within the group's first moderated posts
    closed: bool = False  # the list is closed: every post is refused
    topic_locked: bool = False  # the post replies to a locked topic
    locked_topic_action: str = HOLD  # what a reply to a locked topic gets (hold or reject)


@dataclass(frozen=True)
class Decision:
    action: str
    reason: str
    # a hold: every hold reason found, the deciding one first (not compared)
    reasons: tuple = field(default=(), compare=False)


def list_identifier(list_id):
    """RFC 2919: the identifier is what the angle brackets hold (the phrase
    before them is free text); a bare value is taken whole. Lower-cased."""
    list_id = list_id.strip()
    if list_id.endswith('>') and '<' in list_id:
        list_id = list_id[list_id.rindex('<') + 1:-1]
    return list_id.strip().lower()


def rule_loop(post, group):
    """Our own list mail coming back: our exact list identifier or address,
    in any case (another list's id may contain ours)."""
    loop_address = group.loop_address.lower()
    x_loop = {address.lower() for __, address in getaddresses([post.headers.get('x-loop', '')])}
    if (group.list_id and list_identifier(post.headers.get('list-id', '')) == group.list_id.lower()) or (
            loop_address and (loop_address in x_loop or post.email_from.lower() == loop_address)):
        return Decision(DISCARD, reasons.LOOP)
    return None


def rule_no_sender(post, group):
    """Nobody to answer, ban or whitelist: a moderator decides."""
    if not post.email_from:
        return Decision(HOLD, reasons.NO_SENDER)
    return None


def rule_auto_reply(post, group):
    """RFC 3834 auto-replies, delivery reports and bulk mail are never
    distributed."""
    auto_submitted = post.headers.get('auto-submitted', '').strip().lower()
    if auto_submitted and not auto_submitted.startswith('no'):
        return Decision(DISCARD, reasons.AUTO_SUBMITTED)
    if post.headers.get('precedence', '').strip().lower() in ('bulk', 'junk', 'list'):
        return Decision(DISCARD, reasons.BULK)
    if post.headers.get('x-autoreply') or post.headers.get('x-autorespond'):
        return Decision(DISCARD, reasons.AUTO_SUBMITTED)
    content_type = post.headers.get('content-type', '').lower()
    if 'multipart/report' in content_type and 'delivery-status' in content_type:
        return Decision(DISCARD, reasons.DELIVERY_REPORT)
    return None


def rule_closed(post, group):
    """A closed list takes no post, whoever writes (its archive stays)."""
    if group.closed:
        return Decision(REJECT, reasons.CLOSED)
    return None


def rule_banned(post, group):
    if group.author_rule == 'ban':
        return Decision(REJECT, reasons.BANNED)
    if any(matches_pattern(post.email_from, pattern) for pattern in group.banned_patterns):
        return Decision(REJECT, reasons.BANNED_PATTERN)
    return None


def rule_size(post, group):
    if group.max_size and post.size > group.max_size:
        return Decision(HOLD, reasons.TOO_LARGE)
    return None


def rule_recipients(post, group):
    if group.max_recipients and post.recipient_count > group.max_recipients:
        return Decision(HOLD, reasons.TOO_MANY_RECIPIENTS)
    return None


def rule_suspicious(post, group):
    """Active content is removed before anyone sees it, but its author
    deserves a moderator's look, trusted or not."""
    if post.suspicious:
        return Decision(HOLD, reasons.SUSPICIOUS)
    return None


def rule_headers(post, group):
    """The group's header rules, on gateway mail only: the first rule whose
    header (any occurrence of it) matches its pattern decides."""
    if not post.via_gateway:
        return None
    for name, pattern, action in group.header_rules:
        key = name.strip().lower()
        if any(header == key and matches_value(value, pattern) for header, value in post.header_values):
            return Decision(action, reasons.with_detail(reasons.HEADER_RULE, name))
    return None


def rule_authentication(post, group):
    """Mail whose sender authentication failed (the From domain publishes
    DMARC and the mail fails it), when the group says what to do with it."""
    if group.auth_fail_action and post.via_gateway and post.authentication == 'fail':
        return Decision(group.auth_fail_action, reasons.AUTHENTICATION_FAILED)
    return None


def rule_destination(post, group):
    """Gateway mail naming none of the list's addresses in To or Cc (Bcc spam)."""
    if post.via_gateway and group.list_addresses and not set(post.destinations) & set(group.list_addresses):
        return Decision(HOLD, reasons.IMPLICIT_DESTINATION)
    return None


def rule_emergency(post, group):
    """Every post is held, whitelisted authors' and moderators' mail
    included; only moderators writing from Odoo or the website pass."""
    if group.emergency_hold and not (group.author_is_moderator and not post.via_gateway):
        return Decision(HOLD, reasons.EMERGENCY)
    return None


def rule_topic_locked(post, group):
    """A reply to a locked topic is held or refused, as the group says,
    whatever the author's rule; its moderators may still answer."""
    if group.topic_locked and not group.author_is_moderator:
        return Decision(REJECT if group.locked_topic_action == REJECT else HOLD, reasons.TOPIC_LOCKED)
    return None


def rule_allowed(post, group):
    if group.author_rule == 'allow':
        return Decision(ACCEPT, reasons.ALLOWED)
    if group.author_is_moderator:
        return Decision(ACCEPT, reasons.MODERATOR)
    return None


def rule_non_member(post, group):
    if not group.author_is_member and group.nonmember_action != ACCEPT:
        return Decision(group.nonmember_action, reasons.NON_MEMBER)
    return None


def rule_new_member(post, group):
    if group.author_is_new_member:
        return Decision(HOLD, reasons.NEW_MEMBER)
    return None


def rule_moderation(post, group):
    if group.moderated:
        return Decision(HOLD, reasons.MODERATED)
    return None


RULES = (rule_loop, rule_auto_reply, rule_closed, rule_no_sender, rule_banned, rule_headers, rule_authentication,
         rule_size, rule_recipients, rule_destination, rule_suspicious, rule_emergency, rule_topic_locked,
         rule_allowed, rule_non_member, rule_new_member, rule_moderation)


def claims_privilege(group):
    """Whether the author's address grants more than a stranger gets."""
    return group.author_rule == 'allow' or group.author_is_moderator or (
        group.author_is_member and (group.members_only or group.nonmember_action != ACCEPT))


def as_stranger(group):
    """The policy for the same post from an unknown address (a ban stays)."""
    return replace(
        group, author_rule='' if group.author_rule == 'allow' else group.author_rule,
        author_is_moderator=False, author_is_member=False, author_is_new_member=False,
        nonmember_action=REJECT if group.members_only else group.nonmember_action)


def decide(post, group, rules=RULES):
    """The decision for ``post``. An unauthenticated post gets what a
    stranger's would; where the address's privileges would have made the
    difference it is held ("Sender not authenticated"), never refused: a
    member's mail may lose its signature on the way."""
    decision = decide_by_rules(post, group, rules)
    if post.authenticated or not claims_privilege(group):
        return decision
    stranger = decide_by_rules(post, as_stranger(group), rules)
    if stranger.action == ACCEPT or decision.action in (REJECT, DISCARD):
        return stranger if stranger.action == ACCEPT else decision
    if (stranger.action, stranger.reasons) == (decision.action, decision.reasons):
        return decision
    return Decision(HOLD, reasons.NOT_AUTHENTICATED, (reasons.NOT_AUTHENTICATED,) + decision.reasons)


def decide_by_rules(post, group, rules=RULES):
    """The first rule that answers decides. A hold also reads the rules
    after it, until one decides anything but a hold (an accepted author
    skips the holds after it), to give moderators every reason."""
    decision = None
    found = []
    for rule in rules:
        answer = rule(post, group)
        if not answer:
            continue
        if answer.action != HOLD:
            if decision is None:
                return answer
            break
        decision = decision or answer
        found.append(answer.reason)
    if decision is None:
        return Decision(ACCEPT, reasons.OPEN)
    return Decision(decision.action, decision.reason, tuple(found))


def hold_reasons(post, group, rules=RULES):
    """Every reason to hold the post (empty when it is not held)."""
    return decide(post, group, rules).reasons

