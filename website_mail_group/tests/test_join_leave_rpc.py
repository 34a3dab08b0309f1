"""Join and Leave as a logged-in user calls them over XML-RPC (as another
client than the web one would): they answer, and act for the caller only."""
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .rpc import RpcAttackCase


@tagged('post_install', '-at_install')
class TestJoinLeaveOverRpc(RpcAttackCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = mail_new_test_user(cls.env, login='join_leave_portal', groups='base.group_portal',
                                        email='join_leave_portal@example.com')
        cls.group = cls.env['mail.group'].create({'name': 'Open RPC', 'alias_name': 'open-rpc', 'access_mode': 'public'})

    def is_member(self):
        self.env.invalidate_all()
        return self.portal.partner_id in self.group.member_ids.partner_id

    def test_join_then_leave(self):
        self.assertIs(self.rpc(self.portal, 'mail.group', 'action_join', [self.group.id]), True)
        self.assertTrue(self.is_member())
        self.assertIs(self.rpc(self.portal, 'mail.group', 'action_leave', [self.group.id]), True)
        self.assertFalse(self.is_member())
