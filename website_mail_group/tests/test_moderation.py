import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import MailGroupCommon


@tagged('post_install', '-at_install')
class TestModeration(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.group_moderated
        cls.group.moderation_notify = False  # only moderators' answers reach authors here
        # posted once for the class (each test rolls back its changes); post_raw only needs ``env``
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            cls.pending, cls.pending_2, cls.other = (
                MailGroupCommon.group_message(cls, MailGroupCommon.post_raw(cls, cls.group, author, subject=subject))
                for author, subject in (('Paul Poster <paul@poster.example.com>', 'P1'),
                                        ('paul@poster.example.com', 'P2'), ('olga@other.example.com', 'O1')))

    def setUp(self):
        super().setUp()
        self.assertEqual((self.pending | self.pending_2 | self.other).mapped('moderation_status'), ['pending_moderation'] * 3)

    def test_accept_distributes(self):
        self.pending.with_user(self.user_moderator).action_moderate_accept()
        self.assertEqual(self.pending.moderation_status, 'accepted')
        self.assertEqual(self.pending.moderator_id, self.user_moderator)
        self.assertEqual(sorted(self.queued_mails(self.pending)), sorted(self.group.member_ids.mapped('email_normalized')))
        with self.assertRaises(UserError):
            self.pending.with_user(self.user_moderator).action_moderate_accept()
        with self.assertRaises(UserError):
            self.pending.with_user(self.user_moderator).action_moderate_reject()

    def test_only_moderators_moderate(self):
        for action in ('action_moderate_accept', 'action_moderate_reject', 'action_moderate_allow', 'action_moderate_ban'):
            with self.assertRaises(AccessError):
                getattr(self.pending.with_user(self.user_employee), action)()
        self.assertEqual(self.pending.moderation_status, 'pending_moderation')
        self.pending.with_user(self.user_admin).action_moderate_accept()
        self.assertEqual(self.pending.moderation_status, 'accepted', 'administrators moderate every group')

    def test_readers_of_a_post_do_not_moderate_it(self):
        """A post the employee may read (accepted, on a public group he is a
        member of): only the moderation check stands between him and it."""
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            post = self.group_message(self.post_raw(self.group_public, 'Paul Poster <paul@poster.example.com>'))
        as_employee = post.with_user(self.user_employee)
        self.assertEqual(as_employee.read(['subject'])[0]['subject'], 'Hello list', 'the employee reads the post')
        for action, args in [('action_moderate_accept', ()), ('action_moderate_reject', ()),
                             ('action_moderate_discard', ()), ('action_moderate_allow', ()), ('action_moderate_ban', ()),
                             ('action_moderate_reject_with_comment', ('Re', '<p>no</p>')),
                             ('action_moderate_ban_with_comment', ('Re', '<p>banned</p>'))]:
            with self.assertRaises(AccessError, msg=action):
                getattr(as_employee, action)(*args)
        self.assertEqual((post.moderation_status, post.moderator_id), ('accepted', self.env['res.users']))
        self.assertFalse(self.group_public.moderation_rule_ids, 'no rule created')
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'paul@poster.example.com')]),
                         'nothing mailed to the author')
        post.with_user(self.user_moderator).action_moderate_ban()
        self.assertEqual(self.group_public.moderation_rule_ids.mapped('status'), ['ban'], 'its moderator may')

    def test_reject_silently(self):
        wizard = Form(self.env['mail.group.message.reject'].with_user(self.user_moderator).with_context(
            default_mail_group_message_id=self.pending.id, default_action='reject')).save()
        wizard.action_reject_without_comment()
        self.assertEqual(self.pending.moderation_status, 'rejected')
        self.assertFalse(self.queued_mails(self.pending))
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'paul@poster.example.com')]))

    def test_send_and_reject(self):
        action = self.pending.with_user(self.user_moderator).action_moderate_reject_open()
        wizard_form = Form(self.env[action['res_model']].with_user(self.user_moderator).with_context(**action['context']))
        self.assertEqual(wizard_form.subject, 'Your message to Moderated List was rejected: P1')
        wizard_form.body = '<p>Off topic, sorry.</p>'
        wizard_form.save().action_send_mail()
        self.assertEqual(self.pending.moderation_status, 'rejected')
        self.assertEqual(self.pending_2.moderation_status, 'pending_moderation', 'a reject does not create a rule')
        answer = self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'paul@poster.example.com')])
        self.assertEqual(len(answer), 1)
        self.assertEqual(answer.subject, 'Your message to Moderated List was rejected: P1')
        self.assertIn('Off topic, sorry.', answer.body_html)
        self.assertEqual(answer.references, self.pending.mail_message_id.message_id)

    def test_whitelist_accepts_all_pending_of_author(self):
        self.pending.with_user(self.user_moderator).action_moderate_allow()
        rule = self.group.moderation_rule_ids
        self.assertEqual((rule.email, rule.status), ('paul@poster.example.com', 'allow'))
        self.assertEqual((self.pending | self.pending_2).mapped('moderation_status'), ['accepted', 'accepted'])
        self.assertEqual(self.other.moderation_status, 'pending_moderation')
        self.assertTrue(self.queued_mails(self.pending_2))
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            later = self.group_message(self.post_raw(self.group, 'paul@poster.example.com', subject='P3'))
        self.assertEqual(later.moderation_status, 'accepted')

    def test_ban_with_comment_rejects_all_pending_of_author(self):
        action = self.pending.with_user(self.user_moderator).action_moderate_ban_open()
        wizard = Form(self.env[action['res_model']].with_user(self.user_moderator).with_context(**action['context']))
        wizard.body = '<p>Spam is not welcome.</p>'
        wizard.save().action_send_mail()
        self.assertEqual(self.group.moderation_rule_ids.mapped('status'), ['ban'])
        self.assertEqual((self.pending | self.pending_2).mapped('moderation_status'), ['rejected', 'rejected'])
        self.assertFalse(self.queued_mails(self.pending))
        answer = self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'paul@poster.example.com')])
        self.assertEqual(len(answer), 1)
        self.assertIn('Spam is not welcome.', answer.body_html)
        self.assertEqual(self.pending.author_moderation, 'ban')

    def test_allow_then_ban_updates_the_single_rule(self):
        self.pending.with_user(self.user_moderator).action_moderate_allow()
        self.other.with_user(self.user_moderator).action_moderate_allow()
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            message = self.group_message(self.post_raw(self.group_public, 'paul@poster.example.com'))
        self.group_public.moderation_rule_ids.unlink()
        message.with_user(self.user_moderator).action_moderate_ban()
        self.assertEqual(len(self.group.moderation_rule_ids), 2)
        self.assertEqual(self.group_public.moderation_rule_ids.mapped('email'), ['paul@poster.example.com'])
        self.pending.with_user(self.user_moderator).action_moderate_ban()
        rules = self.group.moderation_rule_ids.filtered(lambda r: r.email == 'paul@poster.example.com')
        self.assertEqual(len(rules), 1)
        self.assertEqual(rules.status, 'ban')

    def test_banned_members_still_receive_posts(self):
        self.env['mail.group.moderation'].create({
            'mail_group_id': self.group_public.id, 'email': 'plain@member.example.com', 'status': 'ban'})
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            message = self.group_message(self.post_raw(self.group_public, 'cathy@customer.example.com'))
        self.assertIn('plain@member.example.com', self.queued_mails(message))

    def test_moderation_rule_email_normalized_and_unique(self):
        rule = self.env['mail.group.moderation'].create({
            'mail_group_id': self.group.id, 'email': 'Someone <SOMEONE@Example.com>', 'status': 'allow'})
        self.assertEqual(rule.email, 'someone@example.com')
        with self.assertRaises(UserError):
            self.env['mail.group.moderation'].create({'mail_group_id': self.group.id, 'email': 'garbage'})
        with self.assertRaises(psycopg2.errors.UniqueViolation) as caught, mute_logger('odoo.sql_db'), self.cr.savepoint():
            self.env['mail.group.moderation'].create({'mail_group_id': self.group.id, 'email': 'someone@example.com'})
        self.assertEqual(caught.exception.diag.constraint_name, 'mail_group_moderation_mail_group_email_uniq')

    def test_cron_reminds_moderators(self):
        self.group.moderator_ids |= self.user_admin
        with self.mock_mail_gateway():
            self.env['mail.group']._cron_notify_moderators()
        reminders = self.env['mail.message'].sudo().search(
            [('model', '=', 'mail.group'), ('res_id', '=', self.group.id), ('message_type', '!=', 'email')])
        self.assertEqual(len(reminders), 2, 'one reminder to each moderator: their moderation links are their own')
        action = self.env.ref('website_mail_group.mail_group_message_action_to_review')
        for reminder in reminders:
            self.assertEqual(reminder.subject, 'Messages are pending moderation in Moderated List')
            self.assertIn('3 messages', reminder.body)
            self.assertIn(f'/web#action={action.id}&amp;model=mail.group.message&amp;view_type=list', reminder.body,
                          'the reminder opens the To Review list')
            self.assertIn(f'moderator={reminder.notification_ids.res_partner_id.user_ids.id}&amp;', reminder.body)
        self.assertEqual(reminders.notification_ids.res_partner_id, self.user_moderator.partner_id | self.partner_admin)
        by_partner = {n.res_partner_id: n.notification_type for n in reminders.notification_ids}
        self.assertEqual(by_partner[self.user_moderator.partner_id], 'email', 'email-preference moderators get an email')
        self.assertEqual(by_partner[self.partner_admin], 'inbox', 'inbox-preference moderators get an inbox notification')
        self.assertTrue(any('mona.moderator@test.example.com' in ','.join(mail['email_to']) for mail in self._mails))

    def test_no_reminder_without_pending(self):
        (self.pending | self.pending_2 | self.other).with_user(self.user_moderator).action_moderate_reject()
        domain = [('model', '=', 'mail.group'), ('res_id', '=', self.group.id)]
        before = self.env['mail.message'].sudo().search_count(domain)
        self.env['mail.group']._cron_notify_moderators()
        self.assertEqual(self.env['mail.message'].sudo().search_count(domain), before)

    def test_cron_record(self):
        cron = self.env.ref('website_mail_group.ir_cron_mail_notify_group_moderators')
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, 'days', True))

    def test_moderated_group_keeps_a_moderator(self):
        with self.assertRaises(ValidationError):
            self.group.moderator_ids = False
