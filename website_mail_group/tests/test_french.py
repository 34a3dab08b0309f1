"""The addon in French: i18n/fr.po translates the website, the mails sent
while a visitor browses /fr/, the back office and the server messages; and
it translates every msgid of the current .pot (scripts/update_pot.sh)."""
import io
import os

import polib

from odoo import tools
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

from odoo.addons.http_routing.models.ir_http import slug

from .test_website import WebsiteMailGroupCase

I18N = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'i18n')


def words(tree):
    return ' '.join(tree.text_content().split())


@tagged('post_install', '-at_install', 'website_mail_group')
class TestFrench(WebsiteMailGroupCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # French active and our fr.po loaded: the module's terms only (well under
        # a second), not the whole of Odoo's French as a language install does.
        cls.lang_fr = cls.env['res.lang']._activate_lang('fr_FR')
        cls.env['ir.module.module']._load_module_terms(['website_mail_group'], ['fr_FR'], overwrite=True)
        website = cls.env['website'].get_current_website()
        website.language_ids |= cls.lang_fr
        cls.partner_fr = cls.env['res.partner'].create({
            'name': 'Françoise Lefèvre', 'email': 'francoise@example.fr', 'lang': 'fr_FR'})

    def test_groups_page_in_french(self):
        _response, tree = self.get_page('/groups')
        self.assertIn('2 members', words(tree.xpath(f'//div[@data-group-id="{self.group_public.id}"]')[0]))
        _response, tree = self.get_page('/fr/groups')
        card = tree.xpath(f'//div[@data-group-id="{self.group_public.id}"]')[0]
        text = words(card)
        self.assertIn('2 membres', text)
        self.assertIn('3 e-mails / mois', text)
        self.assertEqual(self.texts(card, './/button[contains(@class, "o_mg_subscribe_btn")]'), ["S'abonner"])
        self.assertEqual(self.texts(card, './/button[contains(@class, "o_mg_unsubscribe_btn")]'), ['Se désabonner'])
        self.assertEqual(card.xpath('.//input[@name="email"]/@placeholder'), ['votre e-mail'])
        self.assertIn('Rejoignez un groupe pour recevoir ses e-mails', words(tree))

    def test_archive_pages_in_french(self):
        _response, tree = self.get_page(f'/fr/groups/{slug(self.group_public)}')
        self.assertEqual(self.texts(tree, '//a[contains(@class, "o_mg_mode_thread")]'), ['Discussions'])
        self.assertEqual(self.texts(tree, '//a[contains(@class, "o_mg_mode_date")]'), ['Par date'])
        self.assertIn('2 discussions', words(tree.xpath('//*[contains(@class, "o_mg_counts")]')[0]))
        self.assertIn('1 réponse', self.texts(tree, '//*[contains(@class, "o_mg_reply_count")]'))
        self.assertIn('Abonnement', self.texts(tree, '//h2'))
        _response, tree = self.get_page(f'/fr/groups/{slug(self.group_public)}/{slug(self.msg_reply)}')
        self.assertIn('En réponse à Kernel release', words(tree.xpath('//*[contains(@class, "o_mg_parent")]')[0]))
        self.assertIn('Par Greg', words(tree))

    def test_counts_in_each_languages_singular_and_plural(self):
        """Counts read as sentences: "1 member", "0 replies"; in French 0 and
        1 take the singular ("0 réponse"); an empty search says "No results"."""
        empty = self.env['mail.group'].create({'name': 'Empty Room', 'alias_name': 'wmg-empty'})
        for prefix, members, replies, no_result in (('', ['0 members', '2 members'], '0 replies', 'No results'),
                                                    ('/fr', ['0 membre', '2 membres'], '0 réponse', 'Aucun résultat')):
            _response, tree = self.get_page(f'{prefix}/groups')
            self.assertEqual([self.texts(tree, f'//div[@data-group-id="{group.id}"]//*[hasclass("o_mg_member_count")]')
                              for group in (empty, self.group_public)], [[members[0]], [members[1]]])
            _response, tree = self.get_page(f'{prefix}/groups/{slug(self.group_public)}')
            self.assertIn(replies, self.texts(tree, '//*[hasclass("o_mg_reply_count")]'), 'a thread without reply')
            _response, tree = self.get_page(f'{prefix}/groups/{slug(self.group_public)}/search?q=zzzyyyxxx')
            self.assertEqual(self.texts(tree, '//*[hasclass("o_mg_search_count")]'), [no_result])
        # the back office's cards: the two counts of posts say which period they count
        kanban = self.env['mail.group'].get_views([(False, 'kanban')])['views']['kanban']['arch']
        for label in ('Members:', 'Emails in the last 30 days:', 'Emails this month:'):
            self.assertIn(label, kanban)
        self.assertNotIn('/ month', kanban)

    def test_confirmation_and_welcome_mails_in_french(self):
        """A French partner subscribes on /fr/groups: the confirmation mail,
        its page and the welcome mail are French."""
        email = self.partner_fr.email
        self.make_jsonrpc_request('/fr/group/subscribe', {
            'group_id': self.group_public.id, 'email': email, 'action': 'subscribe'})
        self.env.invalidate_all()
        mail = self.env['mail.mail'].sudo().search([('email_to', '=', email)])
        self.assertEqual(mail.mapped('subject'), ['Confirmez votre abonnement à Open Source Talk'])
        self.assertIn("Confirmer l'abonnement", mail.body_html)
        self.assertIn('Si vous n&#39;avez rien demandé', mail.body_html.replace("'", '&#39;'))
        self.assertNotIn('Confirm subscription', mail.body_html)

        link = self.link_from_mail(mail, 'subscribe')
        # the link opens the French page
        _response, tree, _data = self.follow_confirmation_link(link[link.index('/fr/group/'):])
        self.assertIn('Abonnement confirmé', words(tree))
        self.assertTrue(self.is_member(self.group_public, email))
        self.env.invalidate_all()
        welcome = self.env['mail.mail'].sudo().search([('email_to', '=', email), ('id', '!=', mail.id)])
        self.assertEqual(welcome.mapped('subject'), ['Bienvenue sur Open Source Talk'])
        self.assertIn('préférences de réception', welcome.body_html)

    def test_back_office_in_french(self):
        Group = self.env['mail.group'].with_context(lang='fr_FR')
        fields = Group.fields_get(['name', 'moderator_ids', 'access_mode'], ['string', 'selection'])
        self.assertEqual(fields['name']['string'], 'Nom du groupe')
        self.assertEqual(fields['moderator_ids']['string'], 'Modérateurs')
        self.assertIn(('public', 'Tout le monde'), fields['access_mode']['selection'])
        self.assertEqual(self.env['ir.model'].with_context(lang='fr_FR')._get('mail.group').name,
                         'Groupe de discussion')
        with self.assertRaisesRegex(ValidationError, 'Un groupe modéré doit avoir des modérateurs.'):
            Group.create({'name': 'Sans modérateur', 'alias_name': 'wmg-fr-nomod', 'moderation': True})

    def test_js_strings_in_french(self):
        translations = tools.translate.code_translations.get_web_translations('website_mail_group', 'fr_FR')
        self.assertEqual(translations['messages'] and {m['id']: m['string'] for m in translations['messages']}
                         .get('Something went wrong, please try again.'),
                         "Une erreur s'est produite, veuillez réessayer.")


@tagged('post_install', '-at_install', 'website_mail_group')
class TestTranslationFiles(TransactionCase):
    """fr.po translates every msgid of the .pot, and the .pot holds every
    string of the installed addon: a new string fails here until
    scripts/update_pot.sh is run and the string translated."""

    def test_fr_po_translates_the_pot(self):
        pot = polib.pofile(os.path.join(I18N, 'website_mail_group.pot'))
        po = {entry.msgid: entry for entry in polib.pofile(os.path.join(I18N, 'fr.po'))}
        missing = [entry.msgid for entry in pot if entry.msgid not in po]
        untranslated = [msgid for msgid, entry in po.items() if not entry.msgstr or entry.fuzzy]
        self.assertFalse(missing, 'msgids of the .pot missing from fr.po: run scripts/update_pot.sh')
        self.assertFalse(untranslated, 'untranslated or fuzzy entries in fr.po')
        self.assertGreater(len(pot), 400)

    def test_pot_is_current(self):
        buffer = io.BytesIO()
        trans_export(False, ['website_mail_group'], buffer, 'po', self.env.cr)
        # demo records are not in the template (update_pot.sh installs without demo data)
        demo = set(self.env['ir.model.data'].search([
            ('module', '=', 'website_mail_group'), ('model', '=', 'mail.group')]).mapped('complete_name'))
        exported = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode())
                    if not entry.occurrences or not all(
                        occurrence.startswith('model:mail.group,name:') and occurrence.split(':')[-1] in demo
                        for occurrence, _line in entry.occurrences)}
        pot = {entry.msgid for entry in polib.pofile(os.path.join(I18N, 'website_mail_group.pot'))}
        self.assertEqual(sorted(exported - pot), [],
                         'strings missing from i18n/website_mail_group.pot: run scripts/update_pot.sh')
        self.assertEqual(sorted(pot - exported), [],
                         'strings of the .pot no longer in the addon: run scripts/update_pot.sh')
