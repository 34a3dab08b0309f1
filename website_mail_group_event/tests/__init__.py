from . import test_event_source
