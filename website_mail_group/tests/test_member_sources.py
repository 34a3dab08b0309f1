"""Members drawn from Odoo's records, as an administrator sets them up and
as the people concerned live: tagged or untagged, archived, blacklisted,
leaving and joining again; and who may see or change a source."""
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MailGroupCommon
from .rpc import RpcAttackCase


@tagged('post_install', '-at_install')
class TestMemberSources(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env['res.partner.category'].create({'name': 'Beta testers'})
        Partner = cls.env['res.partner']
        cls.ann, cls.bob, cls.cid = Partner.create([
            {'name': 'Ann', 'email': 'Ann <ann@beta.example.com>', 'category_id': [(4, cls.tag.id)]},
            {'name': 'Bob', 'email': 'bob@beta.example.com', 'category_id': [(4, cls.tag.id)]},
            {'name': 'Cid', 'email': 'cid@beta.example.com'},
        ])
        Partner.create({'name': 'No address', 'category_id': [(4, cls.tag.id)]})
        cls.group = cls.env['mail.group'].create({
            'name': 'Beta', 'alias_name': 'beta-list', 'moderator_ids': [(4, cls.user_moderator.id)]})
        cls.source = cls.env['mail.group.member.source'].create({
            'mail_group_id': cls.group.id, 'kind': 'partner',
            'partner_domain': repr([('category_id', 'in', cls.tag.ids)])})
        cls.cron = cls.env.ref('website_mail_group.ir_cron_mail_group_sync_sources')

    def setUp(self):
        super().setUp()
        self.env.cr.precommit.clear()

    def members(self):
        members = self.env['mail.group.member'].search([('mail_group_id', '=', self.group.id)])
        return {member.email_normalized: member.source_id for member in members}

    def commit_and_run_cron(self):
        """What the next minutes bring: the transaction commits (its
        precommit hooks run), the triggered cron runs."""
        triggers = self.env['ir.cron.trigger'].search_count([('cron_id', '=', self.cron.id)])
        self.env.cr.precommit.run()
        triggered = self.env['ir.cron.trigger'].search_count([('cron_id', '=', self.cron.id)]) > triggers
        if triggered:
            self.env['mail.group']._cron_sync_sources()
        return triggered

    def test_tagged_contacts_become_members_and_leave_with_their_tag(self):
        self.group._sync_sources()
        self.assertEqual(self.members(), {'ann@beta.example.com': self.source, 'bob@beta.example.com': self.source},
                         'every tagged contact with an address, shown with their source')
        self.assertFalse(self.env['mail.mail'].search([('email_to', 'like', 'beta.example.com')]),
                         'no welcome mail unless the group asks for it')
        self.cid.category_id = [(4, self.tag.id)]
        self.bob.category_id = [(3, self.tag.id)]
        self.assertTrue(self.commit_and_run_cron(), 'a change of the tags triggers the sync')
        self.assertEqual(set(self.members()), {'ann@beta.example.com', 'cid@beta.example.com'})
        self.ann.action_archive()
        self.assertTrue(self.commit_and_run_cron())
        self.assertEqual(set(self.members()), {'cid@beta.example.com'}, 'an archived contact leaves')

    def test_unrelated_changes_do_not_trigger(self):
        self.cid.comment = '<p>Met at the fair</p>'
        self.assertFalse(self.commit_and_run_cron())

    def test_blacklisted_addresses_are_never_added(self):
        self.env['mail.blacklist'].create({'email': 'bob@beta.example.com'})
        self.group._sync_sources()
        self.assertEqual(set(self.members()), {'ann@beta.example.com'})

    def test_who_leaves_stays_out_until_they_join_again(self):
        self.group._sync_sources()
        self.group._leave_group('bob@beta.example.com', self.bob.id)
        self.group._sync_sources()
        self.assertEqual(set(self.members()), {'ann@beta.example.com'}, 'the source does not undo leaving')
        self.group._join_group('bob@beta.example.com', self.bob.id)
        self.assertEqual(self.members()['bob@beta.example.com'], self.env['mail.group.member.source'],
                         'joined by themselves: no source')
        self.bob.category_id = [(3, self.tag.id)]
        self.group._sync_sources()
        self.assertIn('bob@beta.example.com', self.members(), 'a member who joined is never removed by a source')

    def test_a_moderator_removing_a_member_keeps_them_out(self):
        self.group._sync_sources()
        member = self.env['mail.group.member'].search([('email_normalized', '=', 'ann@beta.example.com')])
        member.with_user(self.user_moderator).unlink()
        self.group._sync_sources()
        self.assertNotIn('ann@beta.example.com', self.members())

    def test_members_added_by_hand_are_not_touched(self):
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'email': 'bob@beta.example.com'})
        self.group._sync_sources()
        self.assertEqual(self.members(), {'ann@beta.example.com': self.source,
                                          'bob@beta.example.com': self.env['mail.group.member.source']})

    def test_welcome_mail_when_the_group_asks(self):
        self.group.member_source_welcome = True
        self.group._sync_sources()
        welcomed = self.env['mail.mail'].search([('email_to', 'like', 'beta.example.com')])
        self.assertEqual(sorted(welcomed.mapped('email_to')), ['Ann <ann@beta.example.com>', 'bob@beta.example.com'])

    def test_users_of_a_user_group(self):
        staff = self.env['res.groups'].create({'name': 'List staff'})
        source = self.env['mail.group.member.source'].create({
            'mail_group_id': self.group.id, 'kind': 'users', 'user_group_id': staff.id, 'sequence': 1})
        self.source.active = False
        self.group._sync_sources()
        self.assertFalse(self.members(), 'an inactive source names nobody')
        self.env.cr.precommit.clear()
        self.user_employee.groups_id = [(4, staff.id)]
        self.assertTrue(self.commit_and_run_cron())
        self.assertEqual(self.members(), {self.user_employee.email_normalized: source})

    def test_a_member_named_by_two_sources_moves_to_the_other(self):
        tag_2 = self.env['res.partner.category'].create({'name': 'Friends'})
        self.bob.category_id = [(4, tag_2.id)]
        other = self.env['mail.group.member.source'].create({
            'mail_group_id': self.group.id, 'kind': 'partner', 'partner_domain': repr([('category_id', 'in', tag_2.ids)])})
        self.group._sync_sources()
        self.bob.category_id = [(3, self.tag.id)]
        self.group._sync_sources()
        self.assertEqual(self.members()['bob@beta.example.com'], other)

    def test_moderators_read_sources_only_administrators_write_them(self):
        as_moderator = self.source.with_user(self.user_moderator)
        self.assertEqual(as_moderator.read(['kind'])[0]['kind'], 'partner')
        as_moderator.action_sync()
        self.assertEqual(len(self.members()), 2, 'a moderator may sync now')
        with self.assertRaises(AccessError):
            as_moderator.write({'partner_domain': '[]'})
        with self.assertRaises(AccessError):
            self.env['mail.group.member.source'].with_user(self.user_moderator).create({
                'mail_group_id': self.group.id, 'kind': 'partner', 'partner_domain': '[]'})
        with self.assertRaises(AccessError):
            self.source.with_user(self.user_employee).read(['kind'])


@tagged('post_install', '-at_install')
class TestMemberSourceAttacks(RpcAttackCase):
    """A group's moderator and a portal user try to draw every contact into
    a group, over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moderator = mail_new_test_user(cls.env, login='source_moderator', groups='base.group_user', name='source_moderator',
                                           email='source_moderator@example.com')
        cls.portal = mail_new_test_user(cls.env, login='source_portal', groups='base.group_portal', name='source_portal',
                                        email='source_portal@example.com')
        cls.group = cls.env['mail.group'].create({
            'name': 'Sources A', 'alias_name': 'sources-a', 'moderator_ids': [(4, cls.moderator.id)]})

    def test_only_administrators_add_sources(self):
        values = {'mail_group_id': self.group.id, 'kind': 'partner', 'partner_domain': '[]'}
        for user in (self.moderator, self.portal):
            self.assertRpcDenied(user, 'mail.group.member.source', 'create', values)
            self.assertRpcDenied(user, 'mail.group', 'write', [self.group.id],
                                 {'member_source_ids': [(0, 0, values)]})
        self.assertFalse(self.env['mail.group.member.source'].search([('mail_group_id', '=', self.group.id)]))
