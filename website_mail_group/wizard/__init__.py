from . import mail_group_message_reject
from . import mail_group_member_import
from . import mail_group_archive_import
from . import mail_group_forget
from . import mail_group_message_redact
from . import mail_group_moderation_undo
