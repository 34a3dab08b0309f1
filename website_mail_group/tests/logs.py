"""``expect_log``: declare a log record a test is about, hiding it and only it."""
import logging
import re
from contextlib import ContextDecorator


class expect_log(ContextDecorator):
    """Hide the records of ``logger`` whose message matches ``pattern`` (a
    regular expression searched in the formatted message), and fail when
    none came: an expected record that never shows up is a broken test.
    Every other record goes through, so an unexpected error still fails
    the run (scripts/pytest_wmg.py)."""

    def __init__(self, logger, pattern):
        self.logger = logging.getLogger(logger)
        self.pattern = re.compile(pattern)
        self.matched = []

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - badly formatted log call: let it through
            return True
        if self.pattern.search(message):
            self.matched.append(record)
            return False
        return True

    def __enter__(self):
        self.matched = []
        self.logger.addFilter(self)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.logger.removeFilter(self)
        if exc_type is None and not self.matched:
            raise AssertionError(f'expected a log record of {self.logger.name} matching {self.pattern.pattern!r}')
        return False
