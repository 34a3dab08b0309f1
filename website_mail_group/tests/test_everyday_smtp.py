"""What a member notices in the copies over a real SMTP connection: the
author's plain text kept, paragraphs and signatures intact, the author
reachable behind a relay that sends only from the list's domain, and
digests made of real messages."""
import datetime
import email
import email.policy
from email.utils import make_msgid

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug

from .common import SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink

SIGNED_TEXT = 'Hello\n\nSecond paragraph\n\n-- \nAlice'
DOMAIN = 'lists.everyday.example.com'


@tagged('post_install', '-at_install')
class TestEverydaySmtp(SmtpListCase):

    DOMAIN, LIST = DOMAIN, ('Everyday', 'everyday')
    MEMBERS = ['bob@members.example.com', 'alice@example.com']

    def post(self, body, content_type='text/plain; charset=utf-8', subject='Hello list', extra_headers=''):
        msg_id = make_msgid(domain='example.com')
        self.env['mail.thread'].message_process(None, raw_mail(
            'Alice <alice@example.com>', self.group.alias_email, subject, body, message_id=msg_id,
            headers=extra_headers, content_type=content_type))
        return msg_id

    def alternative(self, text, html):
        """``post`` arguments of a text and HTML post."""
        return dict(content_type='multipart/alternative; boundary="b1"', body=(
            f'--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n'
            f'--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--b1--\r\n'))

    def deliver(self):
        with SmtpSink(self.mail_server.smtp_port) as sink, \
                mute_logger('odoo.addons.mail.models.mail_mail', 'odoo.addons.website_mail_group.models.mail_mail_sending'):
            self.env['mail.mail'].sudo().process_email_queue()
        return sink

    def only_message(self, sink, rcpt='bob@members.example.com'):
        messages = [item for item in sink.messages if item['rcpt_tos'] == [rcpt]]
        self.assertEqual(len(messages), 1, f'one message to {rcpt}')
        return messages[0]['message']

    # ------------------------------------------------------------
    # plain text
    # ------------------------------------------------------------

    def test_author_plain_text_reaches_members_as_written(self):
        self.post(**self.alternative(SIGNED_TEXT.replace('\n', '\r\n'),
                                     '<div>Hello<br><br>Second paragraph</div><div>--<br>Alice</div>'))
        message = self.only_message(self.deliver())
        text = message.get_body(('plain',)).get_content().replace('\r\n', '\n')
        self.assertTrue(text.startswith(SIGNED_TEXT + '\n\n-- \n'), f'the author\'s own text, then our footer: {text!r}')
        unsubscribe = self.group._get_email_unsubscribe_url('bob@members.example.com')
        self.assertIn(unsubscribe, text.split(SIGNED_TEXT, 1)[1], "the member's links in the footer after it")

    def test_html_post_converted_with_paragraphs_and_signature(self):
        self.post('<p>Hello</p><p>Second paragraph</p><p>-- <br>Alice</p>\r\n', 'text/html; charset=utf-8')
        message = self.only_message(self.deliver())
        text = message.get_body(('plain',)).get_content().replace('\r\n', '\n')
        self.assertTrue(text.startswith(SIGNED_TEXT + '\n\n-- \n'), text)

    def test_plain_post_wraps_in_html(self):
        long_line = 'word ' * 60
        self.post(f'Hello <team>\r\n\r\n{long_line}\r\n  indented\r\n')
        post = self.env['mail.group.message'].search([('mail_group_id', '=', self.group.id)])
        self.assertNotIn('<pre', post.body, 'no fixed-width block that overflows on phones')
        self.assertIn('<p>Hello &lt;team&gt;</p>', post.body, 'paragraphs, escaped')
        self.assertIn('<br>&nbsp;&nbsp;indented', post.body, 'line breaks and indentation kept')
        html = self.only_message(self.deliver()).get_body(('html',)).get_content()
        self.assertNotIn('<pre', html)
        self.assertIn('Hello &lt;team&gt;', html)

    def test_quoted_footer_in_plain_text_is_not_redistributed(self):
        """A reply quoting the text footer of its copy carries the replier's
        personal links: those lines are dropped, in the text and HTML parts,
        for plain replies and for replies with an HTML part."""
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'email': 'carol@members.example.com'})
        bob = self.members.filtered(lambda member: member.email == 'bob@members.example.com')
        links = self.group._member_links_builder()(bob.id, bob.email_normalized)
        tokens = [url.rsplit('token=', 1)[1] for url in links.values()]
        quoted = f'My answer\r\n\r\n> -- \r\n> Unsubscribe: {links["unsubscribe"]}\r\n> [3] {links["settings"]}'
        self.post(**self.alternative(quoted, '<p>My answer</p>'), subject='With HTML')
        self.post(f'{quoted}\r\n', subject='Plain only')
        copies = [item['message'] for item in self.deliver().messages if item['rcpt_tos'] != ['bob@members.example.com']]
        self.assertEqual(len(copies), 2)
        for message in copies:
            for part in (message.get_body(('plain',)), message.get_body(('html',))):
                content = part.get_content()
                self.assertIn('My answer', content)
                self.assertFalse([token for token in tokens if token in content], "bob's links never reach others")

    # ------------------------------------------------------------
    # From behind a relay limited to the list's domain
    # ------------------------------------------------------------

    def test_relay_limited_to_list_domain_sends_author_via_group(self):
        via = f'"Author via Everyday" <everyday@{DOMAIN}>'
        self.assertEqual(self.group.copies_from_display, via,
                         'a server without from_filter: Odoo sends from its notifications address')
        self.mail_server.from_filter = DOMAIN
        self.assertEqual(self.group.copies_from_display, via)
        for policy, reply_to, cc in (
                ('list', f'everyday@{DOMAIN}', 'Alice <alice@example.com>'),
                ('author', 'Alice <alice@example.com>', None),
                ('both', f'everyday@{DOMAIN}, Alice <alice@example.com>', None)):
            self.group.reply_to_policy = policy
            self.post('Hi\r\n', 'text/plain', subject=f'Policy {policy}')
            sink = self.deliver()
            self.assertEqual(sink.recipients(), ['bob@members.example.com'], 'the Cc is a header, not a recipient')
            message = self.only_message(sink)
            self.assertEqual(str(message['From']), f'Alice via Everyday <everyday@{DOMAIN}>')
            self.assertEqual(str(message['Reply-To']), reply_to)
            self.assertEqual(message['Cc'] and str(message['Cc']), cc, 'reply-all reaches the author')

    def test_relay_accepting_the_author_keeps_the_author(self):
        self.mail_server.from_filter = f'{DOMAIN},example.com'
        self.assertEqual(self.group.copies_from_display,
                         f'"Author via Everyday" <everyday@{DOMAIN}>; authors at example.com keep their own address')
        self.post('Hi\r\n', 'text/plain')
        message = self.only_message(self.deliver())
        self.assertEqual(str(message['From']), 'Alice <alice@example.com>')
        self.assertEqual(str(message['Reply-To']), f'everyday@{DOMAIN}')
        self.assertIsNone(message['Cc'])

    # ------------------------------------------------------------
    # MIME digests
    # ------------------------------------------------------------

    def test_digest_is_a_mime_digest_of_the_posts(self):
        member = self.group.member_ids.filtered(lambda m: m.email == 'bob@members.example.com')
        member.delivery_mode = 'daily'
        start = fields.Datetime.now()
        with freeze_time(start):
            self.group.digest_daily_last_date = start
        with freeze_time(start + datetime.timedelta(hours=1)):
            first = self.post('First post\r\n', 'text/plain', subject='First')
            second = self.post('Second post\r\n', 'text/plain', subject='Re: First',
                               extra_headers=f'In-Reply-To: {first}\r\nReferences: {first}\r\n')
        with freeze_time(start + datetime.timedelta(days=1)):
            self.env['mail.group']._cron_send_digests()
        message = self.only_message(self.deliver())
        self.assertEqual(message.get_content_type(), 'multipart/mixed')
        summary, digest = message.get_payload()
        self.assertEqual(summary.get_content_type(), 'multipart/alternative', 'the summary comes first')
        html = summary.get_body(('html',)).get_content()
        posts = self.env['mail.group.message'].search([('mail_group_id', '=', self.group.id)], order='id')
        for post in posts:
            self.assertIn(f'/groups/{slug(self.group)}/{slug(post)}', html, 'a link to each post')
        self.assertEqual(digest.get_content_type(), 'multipart/digest')
        items = digest.get_payload()
        self.assertEqual([item.get_content_type() for item in items], ['message/rfc822'] * 2)
        inner = [item.get_payload()[0] for item in items]
        self.assertEqual([m['Message-ID'] for m in inner], [first, second])
        self.assertEqual([str(m['Subject']) for m in inner], ['First', 'Re: First'])
        self.assertEqual(inner[1]['In-Reply-To'], first)
        self.assertEqual(str(inner[0]['From']), 'Alice <alice@example.com>')
        self.assertTrue(inner[0]['Date'])
        self.assertIn('First post', inner[0].get_body(('plain',)).get_content())
        reparsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.SMTP)
        self.assertEqual(len(reparsed.get_payload()[1].get_payload()), 2)
