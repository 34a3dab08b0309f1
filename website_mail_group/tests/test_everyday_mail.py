"""What moderators, new members and authors notice by mail: a held post
alerts its moderators at once, a new member is welcomed, a rejection says
what happened; "Reply by email" on the website answers in the thread."""
from urllib.parse import parse_qs, unquote, urlparse

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MailGroupCommon
from .mails import raw_mail
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install')
class TestModeratorAlerts(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.group_moderated
        cls.group.moderator_ids |= cls.user_admin  # inbox preference

    def alerts(self, post=None):
        domain = [('model', '=', 'mail.group.message'), ('message_type', '=', 'user_notification')]
        if post:
            domain.append(('res_id', '=', post.id))
        return self.env['mail.message'].sudo().search(domain)

    def queue_trigger_count(self):
        cron = self.env.ref('mail.ir_cron_mail_scheduler_action')
        return self.env['ir.cron.trigger'].sudo().search_count([('cron_id', '=', cron.id)])

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_held_post_alerts_every_moderator_at_once(self):
        triggers = self.queue_trigger_count()
        with self.mock_mail_gateway():
            post = self.group_message(self.post_raw(
                self.group, 'Stranger <stranger@elsewhere.example.com>', subject='Cheap watches',
                body='Dear list,\n\nbuy our watches, they are cheap and they tick.'))
        self.assertEqual(post.moderation_status, 'pending_moderation')
        alerts = self.alerts(post)
        self.assertEqual(len(alerts), 2, 'one notification to each moderator: their moderation links are their own')
        by_partner = {n.res_partner_id: n.notification_type for n in alerts.notification_ids}
        self.assertEqual(by_partner, {self.user_moderator.partner_id: 'email', self.partner_admin: 'inbox'},
                         "each moderator by their own preference")
        for alert in alerts:
            self.assertIn('Cheap watches', alert.subject)
            self.assertIn('Moderated List', alert.subject)
            self.assertEqual(len(alert.notification_ids), 1)
            body = alert.body
            self.assertIn(f'/web#model=mail.group.message&amp;id={post.id}&amp;view_type=form', body, 'a link to the post')
            self.assertIn('stranger@elsewhere.example.com', body)
            self.assertIn('Moderated group', body, 'the reason')
            self.assertIn('buy our watches', body, 'an excerpt')
            moderator = alert.notification_ids.res_partner_id.user_ids
            self.assertIn(f'/moderate/accept?post={post.id}&amp;moderator={moderator.id}&amp;token=', body,
                          'links signed for that moderator')
        alert_mails = [mail for mail in self._mails if 'Cheap watches' in mail['subject']]
        self.assertEqual([mail['email_to'] for mail in alert_mails], [['"Mona Moderator" <mona.moderator@test.example.com>']],
                         'one email, to the moderator who prefers email')
        self.assertGreater(self.queue_trigger_count(), triggers, 'the mail queue is woken')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_alert_readable_by_moderators_only(self):
        post = self.group_message(self.post_raw(self.group, 'stranger@elsewhere.example.com'))
        alerts = self.alerts(post)
        own = alerts.filtered(lambda alert: alert.notification_ids.res_partner_id == self.user_moderator.partner_id)
        own.with_user(self.user_moderator).read(['body'])
        for other_user in (self.user_employee, self.user_moderator):
            with self.assertRaises(AccessError):
                (alerts - own).with_user(other_user).read(['body'])
        with self.assertRaises(AccessError):
            own.with_user(self.user_employee).read(['body'])
        alert = alerts
        post.with_user(self.user_moderator).action_moderate_discard()
        self.assertFalse(alert.exists(), 'a discarded post takes its alert along')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_spam_spray_alerts_are_capped(self):
        self.env['ir.config_parameter'].sudo().set_param('website_mail_group.moderator_alert_limit', 3)
        for index in range(6):
            self.post_raw(self.group, f'spammer{index}@spam.example.com', subject=f'Spam {index}')
        self.assertEqual(len(self.alerts()), 3 * 2, 'at most 3 alerts a group an hour (to each of 2 moderators)')
        self.post_raw(self.group_public, 'x@elsewhere.example.com')  # accepted: no alert
        self.assertEqual(len(self.alerts()), 3 * 2)
        self.env['mail.group']._cron_notify_moderators()
        reminder = self.env['mail.message'].sudo().search(
            [('model', '=', 'mail.group'), ('res_id', '=', self.group.id), ('message_type', '=', 'user_notification')],
            limit=1)
        self.assertIn('6 messages', reminder.body, 'the reminder counts them all')
        action = self.env.ref('website_mail_group.mail_group_message_action_to_review')
        self.assertIn(f'/web#action={action.id}&amp;model=mail.group.message&amp;view_type=list', reminder.body,
                      'the reminder opens the To Review list')


@tagged('post_install', '-at_install')
class TestWelcomeMail(MailGroupCommon):

    def welcome(self, email):
        return self.env['mail.mail'].sudo().search([
            ('email_to', 'ilike', email), '|', ('subject', 'ilike', 'Welcome'), ('subject', 'ilike', 'Guidelines')])

    def assert_welcome(self, group, email, subject=None):
        mail = self.welcome(email)
        self.assertEqual(len(mail), 1, f'one welcome mail to {email}')
        self.assertEqual(mail.subject, subject or f'Welcome to {group.name}')
        body = mail.body_html.replace('&amp;', '&')
        self.assertIn(f'mailto:{group.alias_email}', body, 'how to post')
        self.assertIn(f'/groups/{group.id}', body, 'where the archive is')
        self.assertIn(group._get_delivery_settings_url(email), body, 'their own delivery settings')
        self.assertIn(group._get_email_unsubscribe_url(email), body, 'their own way out')
        self.assertFalse(mail.model or mail.res_id, 'on no record other users could read')
        return mail

    def test_back_office_join_sends_one_welcome(self):
        user = mail_new_test_user(self.env, login='newcomer', groups='base.group_user', name='New Comer',
                                  email='newcomer@example.com')
        self.group_public.with_user(user).action_join()
        self.assert_welcome(self.group_public, 'newcomer@example.com')

    def test_guidelines_are_part_of_the_welcome(self):
        self.group_public.write({'moderation_guidelines': True, 'moderation_guidelines_msg': '<p>Be kind.</p>'})
        self.group_public._join_group('guided@example.com')
        mail = self.assert_welcome(self.group_public, 'guided@example.com',
                                   subject='Guidelines of group Public List')
        self.assertIn('Be kind.', mail.body_html)
        self.assertEqual(len(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'guided@example.com')])), 1,
                         'one mail, not a welcome and guidelines')

    def test_batch_code_can_join_without_welcome(self):
        self.group_public.with_context(mail_group_no_welcome=True)._join_group('migrated@example.com')
        self.assertTrue(self.group_public._find_member('migrated@example.com'))
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'migrated@example.com')]))


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWelcomeAndReplyOnWebsite(WebsiteMailGroupCase):

    def test_confirmation_link_sends_welcome(self):
        self.make_jsonrpc_request('/group/subscribe', {
            'group_id': self.group_public.id, 'email': 'visitor@example.com', 'action': 'subscribe'})
        link = self.link_from_mail(self.confirmation_mails('visitor@example.com'), 'subscribe')
        self.follow_confirmation_link(link[link.index('/group/'):])
        self.env.invalidate_all()
        welcome = self.env['mail.mail'].sudo().search([('email_to', '=', 'visitor@example.com'), ('subject', 'like', 'Welcome')])
        self.assertEqual(len(welcome), 1)
        self.assertIn(self.group_public._get_email_unsubscribe_url('visitor@example.com').replace('&', '&amp;'),
                      welcome.body_html)

    def test_website_join_sends_welcome(self):
        self.authenticate('wmg_employee', 'wmg_employee')
        self.make_jsonrpc_request('/group/subscribe', {'group_id': self.group_public.id, 'action': 'subscribe'})
        self.env.invalidate_all()
        welcome = self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'ernest@employee.example.com')])
        self.assertEqual(welcome.mapped('subject'), ['Welcome to Open Source Talk'])

    def test_reply_by_email_link_stays_in_the_thread(self):
        self.msg_second.mail_message_id.message_id = '<conference+1@example.org>'
        _response, tree = self.get_page(f'/groups/{self.group_public.id}/{self.msg_second.id}')
        hrefs = [href for href in tree.xpath('//a/@href') if href.startswith('mailto:') and 'In-Reply-To' in href]
        self.assertEqual(len(hrefs), 1, 'a "Reply by email" link carrying In-Reply-To')
        parsed = urlparse(hrefs[0])
        self.assertEqual(unquote(parsed.path), self.group_public.alias_email)
        params = parse_qs(parsed.query)
        self.assertEqual(params['In-Reply-To'], ['<conference+1@example.org>'])
        self.assertEqual(params['References'], ['<conference+1@example.org>'])
        self.assertEqual(params['subject'], ['Re: Conference next week'])
        self.assertIn('In-Reply-To=%3Cconference%2B1%40example.org%3E', hrefs[0], 'percent-encoded (RFC 6068)')
        raw = raw_mail('known@member.example.com', self.group_public.alias_email, params['subject'][0],
                       'I am coming.', message_id='<reply-by-link@member.example.com>', content_type='text/plain',
                       headers={'In-Reply-To': params['In-Reply-To'][0], 'References': params['References'][0]})
        self.env['mail.thread'].message_process(None, raw)
        reply = self.env['mail.group.message'].sudo().search(
            [('mail_message_id.message_id', '=', '<reply-by-link@member.example.com>')])
        self.assertEqual(reply.group_message_parent_id, self.msg_second, 'the reply lands in the same thread')


@tagged('post_install', '-at_install')
class TestRejectionMail(MailGroupCommon):

    @classmethod
    @mute_logger('odoo.addons.mail.models.mail_thread')
    def setUpClass(cls):
        super().setUpClass()
        # posted once for the class (each test rolls back its changes); post_raw only needs ``env``
        cls.post = MailGroupCommon.group_message(cls, MailGroupCommon.post_raw(
            cls, cls.group_moderated, 'Eve <eve@elsewhere.example.com>', subject='My <b>offer</b>',
            body='Please buy my product.', message_id='<offer-1@elsewhere.example.com>'))

    def answer(self):
        return self.env['mail.mail'].sudo().search(
            [('email_to', 'ilike', 'eve@elsewhere.example.com'), ('body_html', 'ilike', 'Off topic here')])

    def assert_answer(self, verb):
        mail = self.answer()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, f'Your message to Moderated List was {verb}: My <b>offer</b>')
        self.assertIn('Moderated List', mail.body_html)
        self.assertIn('Off topic here', mail.body_html, "the moderator's explanation")
        self.assertIn('Please buy my product.', mail.body_html, 'the post is quoted')
        self.assertIn('<blockquote', mail.body_html)
        self.assertIn('&lt;b&gt;offer', mail.body_html, 'the subject is escaped in the body')
        self.assertEqual(mail.references, '<offer-1@elsewhere.example.com>')
        self.assertIn("'In-Reply-To': '<offer-1@elsewhere.example.com>'", mail.headers)
        self.assertIn('mona.moderator', mail.email_from, "from the moderator, as Odoo's mail_group sends it")
        self.assertFalse(mail.model, 'on no record')
        return mail

    def send_from_wizard(self, action):
        """Reject / Ban in the dialog, with the subject it proposes."""
        wizard = self.env['mail.group.message.reject'].with_user(self.user_moderator).create({
            'mail_group_message_id': self.post.id, 'action': action, 'body': '<p>Off topic here</p>'})
        wizard.action_send_mail()

    def test_reject_with_explanation(self):
        self.send_from_wizard('reject')
        self.assert_answer('rejected')

    def test_ban_with_explanation(self):
        self.send_from_wizard('ban')
        self.assert_answer('rejected and its author banned')

    def test_moderator_subject_is_kept(self):
        """The subject the moderator typed is the one sent (Odoo's API)."""
        self.post.with_user(self.user_moderator).action_moderate_reject_with_comment('Not here', '<p>Off topic here</p>')
        self.assertEqual(self.answer().subject, 'Not here')

    def test_quote_is_sanitized_and_capped(self):
        self.post.sudo().write({'body_text': False})
        self.post.sudo().mail_message_id.body = '<p>x</p><img src=x onerror="alert(1)"><p>long words</p>' * 2000
        self.post.with_user(self.user_moderator).action_moderate_reject_with_comment('s', '<p>Off topic here</p>')
        mail = self.answer()
        self.assertNotIn('onerror', mail.body_html)
        self.assertLess(len(mail.body_html), 20000)
        self.assertIn('[…]', mail.body_html, 'the quote says it was cut')
