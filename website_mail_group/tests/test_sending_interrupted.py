"""Sending that is cut short: a worker killed mid-batch (a real process,
SIGKILL), and a run reaching its cron time limit. A real SMTP server counts
what each member got: nobody gets the post more than twice, at most one
member per SMTP session in flight, and the queue drains."""
import os
import signal
import time
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config, mute_logger

from .common import SmtpListCase
from .sending_processes import SendingProcessesCase
from .smtp_server import SmtpSink


@tagged('post_install', '-at_install')
class TestWorkerKilled(SendingProcessesCase):

    def test_killed_worker_sends_each_copy_once_but_the_one_in_flight(self):
        self.assertEqual(len(self.copy_ids), self.MEMBERS)
        with SmtpSink(self.port) as sink:
            sink.handler.delay = 0.05
            process, = self.senders()
            self.go(process)
            deadline = time.monotonic() + 120
            while len(sink.messages) < self.MEMBERS // 2 and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            self.assertGreaterEqual(len(sink.messages), self.MEMBERS // 2, process.stderr.read().decode()[-2000:])
            self.assertLess(len(sink.messages), self.MEMBERS, 'killed mid-batch')

            self.expire_claims()
            process, = self.senders()
            self.go(process)
            self.finish(process)
            time.sleep(0.2)  # a copy in flight when the first process died
        self.assertAllSentOnce(sink, in_flight=1)

    def expire_claims(self):
        """The claim of the killed process lapses (tests/test_sending_claims.py waits for it)."""
        with self.env.registry.cursor() as cr:
            cr.execute('UPDATE mail_mail SET mail_group_claim_until = NULL WHERE id = ANY(%s)', [self.copy_ids])


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
        send_jobs = self.env['ir.cron'].search([('code', '=', 'model._cron_send_copies()')])
        self.assertEqual(len(send_jobs), 4)
        runs = 0
        with SmtpSink(self.mail_server.smtp_port) as sink, patch.dict(config.options, {'limit_time_real_cron': 2}):
            sink.handler.delay = 0.3
            while self.env['mail.mail'].sudo().search_count([('mail_group_post', '=', True), ('state', '=', 'outgoing')]):
                runs += 1
                self.assertLess(runs, 10, 'the queue drains')
                Trigger.search([('cron_id', 'in', send_jobs.ids)]).unlink()
                started = time.monotonic()
                with mute_logger('odoo.addons.website_mail_group.models.mail_mail_sending'):
                    self.run_queue()
                self.assertLess(time.monotonic() - started, 2, 'the run ends before the limit')
                if self.env['mail.mail'].sudo().search_count([('mail_group_post', '=', True), ('state', '=', 'outgoing')]):
                    self.assertEqual(Trigger.search([('cron_id', 'in', send_jobs.ids)]).cron_id, send_jobs,
                                     'every sending job is woken again')
        self.assertGreater(runs, 1, 'the copies took several runs')
        self.assertEqual(sink.recipients(), sorted(self.MEMBERS), 'each member once')
