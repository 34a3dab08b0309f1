"""Every reason the inbound rules give, in one place: its code (stored on
``mail.group.message.moderation_reason``) and the label moderators read.

The labels of the held and rejected reasons are the selection of that
field, so Odoo translates them; the others only reach the server log."""

# held or rejected: stored on the post, shown to moderators
MODERATED = 'moderated'
NON_MEMBER = 'non_member'
TOO_LARGE = 'too_large'
TOO_MANY_RECIPIENTS = 'too_many_recipients'
BANNED = 'banned'
BANNED_PATTERN = 'banned_pattern'
NO_SENDER = 'no_sender'
SUSPICIOUS = 'suspicious'
NOT_AUTHENTICATED = 'not_authenticated'
NEW_MEMBER = 'new_member'
EMERGENCY = 'emergency'
HEADER_RULE = 'header_rule'  # stored with the header's name: ``header_rule:X-Spam-Flag`` (with_detail)
AUTHENTICATION_FAILED = 'authentication_failed'
IMPLICIT_DESTINATION = 'implicit_destination'
CLOSED = 'closed'
TOPIC_LOCKED = 'topic_locked'

# accepted or discarded: logged, never stored
OPEN = 'open'
ALLOWED = 'allowed'
MODERATOR = 'moderator'
LOOP = 'loop'
AUTO_SUBMITTED = 'auto_submitted'
BULK = 'bulk'
DELIVERY_REPORT = 'delivery_report'

STORED = [
    (MODERATED, 'Moderated group'),
    (NON_MEMBER, 'Non-member post'),
    (TOO_LARGE, 'Message too large'),
    (TOO_MANY_RECIPIENTS, 'Too many recipients'),
    (BANNED, 'Banned author'),
    (BANNED_PATTERN, 'Banned address pattern'),
    (NO_SENDER, 'No sender address'),
    (SUSPICIOUS, 'Suspicious content'),
    (NOT_AUTHENTICATED, 'Sender not authenticated'),
    (NEW_MEMBER, 'New member'),
    (EMERGENCY, 'Emergency hold'),
    (HEADER_RULE, 'Header rule'),
    (AUTHENTICATION_FAILED, 'Sender authentication failed'),
    (IMPLICIT_DESTINATION, 'List address not in To or Cc'),
    (CLOSED, 'List closed'),
    (TOPIC_LOCKED, 'Topic locked'),
]


def with_detail(code, detail):
    """A reason with what triggered it (``code:detail``), such as the
    header of a header rule; ``code`` of it is the stored reason."""
    return f'{code}:{detail}'


def code(reason):
    """The reason code of ``reason``, without its detail."""
    return (reason or '').partition(':')[0]


def detail(reason):
    return (reason or '').partition(':')[2]

