from . import mail_alias
from . import mail_group
from . import mail_group_member
from . import mail_group_message
from . import mail_group_moderation
from . import mail_group_throttle
from . import mail_message
from . import mail_thread
