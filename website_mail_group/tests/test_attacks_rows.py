"""Attacks on membership and configuration rows (issue 8, holes 5, 6, 10):
identity by e-mail address, membership and whitelist rows created or moved
over RPC, group settings, and public methods acting as superuser."""
from odoo import fields
from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug
from odoo.addons.mail.tests.common import mail_new_test_user

from .rpc import RpcAttackCase


@tagged('post_install', '-at_install')
class TestAttacksRows(RpcAttackCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env

        def user(login, name, groups='base.group_user'):
            return mail_new_test_user(env, login=login, groups=groups, name=name, email=f'{login}@example.com')

        cls.portal = user('rows_portal', 'Pat Portal', 'base.group_portal')
        cls.victim = user('rows_victim', 'Vic Victim', 'base.group_portal')
        cls.employee = user('rows_employee', 'Eve Employee')
        cls.mod_a = user('rows_mod_a', 'Alan Moderator-of-A')
        cls.mod_b = user('rows_mod_b', 'Bea Moderator-of-B')
        board = env['res.groups'].create({'name': 'Board (rows attacks)'})

        Group = env['mail.group'].with_context(mail_create_nolog=True)
        cls.group_a = Group.create({
            'name': 'Group A', 'alias_name': 'rows-a', 'access_mode': 'public',
            'moderator_ids': [(4, cls.mod_a.id)]})
        cls.group_b = Group.create({
            'name': 'Group B', 'alias_name': 'rows-b', 'access_mode': 'public', 'moderation': True,
            'moderator_ids': [(4, cls.mod_b.id)]})
        cls.group_secret = Group.create({
            'name': 'Secret', 'alias_name': 'rows-secret', 'access_mode': 'members',
            'moderator_ids': [(4, cls.mod_b.id)]})
        cls.group_board = Group.create({
            'name': 'Board', 'alias_name': 'rows-board', 'access_mode': 'groups', 'access_group_id': board.id,
            'moderator_ids': [(4, cls.mod_b.id)]})

        Member = env['mail.group.member']
        victim_partner = cls.victim.partner_id.id
        cls.secret_victim, cls.secret_plain, cls.a_victim, cls.a_plain, cls.a_employee, cls.b_plain = Member.create([
            {'mail_group_id': cls.group_secret.id, 'partner_id': victim_partner},
            {'mail_group_id': cls.group_secret.id, 'email': 'plain@member.example.com'},
            {'mail_group_id': cls.group_a.id, 'partner_id': victim_partner},
            {'mail_group_id': cls.group_a.id, 'email': 'plain@member.example.com'},
            {'mail_group_id': cls.group_a.id, 'partner_id': cls.employee.partner_id.id},
            {'mail_group_id': cls.group_b.id, 'email': 'b.member@example.com'},
        ])
        cls.a_rule = env['mail.group.moderation'].create(
            {'mail_group_id': cls.group_a.id, 'email': 'friend@example.com', 'status': 'allow'})
        mail_message = env['mail.message'].create({
            'model': 'mail.group', 'res_id': cls.group_secret.id, 'message_type': 'email',
            'subject': 'Secret plans', 'body': '<p>Members only</p>', 'email_from': 'plain@member.example.com'})
        cls.secret_post = env['mail.group.message'].create({
            'mail_message_id': mail_message.id, 'mail_group_id': cls.group_secret.id,
            'moderation_status': 'accepted'})

    # helpers

    def json_call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(f'/web/dataset/call_kw/{model}/{method}', {
            'model': model, 'method': method, 'args': list(args), 'kwargs': kwargs})

    def members_of(self, group):
        self.env.invalidate_all()
        return self.env['mail.group.member'].sudo().search([('mail_group_id', '=', group.id)])

    # hole 5: an e-mail address is not an identity

    def test_borrowed_email_does_not_open_members_only_group(self):
        """A portal user sets their address to a member's (Odoo lets them,
        unverified): the members-only group, its posts and its page stay
        closed."""
        for address in ('plain@member.example.com', self.victim.email):
            with self.subTest(address=address):
                self.assertTrue(self.rpc(self.portal, 'res.users', 'write', [self.portal.id], {'email': address}))
                self.assertEqual(self.rpc(self.portal, 'res.users', 'read', [self.portal.id], ['email'])[0]['email'],
                                 address, 'the address change itself is allowed')
                self.assertEqual(self.rpc(self.portal, 'mail.group', 'search', [('id', '=', self.group_secret.id)]), [])
                self.assertEqual(self.rpc(self.portal, 'mail.group', 'search', [('is_member', '=', True)]), [])
                self.assertRpcDenied(self.portal, 'mail.group', 'read', [self.group_secret.id], ['name'])
                self.assertEqual(self.rpc(self.portal, 'mail.group.message', 'search_read',
                                          [('mail_group_id', '=', self.group_secret.id)], ['body']), [])
                self.assertRpcDenied(self.portal, 'mail.group.message', 'read', [self.secret_post.id], ['body'])
                self.assertEqual(self.rpc(self.portal, 'mail.message', 'search',
                                          [('model', '=', 'mail.group'), ('res_id', '=', self.group_secret.id)]), [])
                self.assertRpcDenied(self.portal, 'mail.group', 'action_join', [self.group_secret.id])
                self.authenticate(self.portal.login, self.portal.login)
                response = self.url_open(f'/groups/{slug(self.group_secret)}')
                self.assertEqual(response.status_code, 404)
                self.assertNotIn('Members only', response.text)
        self.assertEqual(self.members_of(self.group_secret), self.secret_victim | self.secret_plain)

    def test_borrowed_email_leave_keeps_real_members(self):
        """Logged in with a borrowed address, the website's Unsubscribe and
        the Leave button remove the user's own membership only."""
        self.authenticate(self.portal.login, self.portal.login)
        for address in ('plain@member.example.com', self.victim.email):
            with self.subTest(address=address):
                self.json_call('res.users', 'write', [self.portal.id], {'email': address})
                self.assertFalse(self.json_call('mail.group', 'read', [self.group_a.id], ['is_member'])[0]['is_member'])
                result = self.make_jsonrpc_request('/group/subscribe', {
                    'group_id': self.group_a.id, 'action': 'unsubscribe'})
                self.assertEqual(result['status'], 'unsubscribed')
                self.json_call('mail.group', 'action_leave', [self.group_a.id])
                self.assertEqual(self.members_of(self.group_a), self.a_victim | self.a_plain | self.a_employee)
        # the user's own membership is what Leave removes
        self.json_call('mail.group', 'action_join', [self.group_a.id])
        self.assertEqual(len(self.members_of(self.group_a)), 4)
        self.make_jsonrpc_request('/group/subscribe', {'group_id': self.group_a.id, 'action': 'unsubscribe'})
        self.assertEqual(self.members_of(self.group_a), self.a_victim | self.a_plain | self.a_employee)

    # hole 6: membership, whitelist and group rows written directly

    def test_no_joining_by_creating_member_rows(self):
        """Users cannot make themselves members of a closed group by creating
        the row; the group stays closed to them."""
        for user in (self.employee, self.portal):
            for group in (self.group_secret, self.group_board):
                with self.subTest(user=user.login, group=group.name):
                    self.assertRpcDenied(user, 'mail.group.member', 'create',
                                         {'mail_group_id': group.id, 'partner_id': user.partner_id.id})
                    self.assertRpcDenied(user, 'mail.group', 'action_join', [group.id])
                    self.assertEqual(self.rpc(user, 'mail.group', 'search', [('id', '=', group.id)]), [])
        self.assertRpcDenied(self.employee, 'mail.group.member', 'create',
                             {'mail_group_id': self.group_a.id, 'email': 'intruder@example.com'})
        self.assertEqual(self.members_of(self.group_secret), self.secret_victim | self.secret_plain)
        self.assertFalse(self.members_of(self.group_board))
        self.assertEqual(self.members_of(self.group_a), self.a_victim | self.a_plain | self.a_employee)

    def test_rows_cannot_be_moved_to_another_group(self):
        """Record rules hold after a write: rows are not moved into groups
        the writer does not manage."""
        self.assertRpcDenied(self.employee, 'mail.group.member', 'write', [self.a_employee.id],
                             {'mail_group_id': self.group_secret.id})
        self.assertRpcDenied(self.employee, 'mail.group.member', 'write', [self.a_employee.id],
                             {'partner_id': self.victim.partner_id.id})
        self.assertRpcDenied(self.mod_a, 'mail.group.member', 'write', [self.a_plain.id],
                             {'mail_group_id': self.group_b.id})
        self.assertRpcDenied(self.mod_a, 'mail.group.moderation', 'write', [self.a_rule.id],
                             {'mail_group_id': self.group_b.id})
        self.assertRpcDenied(self.mod_a, 'mail.group.moderation', 'create',
                             {'mail_group_id': self.group_b.id, 'email': 'spammer@example.com', 'status': 'allow'})
        self.assertRpcDenied(self.mod_a, 'mail.group', 'write', [self.group_a.id],
                             {'member_ids': [(4, self.b_plain.id)]})
        self.env.invalidate_all()
        self.assertEqual(self.a_employee.mail_group_id, self.group_a)
        self.assertEqual(self.a_employee.partner_id, self.employee.partner_id)
        self.assertEqual(self.a_plain.mail_group_id, self.group_a)
        self.assertEqual(self.b_plain.mail_group_id, self.group_b)
        self.assertEqual(self.a_rule.mail_group_id, self.group_a)
        self.assertFalse(self.env['mail.group.moderation'].search([('mail_group_id', '=', self.group_b.id)]))
        # within their own group the moderator still manages members and rules
        self.rpc(self.mod_a, 'mail.group.moderation', 'write', [self.a_rule.id], {'status': 'ban'})
        self.rpc(self.mod_a, 'mail.group.member', 'create', {'mail_group_id': self.group_a.id, 'email': 'new@example.com'})
        self.assertEqual(len(self.members_of(self.group_a)), 4)

    def test_group_settings_only_for_its_managers(self):
        """An employee cannot redirect or close another group's address."""
        alias = self.group_a.alias_id
        for values in ({'alias_name': 'hijacked'}, {'alias_contact': 'followers'},
                       {'alias_defaults': "{'name': 'x'}"}, {'moderator_ids': [(4, self.employee.id)]},
                       {'access_mode': 'members'}):
            with self.subTest(values=values):
                self.assertRpcDenied(self.employee, 'mail.group', 'write', [self.group_a.id], values)
                self.assertRpcDenied(self.mod_b, 'mail.group', 'write', [self.group_a.id], values)
        self.env.invalidate_all()
        self.assertEqual((alias.alias_name, alias.alias_contact, alias.alias_defaults), ('rows-a', 'everyone', '{}'))
        self.assertEqual(self.group_a.moderator_ids, self.mod_a)
        self.assertEqual(self.group_a.access_mode, 'public')
        self.rpc(self.mod_a, 'mail.group', 'write', [self.group_a.id], {'alias_contact': 'partners'})
        self.assertEqual(alias.alias_contact, 'partners')

    def test_no_taking_over_another_alias(self):
        """A group cannot be pointed at another group's alias record (the
        mixin then rewrites that alias as superuser, or deletes it with the
        group): the address of group B keeps reaching group B."""
        alias_b = self.group_b.alias_id
        self.assertRpcDenied(self.mod_a, 'mail.group', 'write', [self.group_a.id], {'alias_id': alias_b.id})
        self.assertRpcDenied(self.employee, 'mail.group', 'create', {'name': 'Trap', 'alias_id': alias_b.id})
        self.env.invalidate_all()
        self.assertEqual(self.group_a.alias_id.alias_name, 'rows-a')
        self.assertEqual((alias_b.alias_name, alias_b.alias_force_thread_id, alias_b.alias_parent_thread_id),
                         ('rows-b', self.group_b.id, self.group_b.id))
        self.assertEqual(self.env['mail.group'].search([('alias_id', '=', alias_b.id)]), self.group_b)

    def test_creator_rights_end_with_moderation(self):
        """Creating a group makes the employee its moderator; once removed
        from the moderators, they no longer manage it."""
        group_id = self.rpc(self.employee, 'mail.group', 'create', {
            'name': 'Eve Club', 'alias_name': 'rows-eve', 'access_mode': 'members',
            'moderator_ids': [(6, 0, [self.mod_b.id])]})
        group = self.env['mail.group'].browse(group_id)
        self.assertEqual(group.moderator_ids, self.mod_b | self.employee)
        group.moderator_ids = self.mod_b
        self.assertRpcDenied(self.employee, 'mail.group', 'write', [group_id], {'name': 'Mine again'})
        self.assertRpcDenied(self.employee, 'mail.group', 'write', [group_id], {'moderator_ids': [(4, self.employee.id)]})
        self.assertRpcDenied(self.employee, 'mail.group.member', 'create',
                             {'mail_group_id': group_id, 'partner_id': self.employee.partner_id.id})
        self.assertRpcDenied(self.employee, 'mail.group', 'unlink', [group_id])
        self.env.invalidate_all()
        self.assertEqual((group.name, group.moderator_ids), ('Eve Club', self.mod_b))
        self.assertFalse(group.member_ids)

    # hole 10: public methods acting as superuser

    def test_enable_delivery_only_for_member_or_manager(self):
        """Turning a member's delivery back on is for that member and the
        group's managers."""
        disabled = {'delivery_disabled_date': fields.Datetime.now(), 'bounce_count': 5}
        (self.a_plain | self.a_victim).write(disabled)
        for user in (self.employee, self.portal, self.mod_b):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, 'mail.group.member', 'action_enable_delivery', [self.a_plain.id])
        self.env.invalidate_all()
        self.assertTrue(self.a_plain.delivery_disabled_date)
        self.assertEqual(self.a_plain.bounce_count, 5)
        self.rpc(self.victim, 'mail.group.member', 'action_enable_delivery', [self.a_victim.id])
        self.rpc(self.mod_a, 'mail.group.member', 'action_enable_delivery', [self.a_plain.id])
        self.env.invalidate_all()
        self.assertFalse((self.a_plain | self.a_victim).filtered('delivery_disabled_date'))

    def test_member_partners_not_listed_to_readers(self):
        """Reading a group does not list its members' contacts."""
        def member_partners(user):
            return set(self.rpc(user, 'mail.group', 'read', [self.group_a.id], ['member_partner_ids'])[0]['member_partner_ids'])
        self.assertEqual(member_partners(self.portal), set())
        self.assertEqual(member_partners(self.employee), {self.employee.partner_id.id})
        self.assertEqual(member_partners(self.mod_b), set())
        self.assertEqual(member_partners(self.mod_a), {self.employee.partner_id.id, self.victim.partner_id.id})
        self.assertEqual(
            self.rpc(self.employee, 'mail.group', 'search', [('member_partner_ids', 'in', [self.victim.partner_id.id])]),
            [], "another user's memberships are not searchable")
        self.assertEqual(
            self.rpc(self.mod_a, 'mail.group', 'search', [('member_partner_ids', 'in', [self.victim.partner_id.id])]),
            [self.group_a.id], 'moderators search the members of their groups')
