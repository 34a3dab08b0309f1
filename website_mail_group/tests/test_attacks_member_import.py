"""Attacks on the member import wizard over RPC, as the real actors: a
portal user, an employee, the moderator of another group."""
import xmlrpc.client

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from .test_attacks_rows import ACCESS_ERROR, DENIED_LOGS


@tagged('post_install', '-at_install')
class TestAttacksImport(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups='base.group_user'):
            return mail_new_test_user(cls.env, login=login, groups=groups, name=login, email=f'{login}@example.com')

        cls.portal = user('imp_portal', 'base.group_portal')
        cls.employee = user('imp_employee')
        cls.mod_a, cls.mod_b = user('imp_mod_a'), user('imp_mod_b')
        Group = cls.env['mail.group'].with_context(mail_create_nolog=True)
        cls.group_a = Group.create({'name': 'Import A', 'alias_name': 'imp-a', 'moderator_ids': [(4, cls.mod_a.id)]})
        cls.group_b = Group.create({'name': 'Import B', 'alias_name': 'imp-b', 'moderator_ids': [(4, cls.mod_b.id)]})

    def rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def assertRpcDenied(self, user, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught, mute_logger(*DENIED_LOGS):
            self.rpc(user, model, method, *args, **kwargs)
        self.assertEqual(caught.exception.faultCode, ACCESS_ERROR, caught.exception.faultString)

    def members_of(self, group):
        self.env.invalidate_all()
        return group.member_ids.mapped('email_normalized')

    def test_import_refused_to_non_managers_over_xmlrpc(self):
        values = {'mail_group_id': self.group_a.id, 'emails': 'intruder@example.com', 'mode': 'add'}
        for user in (self.portal, self.employee, self.mod_b):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, 'mail.group.member.import', 'create', values)
        # a wizard the moderator opened, run by someone else
        wizard_id = self.rpc(self.mod_a, 'mail.group.member.import', 'create', values)
        for user in (self.portal, self.employee, self.mod_b):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, 'mail.group.member.import', 'action_import', [wizard_id])
        # a moderator's own wizard pointed at another group
        wizard_b = self.rpc(self.mod_b, 'mail.group.member.import', 'create', dict(values, mail_group_id=self.group_b.id))
        self.assertRpcDenied(self.mod_b, 'mail.group.member.import', 'write', [wizard_b],
                             {'mail_group_id': self.group_a.id})
        self.assertEqual(self.members_of(self.group_a), [])
        self.rpc(self.mod_a, 'mail.group.member.import', 'action_import', [wizard_id])
        self.assertEqual(self.members_of(self.group_a), ['intruder@example.com'], 'the moderator may')

    def test_import_refused_to_employee_over_jsonrpc(self):
        values = {'mail_group_id': self.group_a.id, 'emails': 'x@example.com'}
        wizard = self.env['mail.group.member.import'].with_user(self.mod_a).create(values)
        self.authenticate(self.employee.login, self.employee.login)
        for method, args in (('create', [values]), ('action_import', [wizard.ids])):
            with self.subTest(method=method), self.assertRaises(JsonRpcException) as caught, \
                    mute_logger(*DENIED_LOGS):
                self.make_jsonrpc_request(f'/web/dataset/call_kw/mail.group.member.import/{method}', {
                    'model': 'mail.group.member.import', 'method': method, 'args': args, 'kwargs': {}})
            self.assertIn('odoo.exceptions.AccessError', str(caught.exception))
        self.assertEqual(self.members_of(self.group_a), [])
