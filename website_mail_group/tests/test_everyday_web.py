"""Everyday use, as moderators and readers notice it: the review list and
its bulk actions, the next post to review, every hold reason, whole threads
on the website, threads by latest activity."""
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..inbound import rules
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestModerationEveryday(WebsiteMailGroupCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_moderated = cls.env['mail.group'].create({
            'name': 'Reviewed List', 'alias_name': 'wmg-reviewed', 'moderation': True,
            'moderator_ids': [(4, cls.user_moderator.id)], 'nonmember_action': 'hold',
        })
        cls.group_moderated.member_ids = [(0, 0, {'email': 'reader@example.com'})]

    def held(self, subject, body='<p>Please publish this.</p>', days=1, group=None):
        return self._post(group or self.group_moderated, subject, body, status='pending_moderation', days=days,
                          email_from='Bob Builder <bob@example.org>')

    def as_moderator(self, records):
        return records.with_user(self.user_moderator)

    def test_rules_report_every_hold_reason_without_changing_the_decision(self):
        post = rules.Post(email_from='stranger@example.org', size=5000)
        policy = rules.GroupPolicy(moderated=True, author_is_member=False, nonmember_action=rules.HOLD, max_size=1000)
        self.assertEqual(rules.decide(post, policy), rules.Decision(rules.HOLD, 'too_large'))
        self.assertEqual(rules.hold_reasons(post, policy), ('too_large', 'non_member', 'moderated'))
        # a whitelisted author of a large post: only the size holds it
        allowed = rules.GroupPolicy(moderated=True, author_rule='allow', max_size=1000)
        self.assertEqual(rules.hold_reasons(post, allowed), ('too_large',))
        self.assertEqual(rules.hold_reasons(rules.Post(email_from='a@example.org'), rules.GroupPolicy()), ())

    def test_post_of_a_non_member_to_a_moderated_group_shows_both_reasons(self):
        message = self.group_moderated.with_context(mail_create_nolog=True).sudo().message_post(
            body='<p>Hello, I am not a member.</p>', subject='Stranger question',
            email_from='Stranger <stranger@example.org>')
        post = self.env['mail.group.message'].search([('mail_message_id', '=', message.id)])
        self.assertEqual(post.moderation_status, 'pending_moderation')
        self.assertEqual(post.moderation_reason, 'non_member', 'the deciding reason is unchanged')
        self.assertEqual(post.moderation_reasons_display, 'Non-member post, Moderated group')

    def test_review_list_preview(self):
        post = self.held('Preview me', '<p>First line of the post.</p><p>-- <br/>Bob, builder of things</p>')
        post = self.as_moderator(post)
        self.assertEqual(post.body_excerpt, 'First line of the post.', 'no signature in the preview')
        self.assertEqual(post.author_display, 'Bob Builder')
        arch = self.env['mail.group.message'].get_view(view_type='tree')['arch']
        for name in ('body_excerpt', 'author_display', 'moderation_reasons_display'):
            self.assertIn(f'name="{name}"', arch, f'{name} is a column of the review list')

    def test_bulk_accept_reject_discard(self):
        first, second, third, fourth = (self.held(f'Bulk {index}') for index in range(4))
        Message = self.env['mail.group.message']
        with self.assertRaises(AccessError):
            (first | second).with_user(self.user_employee).action_moderate_accept()
        self.as_moderator(first | second).action_moderate_accept()
        self.assertEqual((first | second).mapped('moderation_status'), ['accepted', 'accepted'])
        mails = self.env['mail.mail'].sudo().search([('email_to', '=', 'reader@example.com')])
        self.assertEqual(sorted(mails.mapped('subject')), ['Bulk 0', 'Bulk 1'])
        self.as_moderator(third).action_moderate_reject()
        self.assertEqual(third.moderation_status, 'rejected')
        self.as_moderator(fourth).action_moderate_discard()
        self.assertFalse(Message.search([('id', '=', fourth.id)]))
        arch = Message.get_view(view_type='tree')['arch']
        header = arch[arch.index('<header>'):arch.index('</header>')]
        for method in ('action_moderate_accept', 'action_moderate_reject', 'action_moderate_discard'):
            self.assertIn(f'name="{method}"', header, f'{method} acts on the selection')

    def test_acting_in_the_form_opens_the_next_pending_post(self):
        oldest, middle, newest = self.held('Oldest', days=3), self.held('Middle', days=2), self.held('Newest', days=1)
        other_group = self.held('Elsewhere', group=self.group_public, days=4)
        form = {'mail_group_next_pending': True}
        action = self.as_moderator(middle).with_context(**form).action_moderate_accept()
        self.assertEqual((action['res_model'], action['res_id']), ('mail.group.message', oldest.id),
                         'the next post waiting in the same group, oldest first')
        self.assertNotEqual(action['res_id'], other_group.id)
        action = self.as_moderator(oldest).with_context(**form).action_moderate_discard()
        self.assertEqual(action['res_id'], newest.id)
        wizard = self.env['mail.group.message.reject'].with_user(self.user_moderator).with_context(**form).create(
            {'mail_group_message_id': newest.id})
        action = wizard.action_reject_without_comment()
        self.assertEqual(action['params']['next'], {'type': 'ir.actions.act_window_close'})
        self.assertIn('Nothing left to review in Reviewed List', action['params']['message'])
        self.assertIs(self.as_moderator(self.held('Plain')).action_moderate_accept(), True,
                      'without the form flag the API answers as before')

    def test_to_review_across_groups_menu_and_clickable_kanban_count(self):
        action = self.env.ref('website_mail_group.mail_group_message_action_review')
        menu = self.env.ref('website_mail_group.mail_group_menu_groups_review')
        self.assertEqual(menu.action, action)
        self.assertEqual(menu.parent_id, self.env.ref('website_mail_group.mail_group_menu_groups'))
        self.assertIn("'search_default_filter_pending': 1", action.context)
        for xmlid in ('mail_group_menu_config_lists', 'mail_group_menu_config_moderation', 'mail_group_menu_groups_lists'):
            self.assertTrue(self.env.ref(f'website_mail_group.{xmlid}').action, 'documented menus stay')
        kanban = self.env['mail.group'].get_view(view_type='kanban')['arch']
        self.assertRegex(kanban, r'<a[^>]*o_mg_review_count[^>]*|<a[^>]*type="action"[^>]*>\s*<t t-out="record.mail_group_message_moderation_count')
        self.assertIn('o_mg_review_count', kanban)

    def test_reject_dialog_buttons(self):
        arch = self.env['mail.group.message.reject'].get_view(view_type='form')['arch']
        self.assertNotIn('string="Discard"', arch, 'the cancel button is not named like a moderation action')
        self.assertIn('string="Cancel"', arch)
        wizard = self.env['mail.group.message.reject'].with_user(self.user_moderator).create(
            {'mail_group_message_id': self.held('Wizard').id})
        self.assertFalse(wizard.send_email)
        wizard.body = '<p>Off topic.</p>'
        self.assertTrue(wizard.send_email)
        self.assertRegex(arch, r'name="action_send_mail" string="Send &amp; Reject" type="object"\s+class="btn-primary"'
                               r' invisible="action != \'reject\' or not send_email"')
        self.assertRegex(arch, r'name="action_reject_without_comment" string="Reject Silently" type="object"\s+'
                               r'class="btn-primary" invisible="action != \'reject\' or send_email"')

    def test_group_form_notify_tab_says_whom_it_notifies(self):
        arch = self.env['mail.group'].get_view(view_type='form')['arch']
        self.assertIn('string="Notify Members"', arch, "the documented label stays")
        self.assertIn('authors of held posts', arch)

