import os

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged

import odoo.addons.website_mail_group as loaded_addon

REPOSITORY_ADDON = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@tagged('post_install', '-at_install')
class TestModuleIdentity(TransactionCase):

    def test_loaded_module_is_ours(self):
        """Odoo ships a module of the same name: ours must shadow it."""
        self.assertEqual(os.path.realpath(os.path.dirname(loaded_addon.__file__)), os.path.realpath(REPOSITORY_ADDON))
        self.assertEqual(os.path.realpath(get_module_path('website_mail_group')), os.path.realpath(REPOSITORY_ADDON))
        self.assertTrue(os.path.isdir(os.path.join(REPOSITORY_ADDON, 'inbound')),
                        'the loaded addon has no inbound/ pipeline: it is not ours')

    def test_installed_without_mail_group(self):
        modules = self.env['ir.module.module'].search([('name', 'in', ('website_mail_group', 'mail_group'))])
        states = {module.name: module.state for module in modules}
        self.assertEqual(states.get('website_mail_group'), 'installed')
        self.assertNotEqual(states.get('mail_group'), 'installed')
