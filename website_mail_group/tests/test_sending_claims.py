"""Several workers sending one post at once (outbound/claims.py): real
processes on the committed data and a real SMTP server, as two Odoo servers
or two cron workers on one database. Each copy leaves once; a claim left by
a killed process is taken over after its timeout; the cap on concurrent
SMTP sessions to a server holds. In-process: Odoo's mail queue leaves
copies another worker holds, and the sending jobs drain the queue."""
import datetime
import os
import signal
import time

from odoo import fields
from odoo.tests import tagged

from .common import SmtpListCase
from .sending_processes import SendingProcessesCase
from .smtp_server import SmtpSink

CLAIM_TIMEOUT = 5


@tagged('post_install', '-at_install')
class TestTwoWorkers(SendingProcessesCase):
    PARAMS = {'website_mail_group.claim_batch_size': '5'}

    def test_two_processes_send_each_copy_once(self):
        with SmtpSink(self.port) as sink:
            sink.handler.delay = 0.05
            first, second = self.senders(2)
            self.go(first, second)
            self.finish(first)
            self.finish(second)
        self.assertEqual(sorted(self.received(sink).values()), [1] * self.MEMBERS, 'each member got the post once')
        self.assertEqual(sink.handler.max_sessions, 2, 'both processes sent at the same time')
        self.assertAllSentOnce(sink)


@tagged('post_install', '-at_install')
class TestClaimTakenOver(SendingProcessesCase):
    PARAMS = {'website_mail_group.claim_timeout': str(CLAIM_TIMEOUT)}

    def test_claim_of_a_killed_process_is_taken_over_after_the_timeout(self):
        with SmtpSink(self.port) as sink:
            sink.handler.delay = 0.05
            killed, early, late = self.senders(3)
            self.go(killed)
            deadline = time.monotonic() + 120
            while len(sink.messages) < self.MEMBERS // 2 and killed.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            os.killpg(killed.pid, signal.SIGKILL)
            killed.wait()
            killed_at = time.monotonic()
            sent = len(sink.messages)
            self.assertLess(sent, self.MEMBERS, 'killed mid-batch')

            self.go(early)
            self.finish(early)
            time.sleep(0.2)
            self.assertLess(time.monotonic() - killed_at, CLAIM_TIMEOUT - 1, 'the claim was still alive')
            self.assertLessEqual(len(sink.messages), sent + 1, 'copies another process claimed are left to it')

            time.sleep(max(0, killed_at + CLAIM_TIMEOUT + 0.5 - time.monotonic()))
            self.go(late)
            self.finish(late)
            time.sleep(0.2)
        self.assertAllSentOnce(sink, in_flight=1)


@tagged('post_install', '-at_install')
class TestSessionCap(SendingProcessesCase):
    PARAMS = {'website_mail_group.claim_batch_size': '5'}
    SERVER = {'mail_group_max_sessions': 2}

    def test_processes_share_the_sessions_of_the_server(self):
        with SmtpSink(self.port) as sink:
            sink.handler.delay = 0.05
            processes = self.senders(4)
            self.go(*processes)
            for process in processes:
                self.finish(process)
        self.assertEqual(sink.handler.max_sessions, 2, 'two sessions at once, never more')
        self.assertAllSentOnce(sink)


@tagged('post_install', '-at_install')
class TestQueueAndJobs(SmtpListCase):
    DOMAIN, LIST = 'lists.claims.example.com', ('Claims List', 'claims')
    MEMBERS = [f'c{index}@claims.example.com' for index in range(6)]

    def queued(self):
        return self.env['mail.mail'].sudo().search([('mail_group_post', '=', True), ('state', '=', 'outgoing')])

    def test_queue_leaves_copies_another_worker_holds(self):
        self.group.message_post(body='<p>Shared</p>', subject='Shared', email_from='author@example.com')
        held = self.queued()[:2]
        until = fields.Datetime.now() + datetime.timedelta(minutes=5)
        held.flush_recordset()
        self.env.cr.execute("UPDATE mail_mail SET mail_group_claim = 'other', mail_group_claim_until = %s"
                            " WHERE id = ANY(%s)", [until, held.ids])
        held.invalidate_recordset()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
            self.assertEqual(sink.recipients(), sorted(set(self.MEMBERS) - set(held.mapped('email_to'))))
            self.assertEqual(self.queued(), held, 'held by another worker: not sent here')
            self.env.cr.execute('UPDATE mail_mail SET mail_group_claim_until = %s WHERE id = ANY(%s)',
                                [fields.Datetime.now() - datetime.timedelta(seconds=1), held.ids])
            held.invalidate_recordset()
            self.run_queue()
        self.assertEqual(sink.recipients(), sorted(self.MEMBERS), 'an expired claim is taken over, each member once')

    def test_sending_jobs_are_woken_and_drain_the_queue(self):
        jobs = self.env['ir.cron'].search([('code', '=', 'model._cron_send_copies()')])
        Trigger = self.env['ir.cron.trigger'].sudo()
        Trigger.search([('cron_id', 'in', jobs.ids)]).unlink()
        self.group.message_post(body='<p>Jobs</p>', subject='Jobs', email_from='author@example.com')
        self.assertEqual(Trigger.search([('cron_id', 'in', jobs.ids)]).cron_id, jobs, 'every job is woken')
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.env['mail.mail'].sudo()._cron_send_copies()
        self.assertEqual(sink.recipients(), sorted(self.MEMBERS))
        self.assertFalse(self.queued())
        self.assertFalse(self.env['mail.mail'].sudo().search([('mail_group_claim', '!=', False)]), 'claims released')
