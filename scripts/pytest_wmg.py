"""pytest plugin loaded by scripts/test.sh (``-p pytest_wmg``).

It makes the test run strict in the ways Odoo's own runner and runbot are:

* A run in which any test is skipped (or xfailed) fails.  Odoo turns a missing
  browser, a browser that does not start or a missing ``websocket-client`` into
  ``unittest.SkipTest``, so a green run with skips may have tested nothing in
  the browser.  Skips are counted as pytest reports them, with or without the
  terminal plugin.
* A test during which a log record of level ERROR or above is emitted (by the
  test itself, by the ORM or by the HTTP server thread serving an HttpCase)
  fails, with the record in the report.  Records logged outside any test fail
  the run.
* Expected errors of the addon's own loggers, and of Odoo's mail queue, are
  declared with ``website_mail_group.tests.logs.expect_log(logger, pattern)``,
  which hides only the matching records; hiding them with
  ``odoo.tools.mute_logger`` fails the test.
* ``WMG_ALLOW_ERROR_LOGS=1`` turns the log check off, and a log level above
  ERROR makes it blind: either prints a loud line.
"""
import logging
import os
import sys
import threading

import pytest

# loggers whose errors may not be muted wholesale: our code and Odoo's mail queue
PROTECTED_LOGGERS = ('odoo.addons.website_mail_group', 'odoo.addons.mail.models.mail_mail')


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


_collector = _ErrorCollector()  # records reaching the root logger
_muted = _ErrorCollector()      # protected records swallowed by mute_logger
_state = {'skipped': 0, 'between': [], 'warned': set()}


def _error_logs_allowed():
    return os.environ.get('WMG_ALLOW_ERROR_LOGS', '') not in ('', '0', 'false', 'no')


def _protected(name):
    return any(name == prefix or name.startswith(prefix + '.') for prefix in PROTECTED_LOGGERS)


def _patch_mute_logger():
    """Let odoo.tools.mute_logger report the protected records it swallows."""
    try:
        from odoo.tools import misc
    except ImportError:
        return
    if getattr(misc.mute_logger, '_wmg_patched', False):
        return

    def emit(self, record):
        if record.levelno >= logging.ERROR and _protected(record.name):
            _muted.emit(record)

    misc.mute_logger.emit = emit
    misc.mute_logger._wmg_patched = True


def _loud(config, message):
    """A line nobody misses, with or without the terminal plugin."""
    if message in _state['warned']:
        return
    _state['warned'].add(message)
    reporter = config.pluginmanager.get_plugin('terminalreporter')
    if reporter is not None:
        reporter.write_line(f'wmg: {message}', red=True, bold=True)
    else:
        sys.stderr.write(f'wmg: {message}\n')


def _checks_off(config):
    if _error_logs_allowed():
        _loud(config, 'WMG_ALLOW_ERROR_LOGS is set: the ERROR log check is OFF for this run.')
    if not logging.getLogger('odoo').isEnabledFor(logging.ERROR):
        _loud(config, 'the odoo log level is above ERROR: the ERROR log check sees nothing in this run.')


def _format(records):
    lines = []
    for record in records:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - badly formatted log call
            message = str(record.msg)
        lines.append(f'{record.levelname} {record.name}: {message}')
        if record.exc_info and record.exc_info[0]:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return '\n'.join(lines)


def pytest_configure(config):
    _state.update(skipped=0, between=[], warned=set())
    _collector.take()
    _muted.take()
    logging.getLogger().addHandler(_collector)
    _patch_mute_logger()


def pytest_unconfigure(config):
    logging.getLogger().removeHandler(_collector)


def pytest_sessionstart(session):
    _checks_off(session.config)


def pytest_runtest_logstart(nodeid, location):
    between = _collector.take() + _muted.take()
    if between:
        _state['between'].append((nodeid, between))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    records, muted = _collector.take(), _muted.take()
    if _error_logs_allowed() or report.failed or report.skipped:
        return
    problems = []
    if records:
        problems.append(
            f'{len(records)} log record(s) of level ERROR or above during {report.when} '
            f'(declare expected ones with expect_log(logger, pattern) from website_mail_group.tests.logs):\n'
            + _format(records))
    if muted:
        problems.append(
            f'{len(muted)} ERROR record(s) of the addon or of the mail queue hidden by mute_logger during '
            f'{report.when}: declare them with expect_log(logger, pattern), which hides only what matches:\n'
            + _format(muted))
    if problems:
        report.outcome = 'failed'
        report.longrepr = '\n\n'.join(problems)


def pytest_runtest_logreport(report):
    if report.skipped or hasattr(report, 'wasxfail'):
        _state['skipped'] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    _checks_off(config)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    _checks_off(config)
    between = _state['between'] + ([('the end of the run', _collector.take() + _muted.take())]
                                   if _collector.records or _muted.records else [])
    failed = False
    if _state['skipped']:
        _loud(config, f"{_state['skipped']} test(s) skipped or xfailed: every test must run; failing the run.")
        failed = True
    if between and not _error_logs_allowed():
        for where, records in between:
            _loud(config, f'ERROR records logged outside any test (before {where}):\n{_format(records)}')
        failed = True
    if failed and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
