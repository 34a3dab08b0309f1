"""Inbound policy: a chain of rules deciding one action for a post.

Plain Python, no ORM: the model gathers the facts (``Post``, ``GroupPolicy``)
and applies the ``Decision``. The first rule that answers wins.
"""
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class GroupPolicy:
    """What the group says about this post's author."""
    list_id: str = ''
    loop_address: str = ''
    moderated: bool = False
    author_rule: str = ''  # '', 'allow' or 'ban' (mail.group.moderation)
    author_is_moderator: bool = False


@dataclass(frozen=True)
class Decision:
    action: str
    reason: str


def rule_loop(post, group):
    """Our own list mail coming back."""
    list_id = post.headers.get('list-id', '')
    x_loop = post.headers.get('x-loop', '')
    if (group.list_id and group.list_id in list_id) or (
            group.loop_address and group.loop_address.lower() in x_loop.lower()):
        return Decision(DISCARD, 'loop')
    return None


def rule_auto_reply(post, group):
    """RFC 3834 auto-replies and bulk mail are never distributed."""
    auto_submitted = post.headers.get('auto-submitted', '').strip().lower()
    if auto_submitted and not auto_submitted.startswith('no'):
        return Decision(DISCARD, 'auto_submitted')
    if post.headers.get('precedence', '').strip().lower() in ('bulk', 'junk'):
        return Decision(DISCARD, 'bulk')
    return None


def rule_banned(post, group):
    if group.author_rule == 'ban':
        return Decision(REJECT, 'banned')
    return None


def rule_allowed(post, group):
    if group.author_rule == 'allow':
        return Decision(ACCEPT, 'allowed')
    if group.author_is_moderator:
        return Decision(ACCEPT, 'moderator')
    return None


def rule_moderation(post, group):
    if group.moderated:
        return Decision(HOLD, 'moderated')
    return None


RULES = (rule_loop, rule_auto_reply, rule_banned, rule_allowed, rule_moderation)


def decide(post, group, rules=RULES):
    for rule in rules:
        decision = rule(post, group)
        if decision:
            return decision
    return Decision(ACCEPT, 'open')
