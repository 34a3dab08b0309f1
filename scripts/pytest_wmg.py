"""pytest plugin loaded by scripts/test.sh (``-p pytest_wmg``).

It makes the test run strict in the ways Odoo's own runner and runbot are:

* A run in which any test is skipped (or xfailed) fails.  Odoo turns a missing
  browser, a browser that does not start or a missing ``websocket-client`` into
  ``unittest.SkipTest``, so a green run with skips may have tested nothing in
  the browser.
* A test during which a log record of level ERROR or above is emitted (by the
  test itself, by the ORM or by the HTTP server thread serving an HttpCase)
  fails, with the record in the report.  Expected errors are silenced the
  Odoo way: ``odoo.tools.mute_logger(...)`` or ``self.assertLogs(...)``.
  Set ``WMG_ALLOW_ERROR_LOGS=1`` to turn this check off.
"""
import logging
import os
import threading

import pytest

_STRICT_OUTCOMES = ('skipped', 'xfailed')


class _ErrorCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self._lock_records = threading.Lock()
        self.records = []

    def emit(self, record):
        with self._lock_records:
            self.records.append(record)

    def take(self):
        with self._lock_records:
            records, self.records = self.records, []
        return records


_collector = _ErrorCollector()


def _error_logs_allowed():
    return os.environ.get('WMG_ALLOW_ERROR_LOGS', '') not in ('', '0', 'false', 'no')


def pytest_configure(config):
    logging.getLogger().addHandler(_collector)


def pytest_unconfigure(config):
    logging.getLogger().removeHandler(_collector)


def pytest_runtest_logstart(nodeid, location):
    _collector.take()  # forget whatever happened between tests


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    records = _collector.take()
    if not records or _error_logs_allowed() or report.failed or report.skipped:
        return
    lines = []
    for record in records:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - badly formatted log call
            message = str(record.msg)
        lines.append(f'{record.levelname} {record.name}: {message}')
        if record.exc_info and record.exc_info[0]:
            lines.append(logging.Formatter().formatException(record.exc_info))
    report.outcome = 'failed'
    report.longrepr = (
        f'{len(records)} log record(s) of level ERROR or above during {report.when} '
        f'(silence expected ones with odoo.tools.mute_logger or assertLogs; '
        f'WMG_ALLOW_ERROR_LOGS=1 disables this check):\n' + '\n'.join(lines)
    )


def _strict_count(terminalreporter):
    return sum(len(terminalreporter.stats.get(key, [])) for key in _STRICT_OUTCOMES)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = _strict_count(terminalreporter)
    if count:
        terminalreporter.write_line(
            f'wmg: {count} test(s) skipped or xfailed: every test must run '
            f'(they are listed in the short test summary); failing the run.',
            red=True, bold=True,
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin('terminalreporter')
    if reporter is None:
        return
    if _strict_count(reporter) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
