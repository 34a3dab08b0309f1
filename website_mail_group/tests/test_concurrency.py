import threading
from email.utils import make_msgid
from unittest.mock import patch

import psycopg2.errors

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from .mails import raw_mail


@tagged('post_install', '-at_install')
class TestConcurrency(BaseCase):
    """Two transactions at once, each on its own database connection, as two
    mail gateway deliveries or two web requests would be. The overlap is
    forced: both pass the duplicate check before either writes, then the
    first commits and the second writes. These tests commit (the test
    database is dropped afterwards) and clean up after themselves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = odoo.registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            domain = env['mail.alias.domain'].search([], limit=1) or env['mail.alias.domain'].create({'name': 'race.example.com'})
            group = env['mail.group'].create({'name': 'Race', 'alias_name': 'race-condition', 'alias_domain_id': domain.id})
            cls.group_id, cls.alias_email = group.id, group.alias_email
            cls.last_mail_id = env['mail.mail'].search([], order='id desc', limit=1).id or 0
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['mail.message'].search([('model', '=', 'mail.group'), ('res_id', '=', cls.group_id)]).unlink()
            env['mail.group'].browse(cls.group_id).unlink()
            # mails on no record (welcome mails) would stay queued for later tests
            env['mail.mail'].search([('id', '>', cls.last_mail_id)]).unlink()

    def race(self, work, model, check):
        """Run ``work(env)`` in two transactions; both wait after the
        duplicate check ``model.check`` until both passed it; the second
        writes once the first has committed. Return each one's exception."""
        passed_check = threading.Barrier(2, timeout=20)
        first_committed = threading.Event()
        racers = {}
        errors = {}
        original = getattr(self.registry[model], check)

        def check_then_wait(*args, **kwargs):
            result = original(*args, **kwargs)
            name = racers.get(threading.current_thread())
            if name:
                passed_check.wait()
                if name == 'second':
                    self.assertTrue(first_committed.wait(timeout=20), 'the first transaction never committed')
            return result

        def run(name):
            try:
                with self.registry.cursor() as cr:
                    work(api.Environment(cr, SUPERUSER_ID, {}))
            except Exception as exc:  # noqa: BLE001 - asserted by the caller, by type and constraint
                errors[name] = exc
            finally:
                if name == 'first':
                    first_committed.set()

        for name in ('first', 'second'):
            racers[threading.Thread(target=run, args=(name,), name=f'race-{name}')] = name
        with patch.object(self.registry[model], check, check_then_wait), mute_logger('odoo.sql_db'):
            for thread in racers:
                thread.start()
            for thread in racers:
                thread.join(timeout=60)
        self.assertFalse(any(thread.is_alive() for thread in racers), 'a transaction hangs')
        return errors

    def assert_unique_violation(self, errors, constraint):
        self.assertEqual(list(errors), ['second'], f'only the second transaction fails: {errors!r}')
        self.assertIsInstance(errors['second'], psycopg2.errors.UniqueViolation)
        self.assertEqual(errors['second'].diag.constraint_name, constraint)

    def count(self, model, domain):
        with self.registry.cursor() as cr:
            return api.Environment(cr, SUPERUSER_ID, {})[model].search_count(domain)

    def test_same_mail_delivered_twice_at_once_is_stored_once(self):
        msg_id = make_msgid(domain='race.example.com')
        raw = raw_mail('racer@example.com', self.alias_email, 'Race', 'Same mail twice', message_id=msg_id,
                       content_type='text/plain')
        # the gateway's duplicate check is a search on the Message-Id right before routing
        errors = self.race(lambda env: env['mail.thread'].message_process(None, raw), 'mail.thread', 'message_route')
        self.assert_unique_violation(errors, 'mail_message_mail_group_message_id_unique')
        domain = [('mail_group_id', '=', self.group_id)]
        self.assertEqual(self.count('mail.group.message', domain), 1)
        with self.registry.cursor() as cr, mute_logger('odoo.addons.mail.models.mail_thread'):
            self.assertFalse(api.Environment(cr, SUPERUSER_ID, {})['mail.thread'].message_process(None, raw),
                             "the MTA's retry of the losing delivery is a known duplicate")
        self.assertEqual(self.count('mail.group.message', domain), 1)

    def test_two_subscriptions_of_one_address_make_one_member(self):
        errors = self.race(lambda env: env['mail.group'].browse(self.group_id)._join_group('twice@example.com'),
                           'mail.group', '_find_member')
        self.assert_unique_violation(errors, 'mail_group_member_unique_email_no_partner')
        self.assertEqual(self.count('mail.group.member', [('mail_group_id', '=', self.group_id)]), 1)
