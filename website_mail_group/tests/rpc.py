"""Attacks over XML-RPC as the real actor: users created with
``mail_new_test_user`` have their login as password."""
import xmlrpc.client

from odoo.tests import HttpCase
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

ACCESS_ERROR = 4  # XML-RPC fault code of an AccessError
DENIED_LOGS = ('odoo.addons.base.models.ir_rule', 'odoo.addons.base.models.ir_model', 'odoo.models', 'odoo.http')


class RpcAttackCase(HttpCase):

    def rpc(self, user, model, method, *args, **kwargs):
        """Call ``model.method`` over XML-RPC as ``user`` (password = login)."""
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def assertRpcDenied(self, user, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught, mute_logger(*DENIED_LOGS):
            self.rpc(user, model, method, *args, **kwargs)
        self.assertEqual(caught.exception.faultCode, ACCESS_ERROR, caught.exception.faultString)


class ImportAttackCase(RpcAttackCase):
    """The actors of the import attacks: a portal user, an employee, and the
    moderators of two groups A and B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups='base.group_user'):
            return mail_new_test_user(cls.env, login=login, groups=groups, name=login, email=f'{login}@example.com')

        cls.portal = user('imp_portal', 'base.group_portal')
        cls.employee = user('imp_employee')
        cls.mod_a, cls.mod_b = user('imp_mod_a'), user('imp_mod_b')
        Group = cls.env['mail.group'].with_context(mail_create_nolog=True)
        cls.group_a = Group.create({'name': 'Import A', 'alias_name': 'import-a', 'moderator_ids': [(4, cls.mod_a.id)]})
        cls.group_b = Group.create({'name': 'Import B', 'alias_name': 'import-b', 'moderator_ids': [(4, cls.mod_b.id)]})
