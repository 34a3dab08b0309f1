from . import mailing_subscription
