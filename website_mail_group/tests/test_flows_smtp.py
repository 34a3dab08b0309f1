"""Paths through a real SMTP server (tests/smtp_server.py): the copy a
member receives comes back to the gateway, and a 4xx that never ends."""
import datetime
from email.utils import make_msgid

from odoo import fields
from odoo.addons.website_mail_group.outbound import smtp_errors
from odoo.tests import tagged
from odoo.tools import mute_logger

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
