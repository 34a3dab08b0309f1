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
    (CLOSED, 'List closed'),
    (TOPIC_LOCKED, 'Topic locked'),
]
