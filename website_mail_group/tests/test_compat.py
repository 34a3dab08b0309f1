"""Code written for Odoo's mail_group keeps working: its RPC calls and
website routes (Odoo's own test-suite runs in scripts/odoo_compat.sh)."""
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import HttpCase, tagged


@tagged('post_install', '-at_install')
class TestCompatRpc(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = mail_new_test_user(cls.env, login='wmg_compat_employee', groups='base.group_user',
                                      email='compat.employee@example.com', name='Compat Employee')
        cls.group = cls.env['mail.group'].create({'name': 'Compat', 'alias_name': 'wmg-compat'})

    def test_xmlrpc_message_post_returns_the_message_id(self):
        """Odoo declares message_post with @api.returns: XML-RPC callers get an
        id back, not a Fault for an unmarshallable record."""
        message_id = self.xmlrpc_object.execute(
            self.env.cr.dbname, self.user.id, 'wmg_compat_employee', 'mail.group', 'message_post',
            [self.group.id], '<p>Hello from a script</p>', 'Scripted post')
        self.assertIsInstance(message_id, int)
        post = self.env['mail.group.message'].search([('mail_message_id', '=', message_id)])
        self.assertEqual(post.subject, 'Scripted post')
        self.assertEqual(post.mail_group_id, self.group)
        self.assertEqual(post.author_id, self.user.partner_id)
