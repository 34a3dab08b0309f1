from . import mail_group_message_reject
