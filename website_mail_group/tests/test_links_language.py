"""Issue 18: the personal links of a copy (footer's unsubscribe, settings and
mute links; the one-click List-Unsubscribe) open in the copy's language,
as its other links do."""
from email.utils import make_msgid

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink
from .test_mail_language import load_french


@tagged('post_install', '-at_install', 'website_mail_group')
class TestPersonalLinksLanguage(SmtpListCase):
    """A website in English with French installed: a French member's links
    carry /fr/, an English member's none."""

    DOMAIN, LIST = 'lists.links-lang.example.com', ('Links List', 'links-lang')
    MEMBERS = ['english@members.example.com']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        lang_fr = load_french(cls.env)
        website = cls.env['mail.group']._mail_group_website()
        website.language_ids |= lang_fr | cls.env.ref('base.lang_en')
        website.default_lang_id = cls.env.ref('base.lang_en')
        cls.partner_fr = cls.env['res.partner'].create(
            {'name': 'Françoise', 'email': 'francoise@example.fr', 'lang': 'fr_FR'})
        cls.member_fr = cls.env['mail.group.member'].create({'mail_group_id': cls.group.id,
                                                             'partner_id': cls.partner_fr.id})

    def test_french_members_links_open_in_french(self):
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw_mail(
                'Author <author@example.com>', self.group.alias_email, 'Bonjour', 'Hello list',
                message_id=make_msgid(domain='example.com'), content_type='text/plain'))
        base = self.group.get_base_url()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        received = {item['rcpt_tos'][0]: item['message'] for item in sink.messages}
        self.assertEqual(sorted(received), ['english@members.example.com', 'francoise@example.fr'])

        french = received['francoise@example.fr']
        html = french.get_body(('html',)).get_content().replace('&amp;', '&')
        for path in ('unsubscribe_oneclick?member=', 'delivery?member=', 'topic?member='):
            self.assertIn(f'{base}/fr/group/{self.group.id}/{path}{self.member_fr.id}', html, path)
        self.assertIn(f'{base}/fr/groups/{self.group.id}', html, 'the group page too')
        self.assertTrue(french['List-Unsubscribe'].startswith(f'<{base}/fr/group/{self.group.id}/unsubscribe_oneclick?'),
                        french['List-Unsubscribe'])

        english = received['english@members.example.com']
        html = english.get_body(('html',)).get_content()
        self.assertIn(f'{base}/group/{self.group.id}/unsubscribe_oneclick?member=', html)
        self.assertNotIn('/fr/', html)
        self.assertTrue(english['List-Unsubscribe'].startswith(f'<{base}/group/{self.group.id}/unsubscribe_oneclick?'))

    def test_queued_copy_shows_its_languages_links(self):
        """The back office reads a queued copy's headers and footer with the
        same links as its member receives."""
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw_mail(
                'Author <author@example.com>', self.group.alias_email, 'Queued', 'Hello list',
                message_id=make_msgid(domain='example.com'), content_type='text/plain'))
        self.env.invalidate_all()
        copies = {mail.email_to: mail for mail in self.env['mail.mail'].sudo().search(
            [('mail_group_member_ref', 'in', self.group.member_ids.ids), ('subject', '=', 'Queued')])}
        base = self.group.get_base_url()
        self.assertIn(f"<{base}/fr/group/{self.group.id}/unsubscribe_oneclick", copies[self.partner_fr.email].headers)
        self.assertNotIn('/fr/', copies['english@members.example.com'].headers)
        self.assertIn(f'{base}/fr/group/{self.group.id}/unsubscribe_oneclick',
                      copies[self.partner_fr.email].body_content.replace('&amp;', '&'))
