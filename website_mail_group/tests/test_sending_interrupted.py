"""Sending that is cut short: a worker killed mid-batch (a real process,
SIGKILL), and a run reaching its cron time limit. A real SMTP server counts
what each member got: nobody gets the post more than twice, at most one
member per SMTP session in flight, and the queue drains."""
import collections
import os
import signal
import subprocess
import sys
import time
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import config, mute_logger

from .common import SmtpListCase
from .smtp_server import SmtpSink, free_port

# the mail queue as Odoo's cron runs it: its own process, committing as it goes
SENDER = """
import sys
import odoo
odoo.tools.config.parse_config(['-c', sys.argv[1], '-d', sys.argv[2], '--log-level=warn'])
registry = odoo.modules.registry.Registry(sys.argv[2])
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    env['mail.mail'].process_email_queue(ids=[int(i) for i in sys.argv[3].split(',')])
"""
MEMBERS = 60


@tagged('post_install', '-at_install')
class TestWorkerKilled(TransactionCase):

    def setUp(self):
        super().setUp()
        self.port = free_port()
        # committed, for the other process: a list, its members, a post queued for them
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.server_id = env['ir.mail_server'].create({
                'name': 'crash sink', 'smtp_host': '127.0.0.1', 'smtp_port': self.port, 'smtp_encryption': 'none'}).id
            group = env['mail.group'].create({'name': 'Crash List', 'alias_name': f'crash-{uuid.uuid4().hex[:8]}'})
            self.group_id = group.id
            env['mail.group.member'].create([
                {'mail_group_id': group.id, 'email': f'm{index:02d}@crash.example.com'} for index in range(MEMBERS)])
            message = group.message_post(body='<p>Sent once</p>', subject='Once', email_from='author@example.com')
            copies = env['mail.mail'].search([('mail_message_id', '=', message.id)])
            copies.write({'mail_server_id': self.server_id})
            self.copy_ids = copies.ids
        self.addCleanup(self.remove_committed)

    def remove_committed(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['mail.mail'].browse(self.copy_ids).exists().unlink()
            env['mail.group'].browse(self.group_id).unlink()
            env['ir.mail_server'].browse(self.server_id).unlink()
            env['mail.group.sent'].search([('mail_id', 'in', self.copy_ids)]).unlink()

    def sender(self):
        return subprocess.Popen(
            [sys.executable, '-c', SENDER, config.rcfile, self.env.cr.dbname, ','.join(map(str, self.copy_ids))],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def test_killed_worker_sends_each_copy_once_but_the_one_in_flight(self):
        self.assertEqual(len(self.copy_ids), MEMBERS)
        with SmtpSink(self.port) as sink:
            sink.handler.delay = 0.05
            process = self.sender()
            deadline = time.monotonic() + 120
            while len(sink.messages) < MEMBERS // 2 and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            self.assertGreaterEqual(len(sink.messages), MEMBERS // 2, process.stderr.read().decode()[-2000:])
            self.assertLess(len(sink.messages), MEMBERS, 'killed mid-batch')

            process = self.sender()
            self.assertEqual(process.wait(timeout=180), 0, process.stderr.read().decode()[-2000:])
            time.sleep(0.2)  # a copy in flight when the first process died
        received = collections.Counter(rcpt for item in sink.messages for rcpt in item['rcpt_tos'])
        self.assertEqual(len(received), MEMBERS, 'every member got the post')
        twice = [rcpt for rcpt, count in received.items() if count > 1]
        self.assertLessEqual(len(twice), 1, f'at most the copy in flight is sent twice, not {twice}')
        self.assertEqual(max(received.values()), len(twice) + 1 if twice else 1)
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertFalse(env['mail.mail'].search_count([('id', 'in', self.copy_ids), ('state', '=', 'outgoing')]))


@tagged('post_install', '-at_install')
class TestCronTimeLimit(SmtpListCase):
    """A relay answering slowly and Odoo's time limit for crons: a run stops
    taking copies at half the limit, wakes the queue and leaves the rest
    queued; nobody gets the post twice."""
    DOMAIN, LIST = 'lists.slow.example.com', ('Slow List', 'slow')
    MEMBERS = [f's{index}@slow.example.com' for index in range(8)]

    def test_run_stops_before_the_limit_and_the_queue_drains(self):
        self.group.message_post(body='<p>Slowly</p>', subject='Slow relay', email_from='author@example.com')
        Trigger = self.env['ir.cron.trigger'].sudo()
        queue_cron = self.env.ref('mail.ir_cron_mail_scheduler_action')
        runs = 0
        with SmtpSink(self.mail_server.smtp_port) as sink, patch.dict(config.options, {'limit_time_real_cron': 2}):
            sink.handler.delay = 0.3
            while self.env['mail.mail'].sudo().search_count([('mail_group_post', '=', True), ('state', '=', 'outgoing')]):
                runs += 1
                self.assertLess(runs, 10, 'the queue drains')
                Trigger.search([('cron_id', '=', queue_cron.id)]).unlink()
                started = time.monotonic()
                with mute_logger('odoo.addons.website_mail_group.models.mail_mail'):
                    self.run_queue()
                self.assertLess(time.monotonic() - started, 2, 'the run ends before the limit')
                if self.env['mail.mail'].sudo().search_count([('mail_group_post', '=', True), ('state', '=', 'outgoing')]):
                    self.assertTrue(Trigger.search([('cron_id', '=', queue_cron.id)]), 'the queue is woken again')
        self.assertGreater(runs, 1, 'the copies took several runs')
        self.assertEqual(sink.recipients(), sorted(self.MEMBERS), 'each member once')
