"""Paths through a real SMTP server (tests/smtp_server.py): the copy a
member receives comes back to the gateway, a 4xx that never ends, a file
of a post, a member turning delivery back on."""
import base64
import datetime
from email.utils import make_msgid

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.website_mail_group.outbound import smtp_errors

from .common import SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink

MEMBERS = ['ann@members.example.com', 'ben@members.example.com']


@tagged('post_install', '-at_install')
class TestSmtpFlows(SmtpListCase):

    DOMAIN, LIST = 'lists.flows.example.com', ('Flows List', 'flows')
    MEMBERS = MEMBERS + ['author@example.com']

    def process(self, raw):
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            return self.env['mail.thread'].message_process(None, raw)

    def post(self):
        msg_id = make_msgid(domain='example.com')
        self.process(raw_mail('Author <author@example.com>', self.group.alias_email, 'Loop me', 'Hello list',
                              message_id=msg_id, content_type='text/plain'))
        return msg_id

    def stored(self):
        return self.env['mail.group.message'].search([('mail_group_id', '=', self.group.id)])

    def queued(self):
        return self.env['mail.mail'].sudo().search([('mail_group_post', '=', True), ('state', '=', 'outgoing')])

    def test_copy_fed_back_to_the_gateway_is_discarded(self):
        """A member forwarding list mail back to the list (an auto-forward,
        another list, a misconfigured client) makes no second post."""
        msg_id = self.post()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.env['mail.mail'].sudo().process_email_queue()
        received = next(item for item in sink.messages if item['rcpt_tos'] == [MEMBERS[0]])
        self.assertEqual(received['message']['X-Loop'], self.group.alias_email)
        self.assertEqual(received['message']['List-Id'], '"Flows List" <flows.lists.flows.example.com>')
        # forwarded to the list: the MTA names the list as envelope recipient
        raw = f'Delivered-To: {self.group.alias_email}\r\n'.encode() + received['raw']
        renamed = make_msgid(domain='forwarder.example.net')  # as a forwarder that rewrites the Message-ID
        variants = {
            'as received': raw,
            'new Message-ID': raw.replace(msg_id.encode(), renamed.encode()),
            # only X-Loop left to recognize it (List-Id and Precedence dropped on the way)
            'new Message-ID, X-Loop only': b'\r\n'.join(
                line for line in raw.replace(msg_id.encode(), renamed.encode()).split(b'\r\n')
                if not line.lower().startswith((b'list-id:', b'precedence:'))),
        }
        self.assertNotEqual(variants['new Message-ID'], raw)
        for label, variant in variants.items():
            self.process(variant)
            self.assertEqual(len(self.stored()), 1, f'{label}: no second post')
            self.assertFalse(self.queued(), f'{label}: nothing queued again')

    def test_temporary_failure_that_never_ends(self):
        """README: a 4xx is retried with back-off, at most 8 attempts; then
        the mail is a visible failure, which blames nobody (only a 5xx
        refusing the recipient counts against the member)."""
        self.post()
        member = self.members.filtered(lambda m: m.email == MEMBERS[1])
        with SmtpSink(self.mail_server.smtp_port) as sink:
            sink.handler.refuse = {MEMBERS[1]: '451 try again later'}
            for attempt in range(1, smtp_errors.MAX_ATTEMPTS + 1):
                self.env['mail.mail'].sudo().process_email_queue()
                mail = self.env['mail.mail'].sudo().search([('email_to', '=', MEMBERS[1])])
                self.assertEqual(mail.mail_group_attempts, attempt)
                if attempt < smtp_errors.MAX_ATTEMPTS:
                    self.assertEqual(mail.state, 'outgoing', f'attempt {attempt}: kept in the queue')
                    self.assertGreater(mail.scheduled_date, fields.Datetime.now(), 'retried later')
                    self.assertEqual(member.bounce_count, 0, 'a temporary failure is no bounce')
                    mail.scheduled_date = fields.Datetime.now() - datetime.timedelta(seconds=1)
        self.assertEqual(mail.state, 'exception', 'given up after the last attempt')
        self.assertIn('451', mail.failure_reason)
        self.assertEqual((member.bounce_count, member.delivery_disabled_date), (0, False),
                         'a temporary failure, however long, is not counted against the member')
        self.assertEqual(sink.recipients(), [MEMBERS[0]], 'the other member got the post once')

    def test_attachment_reaches_every_member(self):
        """A file of a post leaves in each member's copy (the per-post byte
        template, personalised per member), byte for byte."""
        content = bytes(range(256)) * 4
        boundary = 'wmg-attachment-boundary'
        body = (f'--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe report is attached.\r\n'
                f'--{boundary}\r\nContent-Type: application/octet-stream; name="report.bin"\r\n'
                'Content-Disposition: attachment; filename="report.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
                + base64.encodebytes(content).decode().replace('\n', '\r\n') + f'\r\n--{boundary}--\r\n')
        self.process(raw_mail('Author <author@example.com>', self.group.alias_email, 'Monthly report', body,
                              content_type=f'multipart/mixed; boundary="{boundary}"'))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.env['mail.mail'].sudo().process_email_queue()
        self.assertEqual(sorted(sink.recipients()), sorted(MEMBERS))
        for item in sink.messages:
            files = [part for part in item['message'].walk() if part.get_filename() == 'report.bin']
            self.assertEqual(len(files), 1, f'{item["rcpt_tos"]}: one attachment')
            self.assertEqual(files[0].get_payload(decode=True), content)
            self.assertEqual(item['message']['List-Unsubscribe'],
                             f"<{self.group._get_email_unsubscribe_url(item['rcpt_tos'][0])}>", 'the copy is the member\'s own')

    def test_member_turns_delivery_back_on_between_warnings(self):
        """A member whose delivery was stopped and who turns it back on (the
        settings page) gets no more warnings, is not removed, and receives posts."""
        member = self.members.filtered(lambda m: m.email == MEMBERS[1])
        settings = member._bounce_settings()
        member.write({'delivery_disabled_date': fields.Datetime.now(), 'bounce_warnings_sent': 1,
                      'last_bounce_warning_date': fields.Datetime.now()})
        member._enable_delivery()  # what saving the delivery settings page does
        later = fields.Datetime.now() + datetime.timedelta(days=settings['interval_days'] * settings['warnings'] + 1)
        warnings_before = self.env['mail.mail'].sudo().search_count([('email_to', 'ilike', MEMBERS[1])])
        with freeze_time(later):
            self.env['mail.group.member']._cron_process_bounces()
        self.assertTrue(member.exists(), 'not removed')
        self.assertEqual(self.env['mail.mail'].sudo().search_count([('email_to', 'ilike', MEMBERS[1])]),
                         warnings_before, 'no further warning')
        self.post()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.env['mail.mail'].sudo().process_email_queue()
        self.assertIn(MEMBERS[1], sink.recipients())
