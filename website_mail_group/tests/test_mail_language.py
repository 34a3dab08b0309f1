"""Each mail speaks its recipient's language, whatever the session sending
it: a partner's own, else the language of the address's partner, else the
default language of the website (models/mail_group_language.py)."""
import re
from datetime import timedelta
from email.utils import make_msgid

from odoo import fields, tools
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MailGroupCommon, SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink
from .test_website import WebsiteMailGroupCase

FRENCH_FOOTER = ('Se désabonner', 'Écrire au groupe', 'Page du groupe')
ENGLISH_FOOTER = ('Unsubscribe', 'Post to the group', 'Group page')


def load_french(env):
    """French active and our fr.po loaded: the module's terms only (well
    under a second), not the whole of Odoo's French."""
    lang = env['res.lang']._activate_lang('fr_FR')
    env['ir.module.module']._load_module_terms(['website_mail_group'], ['fr_FR'], overwrite=True)
    return lang


@tagged('post_install', '-at_install', 'website_mail_group')
class TestMailLanguage(SmtpListCase):
    """A website whose default language is French; the session sending
    (the mail gateway, the cron) speaks English."""

    DOMAIN, LIST = 'lists.lang.example.com', ('Language List', 'lang')
    MEMBERS = ['solo@members.example.com', 'author@example.com']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lang_fr = load_french(cls.env)
        Website = cls.env['website']
        website = Website.search([('company_id', '=', cls.env.company.id)], limit=1) or Website.search([], limit=1)
        website.language_ids |= cls.lang_fr
        website.default_lang_id = cls.lang_fr
        cls.partner_fr, cls.partner_en = cls.env['res.partner'].create([
            {'name': 'Françoise Lefèvre', 'email': 'francoise@example.fr', 'lang': 'fr_FR'},
            {'name': 'Emily English', 'email': 'emily@example.co.uk', 'lang': 'en_US'},
        ])
        cls.env['mail.group.member'].create([
            {'mail_group_id': cls.group.id, 'partner_id': partner.id} for partner in cls.partner_fr | cls.partner_en])
        cls.env = cls.env(context=dict(cls.env.context, lang='en_US'))

    def post(self, subject, author='Author <author@example.com>'):
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw_mail(
                author, self.group.alias_email, subject, 'Hello list',
                message_id=make_msgid(domain='example.com'), content_type='text/plain'))

    def html_of(self, item):
        return item['message'].get_body(('html',)).get_content()

    def test_each_copy_has_its_members_footer(self):
        self.post('Bonjour')
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(sink.recipients(), ['emily@example.co.uk', 'francoise@example.fr', 'solo@members.example.com'])
        received = {item['rcpt_tos'][0]: self.html_of(item) for item in sink.messages}
        for french in ('francoise@example.fr', 'solo@members.example.com'):  # a partner's language, the website's
            for words in FRENCH_FOOTER:
                self.assertIn(words, received[french], french)
            self.assertNotIn('Unsubscribe', received[french])
        for words in ENGLISH_FOOTER:
            self.assertIn(words, received['emily@example.co.uk'])
        self.assertNotIn('Se désabonner', received['emily@example.co.uk'])
        for html in received.values():
            self.assertIn('Hello list', html)

    def test_footer_says_why_each_member_receives_it(self):
        """Every copy's footer, in its HTML and text parts, tells its member
        why they receive it, in their language; the footer is still one per
        post and language, not one per member."""
        self.post('Why me')
        post = self.env['mail.group.message'].search([('mail_group_id', '=', self.group.id)])
        bodies = self.env['mail.group.copy.body'].sudo().search([('mail_message_id', '=', post.mail_message_id.id)])
        self.assertEqual(len(bodies), 2, 'one body per language (English, French) for the three members')
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        reasons = {'You receive this because you are subscribed to Language List.': ['emily@example.co.uk'],
                   'Vous recevez ce message car votre adresse est abonnée à Language List.':
                       ['francoise@example.fr', 'solo@members.example.com']}
        for reason, recipients in reasons.items():
            for item in sink.messages:
                message = item['message']
                text = message.get_body(('plain',)).get_content().replace('\r\n', '\n')
                parts = [message.get_body(('html',)).get_content(), text, text.rsplit('\n-- \n', 1)[-1]]
                texts = [' '.join(part.replace('&#39;', "'").split()) for part in parts]
                if item['rcpt_tos'][0] in recipients:
                    # the HTML part, the text part, the text footer after its separator
                    self.assertTrue(all(reason in text for text in texts), f'{reason} in {texts[1]!r}')
                else:
                    self.assertFalse(any(reason in text for text in texts), f"not in {item['rcpt_tos']}'s language")

    def test_digest_in_each_members_language(self):
        self.group.member_ids.delivery_mode = 'daily'
        self.post('Digest me')
        self.group._send_digest('daily', fields.Datetime.now() + timedelta(minutes=1))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        subjects = {item['rcpt_tos'][0]: item['message']['Subject'] for item in sink.messages}
        self.assertEqual(len(subjects), 4)
        for french in ('francoise@example.fr', 'solo@members.example.com'):
            self.assertIn('Language List : Résumé quotidien, 1 message', subjects[french])
            self.assertNotIn('1 messages', subjects[french])
        self.assertEqual(subjects['emily@example.co.uk'], 'Language List: Daily digest, 1 message')

    def test_refused_author_told_in_their_partners_language(self):
        """A non-member's post refused: the notice speaks the language of
        the partner with the author's address."""
        self.group.nonmember_action = 'reject'
        self.env['res.partner'].create({'name': 'Jean', 'email': 'jean@example.fr', 'lang': 'fr_FR'})
        self.env['res.partner'].create({'name': 'Jim', 'email': 'jim@example.com', 'lang': 'en_US'})
        self.post('Let me in', author='Jean <jean@example.fr>')
        self.post('Let me in', author='Jim <jim@example.com>')
        notices = {tools.email_normalize(mail.email_to): mail for mail in self.env['mail.mail'].sudo().search(
            [('subject', 'in', ('Votre message à Language List', 'Your message to Language List'))])}
        self.assertEqual(notices['jean@example.fr'].subject, 'Votre message à Language List')
        self.assertIn("n'a pas été distribué", notices['jean@example.fr'].body_html.replace('&#39;', "'"))
        self.assertEqual(notices['jim@example.com'].subject, 'Your message to Language List')

    def queries_to_notify(self, member_count, index):
        """Queries of a fan-out to ``member_count`` members, half of them
        French partners, half addresses (the website's language, French)
        and one English partner."""
        group = self.env['mail.group'].create({'name': f'Cost {index}', 'alias_name': f'lang-cost-{index}'})
        partners = self.env['res.partner'].create([
            {'name': f'P{n}', 'email': f'p{n}@cost{index}.example.fr', 'lang': 'fr_FR'}
            for n in range(member_count // 2)])
        self.env['mail.group.member'].create(
            [{'mail_group_id': group.id, 'partner_id': partner.id} for partner in partners | self.partner_en]
            + [{'mail_group_id': group.id, 'email': f'a{n}@cost{index}.example.com'}
               for n in range(member_count - member_count // 2)])
        post = self.env['mail.group.message'].browse(group.message_post(
            body='<p>Cost</p>', subject='Cost', email_from='author@example.com',
            message_id=make_msgid(domain='cost.example.com')).mail_group_message_ids.ids)
        copies = self.env['mail.mail'].sudo().search([('mail_message_id', '=', post.mail_message_id.id)])
        copies.unlink()
        self.env.flush_all()
        self.env.invalidate_all()
        self.env.user.company_id  # noqa: B018 (see TestFanOutCost)
        before = self.env.cr.sql_log_count
        group._notify_members(post)
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - before
        copies = self.env['mail.mail'].sudo().search([('mail_message_id', '=', post.mail_message_id.id)])
        self.assertEqual(len(copies), member_count + 1, 'every member gets a copy')
        self.assertEqual(len(set(copies.mapped('body_html'))), 2, 'one body per language')
        return queries

    def test_fan_out_queries_do_not_grow_with_members(self):
        self.queries_to_notify(6, 'warm')  # templates compiled in both languages, caches filled
        self.assertEqual(self.queries_to_notify(40, 'n'), self.queries_to_notify(80, '2n'))


@tagged('post_install', '-at_install', 'website_mail_group')
class TestModeratorLanguage(MailGroupCommon):
    """Moderators read alerts and reminders in their own language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_french(cls.env)
        cls.moderator_fr = mail_new_test_user(
            cls.env, login='lang_moderator_fr', groups='base.group_user', name='Marie Modératrice',
            email='marie@moderation.example.fr', notification_type='email', lang='fr_FR')
        cls.user_moderator.lang = 'en_US'
        cls.group_moderated.moderator_ids |= cls.moderator_fr

    def notifications(self, model):
        """Subject of each moderator's notification, by moderator."""
        messages = self.env['mail.message'].sudo().search(
            [('model', '=', model), ('message_type', '=', 'user_notification')])
        return {user: messages.filtered(lambda m: user.partner_id in m.partner_ids).mapped('subject')
                for user in (self.moderator_fr, self.user_moderator)}

    def test_alert_and_reminder_in_each_moderators_language(self):
        with self.mock_mail_gateway(), mute_logger('odoo.addons.mail.models.mail_thread'):
            self.post_raw(self.group_moderated, 'Author <author@example.com>', subject='Held')
        self.assertEqual(self.notifications('mail.group.message'), {
            self.moderator_fr: ['À modérer dans Moderated List : Held'],
            self.user_moderator: ['To review in Moderated List: Held'],
        })
        with self.mock_mail_gateway():
            self.group_moderated._notify_moderators()
        self.assertEqual(self.notifications('mail.group'), {
            self.moderator_fr: ['Des messages attendent une modération dans Moderated List'],
            self.user_moderator: ['Messages are pending moderation in Moderated List'],
        })


@tagged('post_install', '-at_install', 'website_mail_group')
class TestConfirmationLanguage(WebsiteMailGroupCase):
    """The website speaks English by default; a French partner subscribes
    from an English page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lang_fr = load_french(cls.env)
        cls.env['website'].get_current_website().language_ids |= cls.lang_fr
        cls.partner_fr = cls.env['res.partner'].create({
            'name': 'Françoise Lefèvre', 'email': 'francoise@example.fr', 'lang': 'fr_FR'})

    def request_confirmation(self, email, page=''):
        self.make_jsonrpc_request(f'{page}/group/subscribe', {
            'group_id': self.group_public.id, 'email': email, 'action': 'subscribe'})
        self.env.invalidate_all()
        return self.env['mail.mail'].sudo().search([('email_to', '=', email)])

    def test_confirmation_in_the_partners_language(self):
        """From an English page, a French partner's address: French."""
        mail = self.request_confirmation(self.partner_fr.email)
        self.assertEqual(mail.mapped('subject'), ['Confirmez votre abonnement à Open Source Talk'])
        self.assertIn("Confirmer l'abonnement", mail.body_html)
        self.assertNotIn('Confirm subscription', mail.body_html)

    def test_links_open_in_the_mails_language(self):
        """An address typed on /fr/groups: the link of the French
        confirmation mail opens the French page (in another browser too),
        and the welcome mail that follows is French, its links too. The
        links of an English mail (the website's default) have no prefix."""
        base_url = self.group_public.get_base_url()
        mail = self.request_confirmation('somebody@example.org')
        self.assertTrue(self.link_from_mail(mail, 'subscribe').startswith(f'{base_url}/group/subscribe-confirm?'))

        mail = self.request_confirmation('nobody@example.org', page='/fr')
        link = self.link_from_mail(mail, 'subscribe')
        self.assertTrue(link.startswith(f'{base_url}/fr/group/subscribe-confirm?'), link)
        self.opener.cookies.clear()
        _response, tree, _data = self.follow_confirmation_link(link[len(base_url):])
        self.assertEqual(tree.get('lang'), 'fr-FR')
        self.assertIn('Abonnement confirmé', ' '.join(tree.text_content().split()))
        self.assertTrue(self.is_member(self.group_public, 'nobody@example.org'))
        welcome = self.env['mail.mail'].sudo().search([('email_to', '=', 'nobody@example.org'), ('id', '!=', mail.id)])
        self.assertEqual(welcome.mapped('subject'), ['Bienvenue sur Open Source Talk'])
        links = [url for url in re.findall(r'href="([^"]*)"', welcome.body_html) if url.startswith(base_url)
                 and '/group' in url]
        self.assertEqual([url.split('?')[0].removeprefix(base_url) for url in links], [
            f'/fr/groups/{self.group_public.id}', f'/fr/group/{self.group_public.id}/delivery',
            f'/fr/group/{self.group_public.id}/unsubscribe_oneclick'])

    def test_confirmation_to_an_unknown_address_in_the_pages_language(self):
        """An address no partner has: the language of the page it was typed
        on (French), not the website's default (English)."""
        mail = self.request_confirmation('somebody@example.org')
        self.assertEqual(mail.mapped('subject'), ['Confirm your subscription to Open Source Talk'])
        mail = self.request_confirmation('nobody@example.org', page='/fr')
        self.assertEqual(mail.mapped('subject'), ['Confirmez votre abonnement à Open Source Talk'])
