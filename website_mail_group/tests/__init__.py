from . import test_module
from . import test_rules
from . import test_mail_gateway
from . import test_members
from . import test_moderation
from . import test_security
from . import test_smtp_delivery
