from . import mail_group_message_reject
from . import mail_group_archive_import
