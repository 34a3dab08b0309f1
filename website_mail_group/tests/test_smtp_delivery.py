from email.utils import make_msgid
from unittest.mock import patch

from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .smtp_server import SmtpSink


@tagged('post_install', '-at_install')
class TestSmtpDelivery(TransactionCase):
    """A post enters through the gateway as raw RFC 822 text and leaves
    through a real SMTP connection to a local server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env['mail.alias.domain'].create({
            'name': 'lists.e2e.example.com', 'bounce_alias': 'bounce', 'catchall_alias': 'catchall'})
        cls.env.company.alias_domain_id = cls.alias_domain
        cls.env['ir.mail_server'].search([]).active = False
        cls.group = cls.env['mail.group'].create({'name': 'E2E List', 'alias_name': 'e2e'})
        cls.env['mail.group.member'].create([
            {'mail_group_id': cls.group.id, 'email': f'member{index}@members.example.com'} for index in range(5)
        ] + [{'mail_group_id': cls.group.id, 'email': 'author@example.com'}])

    def test_post_reaches_members_over_smtp(self):
        msg_id = make_msgid(domain='example.com')
        raw = (
            f'From: Author <author@example.com>\r\nTo: {self.group.alias_email}\r\n'
            f'Subject: Over the wire\r\nMessage-ID: {msg_id}\r\nContent-Type: text/plain\r\n\r\nHello SMTP\r\n'
        )
        self.env['mail.thread'].message_process(None, raw.encode())
        with SmtpSink() as sink, patch.object(IrMailServer, '_is_test_mode', lambda self: False), \
                mute_logger('odoo.addons.mail.models.mail_mail'):
            self.env['ir.mail_server'].create({
                'name': 'local sink', 'smtp_host': '127.0.0.1', 'smtp_port': sink.port, 'smtp_encryption': 'none'})
            self.env['mail.mail'].sudo().process_email_queue()
            received = list(sink.messages)

        recipients = sorted(rcpt for item in received for rcpt in item['rcpt_tos'])
        self.assertEqual(recipients, [f'member{index}@members.example.com' for index in range(5)],
                         'every member but the author, one message each')
        for item in received:
            message = item['message']
            rcpt = item['rcpt_tos'][0]
            self.assertEqual(message['Subject'], 'Over the wire')
            self.assertEqual(message['Message-Id'], msg_id)
            self.assertEqual(message['List-Id'], '"E2E List" <e2e.lists.e2e.example.com>')
            self.assertEqual(message['List-Post'], '<mailto:e2e@lists.e2e.example.com>')
            self.assertEqual(message['Precedence'], 'list')
            self.assertEqual(message['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click')
            self.assertEqual(message['List-Unsubscribe'], f'<{self.group._get_email_unsubscribe_url(rcpt)}>')
            self.assertIn('e2e@lists.e2e.example.com', message['Reply-To'])
            self.assertTrue(item['mail_from'].startswith('bounce'), 'bounces come back to the bounce alias')
            html = message.get_body(('html',)).get_content()
            self.assertIn('Hello SMTP', html)
            self.assertIn('o_mg_message_footer', html)
        self.assertFalse(self.env['mail.mail'].sudo().search([('state', '=', 'outgoing')]), 'the queue is empty')
        self.assertEqual(self.env['mail.group.message'].search([('mail_group_id', '=', self.group.id)]).moderation_status,
                         'accepted')
