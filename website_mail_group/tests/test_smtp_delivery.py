import datetime
import smtplib
from email.utils import make_msgid
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import IrMailServer

from ..outbound import bounces, smtp_send
from .common import SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink, _Handler

MEMBERS = [f'member{index}@members.example.com' for index in range(6)]


@tagged('post_install', '-at_install')
class TestSmtpDelivery(SmtpListCase):
    """A post enters through the gateway as raw RFC 822 text and leaves
    through real SMTP connections to a local server, which fails on purpose
    in some tests: every member gets the post exactly once."""

    DOMAIN, LIST = 'lists.e2e.example.com', ('E2E List', 'e2e')
    MEMBERS = MEMBERS + ['author@example.com']

    def post(self, subject='Over the wire'):
        msg_id = make_msgid(domain='example.com')
        self.env['mail.thread'].message_process(None, raw_mail(
            'Author <author@example.com>', self.group.alias_email, subject, 'Hello SMTP', message_id=msg_id,
            content_type='text/plain'))
        return msg_id

    def queued(self):
        return self.env['mail.mail'].sudo().search([('mail_group_post', '=', True), ('state', '=', 'outgoing')])

    def make_due(self):
        """Let the back-off delay pass."""
        self.queued().scheduled_date = fields.Datetime.now() - datetime.timedelta(seconds=1)

    def test_post_reaches_members_over_smtp(self):
        msg_id = self.post()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(sink.recipients(), MEMBERS, 'every member but the author, one message each')
        self.assertEqual(len(sink.messages), len(MEMBERS))
        for item in sink.messages:
            message = item['message']
            rcpt = item['rcpt_tos'][0]
            self.assertEqual(message['To'], rcpt)
            self.assertEqual(message['Subject'], 'Over the wire')
            self.assertEqual(message['Message-Id'], msg_id)
            self.assertEqual(message['List-Id'], '"E2E List" <e2e.lists.e2e.example.com>')
            self.assertEqual(message['List-Post'], '<mailto:e2e@lists.e2e.example.com>')
            self.assertEqual(message['Precedence'], 'list')
            self.assertEqual(message['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click')
            unsubscribe_url = self.group._get_email_unsubscribe_url(rcpt)
            self.assertEqual(message['List-Unsubscribe'],
                             f'<{unsubscribe_url}>',
                             'one unfolded line, as mail clients parse it')
            self.assertIn('e2e@lists.e2e.example.com', message['Reply-To'])
            member = self.members.filtered(lambda m: m.email == rcpt)
            self.assertEqual(item['mail_from'], self.verp(member), 'the bounce address names the member (VERP), signed')
            self.assertRegex(item['mail_from'], rf'^bounce\+mg{member.id}-[0-9a-f]{{16}}@lists\.e2e\.example\.com$')
            html = message.get_body(('html',)).get_content()
            text = message.get_body(('plain',)).get_content()
            self.assertIn('Hello SMTP', html)
            self.assertIn('o_mg_message_footer', html)
            self.assertIn(unsubscribe_url.replace('&', '&amp;'), html, "the member's own link, not another's")
            self.assertIn(unsubscribe_url, text)
            settings_url = self.group._get_delivery_settings_url(rcpt)
            self.assertIn(settings_url, text)
            self.assertIn(settings_url.replace('&', '&amp;'), html)
            for other in MEMBERS:
                if other == rcpt:
                    continue
                for url in (self.group._get_email_unsubscribe_url(other), self.group._get_delivery_settings_url(other)):
                    token = url.rsplit('token=', 1)[1]
                    self.assertNotIn(token, html + text + message['List-Unsubscribe'],
                                     "another member's signed link must never leak")
            self.assertEqual(message.get_content_type(), 'multipart/alternative')
        self.assertFalse(self.env['mail.mail'].sudo().search([('mail_group_post', '=', True)]),
                         'sent copies are deleted from the queue')
        self.assertEqual(self.env['mail.group.message'].search([('mail_group_id', '=', self.group.id)]).moderation_status,
                         'accepted')

    def test_server_down_then_recovers(self):
        self.post()
        self.run_queue()  # nothing listens on the port
        queued = self.queued()
        self.assertEqual(len(queued), len(MEMBERS), 'nothing lost while the server is down')
        self.assertEqual(set(queued.mapped('mail_group_attempts')), {1})
        self.assertTrue(all(mail.scheduled_date > fields.Datetime.now() for mail in queued), 'retried with back-off')
        self.assertIn('Temporary failure', queued[0].failure_reason)
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
            self.assertFalse(sink.messages, 'nothing is sent before the back-off delay')
            self.make_due()
            self.run_queue()
        self.assertEqual(sink.recipients(), MEMBERS, 'each member once after recovery')
        self.assertFalse(self.queued())

    def test_temporary_and_permanent_refusals(self):
        self.post()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            sink.handler.refuse = {MEMBERS[1]: '450 mailbox busy', MEMBERS[2]: '550 no such user'}
            self.run_queue()
            self.assertEqual(sink.recipients(), [m for m in MEMBERS if m not in MEMBERS[1:3]])
            retried = self.queued()
            self.assertEqual(retried.mapped('email_to'), [MEMBERS[1]], '4xx: kept in the queue')
            failed = self.env['mail.mail'].sudo().search([('mail_group_post', '=', True), ('state', '=', 'exception')])
            self.assertEqual(failed.mapped('email_to'), [MEMBERS[2]], '5xx: a visible permanent failure')
            self.assertIn('550', failed.failure_reason)
            member = self.members.filtered(lambda m: m.email == MEMBERS[2])
            self.assertEqual(member.bounce_count, 1, 'recorded against the member')
            self.assertTrue(member.last_bounce_date)
            sink.handler.refuse = {}
            self.make_due()
            self.run_queue()
        self.assertEqual(sink.recipients(), sorted(m for m in MEMBERS if m != MEMBERS[2]), 'nobody twice')

    def test_refused_members_are_probed_then_turned_off(self):
        """Past the threshold, a probe goes from its own signed address; when
        the server refuses it too, or it bounces later, delivery stops."""
        self.env['ir.config_parameter'].set_param('website_mail_group.bounce_score_threshold', 1)
        refused, bouncing = (self.members.filtered(lambda m: m.email == email) for email in MEMBERS[1:3])
        self.post()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            sink.handler.refuse = {MEMBERS[1]: '550 no such user', MEMBERS[2]: '550 over quota'}
            self.run_queue()
            self.assertFalse((refused | bouncing).filtered('delivery_disabled_date'), 'not before a probe')
            self.assertTrue(all((refused | bouncing).mapped('bounce_probe_date')))
            sink.handler.refuse = {MEMBERS[1]: '550 no such user'}
            self.run_queue()
        self.assertTrue(refused.delivery_disabled_date, 'the probe was refused too')
        probe = sink.messages[-1]
        self.assertEqual(probe['rcpt_tos'], [MEMBERS[2]])
        self.assertRegex(probe['mail_from'], rf'^bounce\+mgp{bouncing.id}-[0-9a-f]{{16}}@lists\.e2e\.example\.com$')
        self.assertFalse(bouncing.delivery_disabled_date, 'the probe was taken')
        raw = raw_mail('MAILER-DAEMON@mx.example.net', probe["mail_from"], 'Undeliverable', 'Mailbox full.',
                       message_id='<probe-bounce@mx.example.net>', content_type='text/plain')
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw)
        self.assertTrue(bouncing.delivery_disabled_date, 'the probe bounced later')
        self.assertEqual(len(sink.messages), len(MEMBERS) - 2 + 1, 'one probe, to the member it probes')

    def test_connection_dropped_mid_batch(self):
        self.post()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            sink.handler.drop_after = 2
            self.run_queue()
        self.assertEqual(sink.recipients(), MEMBERS, 'reconnected and finished the batch, nobody twice')
        self.assertFalse(self.queued())

    def test_two_posts_one_session_each_batch(self):
        self.post('First')
        self.post('Second')
        with SmtpSink(self.mail_server.smtp_port) as sink, patch.object(
                IrMailServer, 'connect', autospec=True, side_effect=IrMailServer.connect) as connect:
            self.run_queue()
        self.assertEqual(connect.call_count, 1, 'one SMTP session for the whole batch')
        subjects = sorted(item['message']['Subject'] for item in sink.messages)
        self.assertEqual(subjects, ['First'] * len(MEMBERS) + ['Second'] * len(MEMBERS))

    def verp(self, member):
        secret = self.env['ir.config_parameter'].sudo().get_param('database.secret').encode()
        return bounces.address('bounce@lists.e2e.example.com', secret, member.id)

    def test_plain_bounce_to_member_address_counts(self):
        """A bounce without a standard delivery report, from a mailer daemon,
        still reaches the right member through the signed VERP address it
        was sent to; plain mail to that address counts for nothing."""
        member = self.members.filtered(lambda m: m.email == MEMBERS[3])
        for sender in ('someone@mx.example.net', 'MAILER-DAEMON@mx.example.net'):
            raw = raw_mail(sender, self.verp(member), 'Delivery failure', 'Mailbox does not exist.',
                           message_id=f'<plain-bounce-{sender}>', content_type='text/plain')
            with mute_logger('odoo.addons.mail.models.mail_thread'):
                self.env['mail.thread'].message_process(None, raw)
        self.assertEqual(member.bounce_count, 1)
        self.assertFalse(self.env['mail.group.message'].search([('mail_group_id', '=', self.group.id)]),
                         'a bounce is never posted')

    def test_non_ascii_names_and_bodies(self):
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'email': 'Zoë Ünicode <zoe@members.example.com>'})
        raw = raw_mail('Author <author@example.com>', self.group.alias_email, '=?utf-8?q?=C3=89t=C3=A9?=',
                       'Café crème ☕', message_id='<nonascii@example.com>')
        self.env['mail.thread'].message_process(None, raw)
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        zoe = [item['message'] for item in sink.messages if item['rcpt_tos'] == ['zoe@members.example.com']]
        self.assertEqual(len(zoe), 1)
        self.assertEqual(str(zoe[0]['To']), 'Zoë Ünicode <zoe@members.example.com>')
        self.assertEqual(str(zoe[0]['Subject']), 'Été')
        self.assertIn('Café crème ☕', zoe[0].get_body(('plain',)).get_content())
        self.assertIn('Café crème ☕', zoe[0].get_body(('html',)).get_content())
        self.assertEqual(len(sink.messages), len(MEMBERS) + 1)

    def test_prefix_dmarc_from_and_reply_to(self):
        self.group.write({'subject_prefix': '[E2E]', 'from_policy': 'group', 'reply_to_policy': 'both'})
        self.post('Policies')
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        message = sink.messages[0]['message']
        self.assertEqual(str(message['Subject']), '[E2E] Policies')
        self.assertEqual(str(message['From']), 'Author via E2E List <e2e@lists.e2e.example.com>')
        self.assertEqual(str(message['Reply-To']), 'e2e@lists.e2e.example.com, Author <author@example.com>')
        group_message = self.env['mail.group.message'].search([('mail_group_id', '=', self.group.id)])
        self.assertEqual(group_message.subject, 'Policies', 'the archive keeps the subject as written')

    def test_copy_bytes_arrive_whole_refusals_reported(self):
        """The sender's own SMTP commands (outbound/smtp_send.py): the bytes
        arrive as sent, a line starting with a period included; refused
        recipients raise as smtplib's would, and the session goes on."""
        data = b'From: a@example.com\r\nSubject: dots\r\n\r\n.a line starting with a period\r\n..two\r\n.\r\nend\r\n'
        with SmtpSink(self.mail_server.smtp_port) as sink:
            sink.handler.refuse = {'gone@members.example.com': '550 no such user',
                                   'busy@members.example.com': '450 mailbox busy'}
            smtp = smtplib.SMTP('127.0.0.1', self.mail_server.smtp_port, timeout=30)
            try:
                self.assertEqual(smtp_send.sendmail(smtp, 'bounce@example.com', ['ok@members.example.com'], data), {})
                with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
                    smtp_send.sendmail(smtp, 'bounce@example.com', ['gone@members.example.com'], data)
                self.assertEqual(refused.exception.recipients['gone@members.example.com'][0], 550)
                partly = smtp_send.sendmail(smtp, 'bounce@example.com',
                                            ['busy@members.example.com', 'ok2@members.example.com'], data)
                self.assertEqual(list(partly), ['busy@members.example.com'])
                self.assertEqual(smtp_send.sendmail(smtp, 'bounce@example.com', ['ok3@members.example.com'], data), {})
            finally:
                smtp.quit()
        self.assertEqual([item['rcpt_tos'] for item in sink.messages],
                         [['ok@members.example.com'], ['ok2@members.example.com'], ['ok3@members.example.com']])
        for item in sink.messages:
            self.assertEqual(item['raw'].replace(b'\r\n', b'\n'), data.replace(b'\r\n', b'\n'))


@tagged('post_install', '-at_install')
class TestSmtpDeliveryWithoutPipelining(TestSmtpDelivery):
    """The same, to a server that does not offer PIPELINING: the sender
    then waits for the reply to each command."""

    def setUp(self):
        super().setUp()
        self.patch(_Handler, 'pipelining', False)
