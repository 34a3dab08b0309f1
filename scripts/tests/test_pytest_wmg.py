"""The strictness plugin itself (scripts/pytest_wmg.py), run through pytester:
each check must catch what it is for and must say when it is off."""
import pathlib

import pytest

pytest_plugins = ['pytester']

LOGS = pathlib.Path(__file__).resolve().parents[2] / 'website_mail_group' / 'tests' / 'logs.py'


@pytest.fixture
def run(pytester, monkeypatch):
    monkeypatch.delenv('WMG_ALLOW_ERROR_LOGS', raising=False)
    monkeypatch.setenv('PYTEST_DISABLE_PLUGIN_AUTOLOAD', '1')  # no pytest-odoo and co. inside
    pytester.syspathinsert(pathlib.Path(__file__).resolve().parents[1])
    pytester.makepyfile(wmg_logs=LOGS.read_text())

    def run(source, *args):
        pytester.makepyfile(test_sample=source)
        return pytester.runpytest_inprocess('-p', 'pytest_wmg', *args)
    return run


def test_passing_run_passes(run):
    result = run('def test_ok():\n    assert True\n')
    result.assert_outcomes(passed=1)
    assert result.ret == 0


def test_error_log_fails_the_test(run):
    result = run('import logging\ndef test_logs():\n    logging.getLogger("odoo.x").error("boom")\n')
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['*ERROR odoo.x: boom*'])


@pytest.mark.parametrize('args', [(), ('-p', 'no:terminal')])
def test_skip_fails_the_run_even_without_terminal(run, args):
    result = run('import pytest\ndef test_skip():\n    pytest.skip("no browser")\n', *args)
    assert result.ret == 1
    assert 'skipped or xfailed' in result.stdout.str() + result.stderr.str()


def test_mute_logger_cannot_hide_our_errors(run):
    result = run(
        'import logging\nfrom odoo.tools import mute_logger\n'
        '@mute_logger("odoo.addons.website_mail_group.models.mail_mail")\n'
        'def test_hidden():\n'
        '    logging.getLogger("odoo.addons.website_mail_group.models.mail_mail").error("crash")\n'
        '@mute_logger("odoo.addons.mail.models.mail_thread")\n'
        'def test_other_logger_may_be_muted():\n'
        '    logging.getLogger("odoo.addons.mail.models.mail_thread").error("bounce")\n')
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(['*hidden by mute_logger*', '*crash*'])


def test_expect_log_hides_only_what_matches(run):
    result = run(
        'import logging\nfrom wmg_logs import expect_log\n'
        'LOG = "odoo.addons.website_mail_group.models.mail_mail"\n'
        'def test_expected():\n'
        '    with expect_log(LOG, "SMTP down"):\n'
        '        logging.getLogger(LOG).error("SMTP down, retrying")\n'
        'def test_other_record_still_fails():\n'
        '    with expect_log(LOG, "SMTP down"):\n'
        '        logging.getLogger(LOG).error("SMTP down")\n'
        '        logging.getLogger(LOG).error("KeyError in send")\n'
        'def test_missing_expected_record_fails():\n'
        '    with expect_log(LOG, "SMTP down"):\n'
        '        pass\n')
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(['*KeyError in send*'])
    result.stdout.fnmatch_lines(['*expected a log record*'])


def test_errors_between_tests_fail_the_run(run):
    result = run('import logging\nlogging.getLogger("odoo.y").error("at import")\n'
                 'def test_ok():\n    assert True\n')
    assert result.ret == 1
    result.stdout.fnmatch_lines(['*outside any test*', '*at import*'])


def test_switching_the_check_off_is_loud(run, monkeypatch):
    monkeypatch.setenv('WMG_ALLOW_ERROR_LOGS', '1')
    result = run('import logging\ndef test_logs():\n    logging.getLogger("odoo.x").error("boom")\n')
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(['*WMG_ALLOW_ERROR_LOGS is set*OFF*'])


def test_log_level_above_error_is_loud(run):
    result = run('import logging\nlogging.getLogger("odoo").setLevel(logging.CRITICAL)\n'
                 'def test_ok():\n    assert True\n')
    result.stdout.fnmatch_lines(['*log level is above ERROR*'])
