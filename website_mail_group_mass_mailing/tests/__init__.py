from . import test_mailing_list_source
