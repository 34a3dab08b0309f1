import re

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailGroupCommon


@tagged('post_install', '-at_install')
class TestSecurity(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_public = cls.env.ref('base.public_user')
        cls.all_groups = cls.group_public | cls.group_moderated | cls.group_members | cls.group_users

    def visible_groups(self, user):
        return self.env['mail.group'].with_user(user).search([('id', 'in', self.all_groups.ids)])

    def test_who_sees_which_group(self):
        self.assertEqual(self.visible_groups(self.user_public), self.group_public | self.group_moderated)
        self.assertEqual(self.visible_groups(self.user_portal), self.group_public | self.group_moderated)
        self.assertEqual(self.visible_groups(self.user_employee), self.all_groups,
                         'employee: member of the members-only list and in the authorized user group')
        self.env['mail.group.member'].create({'mail_group_id': self.group_members.id, 'partner_id': self.partner_portal.id})
        self.assertEqual(self.visible_groups(self.user_portal), self.group_public | self.group_moderated | self.group_members)
        self.assertEqual(self.visible_groups(self.user_moderator), self.all_groups)
        with self.assertRaises(AccessError):
            self.group_users.with_user(self.user_portal).read(['name'])

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_pending_and_rejected_messages_visible_to_moderators_only(self):
        pending = self.group_message(self.post_raw(self.group_moderated, 'someone@example.com', subject='Pending'))
        accepted = self.group_message(self.post_raw(self.group_public, 'someone@example.com', subject='Accepted'))
        rejected = self.group_message(self.post_raw(self.group_moderated, 'other@example.com', subject='Rejected'))
        rejected.action_moderate_reject()
        everything = pending | accepted | rejected
        for user in (self.user_public, self.user_portal, self.user_employee):
            visible = self.env['mail.group.message'].with_user(user).search([('id', 'in', everything.ids)])
            self.assertEqual(visible, accepted, user.login)
        visible = self.env['mail.group.message'].with_user(self.user_moderator).search([('id', 'in', everything.ids)])
        self.assertEqual(visible, everything)

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_members_only_archive_hidden_from_non_members(self):
        message = self.group_message(self.post_raw(self.group_members, self.partner_customer.email))
        self.assertFalse(self.env['mail.group.message'].with_user(self.user_portal).search([('id', '=', message.id)]))
        self.assertEqual(self.env['mail.group.message'].with_user(self.user_employee).search([('id', '=', message.id)]), message)

    def test_only_moderators_and_admins_configure_groups(self):
        with self.assertRaises(AccessError):
            self.group_public.with_user(self.user_employee).write({'name': 'Hijacked'})
        with self.assertRaises(AccessError):
            self.group_public.with_user(self.user_portal).write({'name': 'Hijacked'})
        with self.assertRaises(AccessError):
            self.group_public.with_user(self.user_employee).write({'alias_contact': 'followers'})
        self.group_public.invalidate_recordset()
        self.assertEqual((self.group_public.name, self.group_public.alias_id.alias_contact), ('Public List', 'everyone'),
                         'refused writes change nothing')
        self.group_public.with_user(self.user_moderator).write({'description': 'Moderator edit', 'max_recipients': 7})
        self.group_public.invalidate_recordset()
        self.assertEqual((self.group_public.description, self.group_public.max_recipients), ('Moderator edit', 7))
        self.group_public.with_user(self.user_admin).write({'description': 'Admin edit'})
        self.assertEqual(self.group_public.description, 'Admin edit')

    def test_members_managed_by_internal_moderators(self):
        with self.assertRaises(AccessError):
            self.env['mail.group.member'].with_user(self.user_portal).search([])
        with self.assertRaises(AccessError):
            self.env['mail.group.member'].with_user(self.user_employee).create({
                'mail_group_id': self.group_public.id, 'email': 'intruder@example.com'})
        member = self.env['mail.group.member'].with_user(self.user_moderator).create({
            'mail_group_id': self.group_public.id, 'email': 'added@example.com'})
        self.assertEqual(member.mail_group_id, self.group_public)
        own = self.env['mail.group.member'].with_user(self.user_employee).search([])
        self.assertEqual(own.partner_id, self.partner_employee, 'employees only see their own memberships')

    def test_moderation_rules_managed_by_moderators(self):
        with self.assertRaises(AccessError):
            self.env['mail.group.moderation'].with_user(self.user_employee).create({
                'mail_group_id': self.group_public.id, 'email': 'x@example.com', 'status': 'ban'})
        self.assertFalse(self.group_public.moderation_rule_ids, 'the refused rule does not exist')
        self.env['mail.group.moderation'].with_user(self.user_moderator).create({
            'mail_group_id': self.group_public.id, 'email': 'Mr X <X@Example.com>', 'status': 'ban'})
        self.assertEqual(self.group_public.moderation_rule_ids.mapped('email'), ['x@example.com'])
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            post = self.group_message(self.post_raw(self.group_public, 'x@example.com'))
        self.assertEqual((post.moderation_status, post.moderation_reason), ('rejected', 'banned'), 'the ban applies')

    def test_settings_admins_are_mail_group_administrators(self):
        manager = self.env.ref('website_mail_group.group_mail_group_manager')
        self.assertIn(manager, self.user_admin.groups_id)
        self.assertNotIn(manager, self.user_employee.groups_id)
        self.assertEqual(manager.name, 'Mail Group Administrator')
        self.assertTrue(self.group_public.with_user(self.user_admin).can_manage_group)
        self.assertTrue(self.group_public.with_user(self.user_moderator).can_manage_group)
        self.assertFalse(self.group_public.with_user(self.user_employee).can_manage_group)

    def test_tokens_are_signed_per_group_email_and_action(self):
        group = self.group_public
        token = group._generate_action_token('a@example.com', 'subscribe')
        self.assertEqual(group._check_action_token('A <A@example.com>', 'subscribe', token), 'valid')
        self.assertEqual(group._check_action_token('a@example.com', 'unsubscribe', token), 'invalid')
        self.assertEqual(group._check_action_token('b@example.com', 'subscribe', token), 'invalid')
        self.assertEqual(self.group_moderated._check_action_token('a@example.com', 'subscribe', token), 'invalid')
        self.assertNotEqual(group._generate_email_access_token('a@example.com'),
                            self.group_moderated._generate_email_access_token('a@example.com'))
        self.assertNotEqual(group._generate_group_access_token(), self.group_moderated._generate_group_access_token())
        url = group._generate_action_url('a@example.com', 'subscribe')
        token = re.search(rf'/group/subscribe-confirm\?group_id={group.id}&email=a%40example.com&token=([\w.]+)$', url).group(1)
        self.assertEqual(group._check_action_token('a@example.com', 'subscribe', token), 'valid')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_underlying_mail_message_follows_moderation(self):
        """The post's mail.message is as hidden as the post itself."""
        pending = self.group_message(self.post_raw(self.group_moderated, 'someone@example.com', subject='Secret'))
        accepted = self.group_message(self.post_raw(self.group_public, 'someone@example.com', subject='Public'))
        messages = (pending | accepted).mail_message_id
        for user in (self.user_public, self.user_portal, self.user_employee):
            Message = self.env['mail.message'].with_user(user)
            self.assertEqual(Message.search([('id', 'in', messages.ids)]), accepted.mail_message_id, user.login)
            with self.assertRaises(AccessError):
                pending.mail_message_id.with_user(user).read(['body'])
            accepted.mail_message_id.with_user(user).read(['body'])
        self.assertEqual(self.env['mail.message'].with_user(self.user_moderator).search([('id', 'in', messages.ids)]), messages)
        self.assertEqual(self.env['mail.message'].with_user(self.user_admin).search([('id', 'in', messages.ids)]), messages)
