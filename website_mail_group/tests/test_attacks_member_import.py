"""Attacks on the member import wizard over RPC, as the real actors: a
portal user, an employee, the moderator of another group."""
from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .rpc import DENIED_LOGS, ImportAttackCase


@tagged('post_install', '-at_install')
class TestAttacksImport(ImportAttackCase):

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
