"""Code written for Odoo's mail_group keeps working: its RPC calls and
website routes (Odoo's own test-suite runs in scripts/odoo_compat.sh)."""
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug
from odoo.addons.mail.tests.common import mail_new_test_user

from .test_website import WebsiteMailGroupCase


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


@tagged('post_install', '-at_install', 'website_mail_group')
class TestCompatRoutes(WebsiteMailGroupCase):
    """Odoo's JSON routes, as its pages and scripts call them."""

    def call(self, route, **params):
        return self.make_jsonrpc_request(route, {'group_id': self.group_public.id, **params})

    def test_unsubscribe_route_for_a_visitor(self):
        """A visitor always gets 'email_sent' (Odoo's 'is_not_member' would
        reveal membership); only the confirmation link removes anyone."""
        for email in ('known@member.example.com', 'stranger@example.com'):
            self.assertEqual(self.call('/group/unsubscribe', email=email), 'email_sent')
            self.assertEqual(len(self.confirmation_mails(email)), 1)
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'))

    def test_unsubscribe_route_for_a_logged_in_user(self):
        self.authenticate('wmg_portal2', 'wmg_portal2')
        partner = self.user_portal_other.partner_id
        self.assertEqual(self.call('/group/unsubscribe'), 'is_not_member')
        self.group_public._join_group(partner.email, partner.id)
        self.assertEqual(self.call('/group/unsubscribe'), 'removed')
        self.assertFalse(self.group_public._partner_member(partner.id))

    def test_unsubscribe_route_errors(self):
        """A hidden group answers as a missing one; a bad address is refused."""
        with self.assertRaises(JsonRpcException) as refused, mute_logger('odoo.http'):
            self.make_jsonrpc_request('/group/unsubscribe', {'group_id': self.group_members.id, 'email': 'a@example.com'})
        self.assertIn('NotFound', str(refused.exception))
        with self.assertRaises(JsonRpcException) as refused, mute_logger('odoo.http'):
            self.call('/group/unsubscribe', email='not an address')
        self.assertIn('BadRequest', str(refused.exception))
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'a@example.com')]))

    def test_get_replies_on_odoo_path(self):
        """Odoo's pages load replies from /groups/<group slug>/<message slug>/get_replies."""
        route = f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}/get_replies'
        result = self.make_jsonrpc_request(route, {'last_displayed_id': 0})
        self.assertIn('Congratulations to all!', result['html'])
        self.assertNotIn('BUY CHEAP PILLS', result['html'])
