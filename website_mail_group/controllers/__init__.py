from . import groups
from . import subscription
from . import links
from . import archive
from . import thread
from . import delivery
from . import subscriptions_page
from . import moderate
