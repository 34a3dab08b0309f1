"""Migration 17.0.1.4.0: the welcome template's archive link opens in the
mail's language, in every stored translation; groups created in the form
without alias domain get the company's."""

from odoo.tests import TransactionCase, tagged

from .common import run_migration
from .test_mail_language import load_french

OLD = 'object.mail_group_id.get_base_url()'
NEW = 'object.mail_group_id._mail_group_base_url()'


@tagged('post_install', '-at_install', 'website_mail_group')
class TestUpgradeLinksAndAddresses(TransactionCase):

    def migrate(self):
        run_migration(self.env.cr, '17.0.1.4.0', 'post', '17.0.1.3.0')
        self.env.invalidate_all()

    def test_welcome_template_links_in_every_language(self):
        load_french(self.env)
        template = self.env.ref('website_mail_group.mail_template_welcome')
        bodies = {}
        for lang in ('en_US', 'fr_FR'):
            body = template.with_context(lang=lang).body_html
            self.assertIn(NEW, body)
            bodies[lang] = body
            template.with_context(lang=lang).body_html = body.replace(NEW, OLD)  # as before the upgrade
        self.migrate()
        for lang in ('en_US', 'fr_FR'):
            self.assertEqual(template.with_context(lang=lang).body_html, bodies[lang])

    def test_groups_without_alias_domain_get_the_companys(self):
        domain = self.env['mail.alias.domain'].create({'name': 'upgrade.example.com'})
        self.env.company.alias_domain_id = domain
        Group = self.env['mail.group']
        broken = Group.create({'name': 'Made in the form', 'alias_name': 'made-in-form'})
        clash = Group.create({'name': 'Clash', 'alias_name': 'taken'})
        nameless = Group.create({'name': 'No alias'})
        (broken | clash | nameless).alias_domain_id = False  # as the form made them
        Group.create({'name': 'Holder', 'alias_name': 'taken'})
        self.migrate()
        self.assertEqual(broken.alias_email, 'made-in-form@upgrade.example.com')
        self.assertFalse(clash.alias_domain_id, 'the address is another alias\'s')
        self.assertFalse(nameless.alias_domain_id)
