import threading
from email.utils import make_msgid

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger


@tagged('post_install', '-at_install')
class TestConcurrency(BaseCase):
    """Two transactions at once, each on its own database connection, as two
    mail gateway deliveries or two web requests would be. These tests commit
    (the test database is dropped afterwards) and clean up after themselves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = odoo.registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            domain = env['mail.alias.domain'].search([], limit=1) or env['mail.alias.domain'].create({'name': 'race.example.com'})
            group = env['mail.group'].create({'name': 'Race', 'alias_name': f'race-{id(self)}', 'alias_domain_id': domain.id})
            self.group_id, self.alias_email = group.id, group.alias_email
            self.last_mail_id = env['mail.mail'].search([], order='id desc', limit=1).id or 0
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['mail.group'].browse(self.group_id).unlink()
            # mails on no record (welcome mails) would stay queued for later tests
            env['mail.mail'].search([('id', '>', self.last_mail_id)]).unlink()

    def race(self, work):
        """Run ``work(env)`` twice at once in two transactions; return the
        exceptions raised."""
        barrier = threading.Barrier(2)
        errors = []

        def run():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    barrier.wait(timeout=10)
                    work(env)
            except Exception as exc:  # noqa: BLE001 - collected for the assertions
                errors.append(exc)

        threads = [threading.Thread(target=run) for __ in range(2)]
        with mute_logger('odoo.sql_db', 'odoo.addons.mail.models.mail_thread'):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        return errors

    def count(self, model, domain):
        with self.registry.cursor() as cr:
            return api.Environment(cr, SUPERUSER_ID, {})[model].search_count(domain)

    def test_same_mail_delivered_twice_at_once_is_stored_once(self):
        msg_id = make_msgid(domain='race.example.com')
        raw = (f'From: racer@example.com\r\nTo: {self.alias_email}\r\nSubject: Race\r\n'
               f'Message-ID: {msg_id}\r\nContent-Type: text/plain\r\n\r\nSame mail twice\r\n').encode()
        errors = self.race(lambda env: env['mail.thread'].message_process(None, raw))
        self.assertEqual(self.count('mail.group.message', [('mail_group_id', '=', self.group_id)]), 1)
        self.assertLessEqual(len(errors), 1, 'the losing delivery fails (the MTA retries it) or sees a duplicate')

    def test_two_subscriptions_of_one_address_make_one_member(self):
        errors = self.race(lambda env: env['mail.group'].browse(self.group_id)._join_group('twice@example.com'))
        self.assertEqual(self.count('mail.group.member', [('mail_group_id', '=', self.group_id)]), 1)
        self.assertLessEqual(len(errors), 1)
