import datetime
import re

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MailGroupCommon


@tagged('post_install', '-at_install')
class TestDeliveryModes(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.group_public
        Member = cls.env['mail.group.member']
        cls.daily, cls.weekly, cls.web_only = Member.create([
            {'mail_group_id': cls.group.id, 'email': 'daily@example.com', 'delivery_mode': 'daily'},
            {'mail_group_id': cls.group.id, 'email': 'weekly@example.com', 'delivery_mode': 'weekly'},
            {'mail_group_id': cls.group.id, 'email': 'webonly@example.com', 'delivery_mode': 'none'},
        ])

    def digests(self, email):
        return self.env['mail.mail'].sudo().search(
            [('email_to', '=', email), ('mail_message_id.message_type', '=', 'email_outgoing')])

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_only_every_message_members_get_posts_at_once(self):
        message = self.group_message(self.post_raw(self.group, 'cathy@customer.example.com'))
        self.assertEqual(sorted(self.queued_mails(message)), sorted([self.partner_employee.email, 'plain@member.example.com']))

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_daily_and_weekly_digests(self):
        start = fields.Datetime.now()
        with freeze_time(start):
            self.group.write({'digest_daily_last_date': start, 'digest_weekly_last_date': start})
        with freeze_time(start + datetime.timedelta(hours=2)):
            self.post_raw(self.group, 'cathy@customer.example.com', subject='Monday news', body='First post here')
            self.post_raw(self.group, 'plain@member.example.com', subject='Re: Monday news', body='An answer')
            self.post_raw(self.group_moderated, 'x@example.com', subject='Held elsewhere')
        with freeze_time(start + datetime.timedelta(days=1)):
            self.env['mail.group']._cron_send_digests()
        daily = self.digests('daily@example.com')
        self.assertEqual(len(daily), 1, 'one digest, not one mail per post')
        self.assertFalse(self.digests('weekly@example.com'), 'the week is not over')
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', '=', 'webonly@example.com')]))
        self.assertEqual(daily.subject, 'Public List: Daily digest, 2 messages')
        sent = self.as_sent(daily)
        body = next(sent.iter_parts()).get_body(('html',)).get_content()
        self.assertLess(body.index('Contents'), body.index('First post here'), 'table of contents first')
        self.assertIn('Monday news', body)
        self.assertIn('An answer', body)
        self.assertRegex(body, r'cathy@customer\.example\.com, [^<)]*\d\d:\d\d:\d\d UTC\)',
                         'a date says its time zone: one digest body serves members of every zone')
        self.assertNotIn('Held elsewhere', body)
        self.assertIn(self.group._get_email_unsubscribe_url('daily@example.com').replace('&', '&amp;'), body)
        self.assertIn(self.group._get_delivery_settings_url('daily@example.com').replace('&', '&amp;'), body)
        self.assertTrue(daily.mail_group_post)
        self.assertEqual(sent['List-Unsubscribe'], f"<{self.group._get_email_unsubscribe_url('daily@example.com')}>")

        with freeze_time(start + datetime.timedelta(days=1, hours=1)):
            self.env['mail.group']._cron_send_digests()
        self.assertEqual(len(self.digests('daily@example.com')), 1, 'no post since: no new digest')

        with freeze_time(start + datetime.timedelta(days=7)):
            self.env['mail.group']._cron_send_digests()
        weekly = self.digests('weekly@example.com')
        self.assertEqual(len(weekly), 1)
        self.assertEqual(weekly.subject, 'Public List: Weekly digest, 2 messages')
        body = next(self.as_sent(weekly).iter_parts()).get_body(('html',)).get_content()
        contents = body.split('Contents', 1)[1]
        toc = re.findall(r'<li[^>]*>\s*<a href="([^"]*)">([^<]*)</a>', contents)
        self.assertEqual([subject for __, subject in toc], ['Monday news', 'Re: Monday news'],
                         'the table of contents lists the posts in order')
        for url, subject in toc:
            self.assertRegex(url, rf'/groups/[^/]+-{self.group.id}/[^/]+-\d+$', f'{subject}: links to its archive page')
        posts = contents
        self.assertLess(posts.index('First post here'), posts.index('An answer'), 'then the excerpts, in order')
        self.assertIn('cathy@customer.example.com', posts)
        self.assertNotIn('Held elsewhere', body)
        self.assertIn(self.group._get_email_unsubscribe_url('weekly@example.com').replace('&', '&amp;'), body)
        self.assertNotIn(self.group._get_email_unsubscribe_url('daily@example.com').replace('&', '&amp;'), body)

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_post_accepted_late_goes_in_next_digest(self):
        self.group_moderated.digest_daily_last_date = fields.Datetime.now() - datetime.timedelta(hours=1)
        self.env['mail.group.member'].create({
            'mail_group_id': self.group_moderated.id, 'email': 'daily@example.com', 'delivery_mode': 'daily'})
        message = self.group_message(self.post_raw(self.group_moderated, 'x@example.com', subject='Late one'))
        self.group_moderated._send_digest('daily')
        self.assertFalse(self.digests('daily@example.com'), 'pending posts are not in digests')
        message.with_user(self.user_moderator).action_moderate_accept()
        self.group_moderated._send_digest('daily', fields.Datetime.now() + datetime.timedelta(seconds=1))
        self.assertIn('Late one', self.digests('daily@example.com').body_html)


@tagged('post_install', '-at_install')
class TestDeliverySettingsPage(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.env['mail.group'].create({'name': 'Settings List', 'alias_name': 'settings-list'})
        cls.member = cls.env['mail.group.member'].create({'mail_group_id': cls.group.id, 'email': 'reader@example.com'})

    def test_member_chooses_digest_from_footer_link(self):
        url = self.group._get_delivery_settings_url('reader@example.com')
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn('Daily digest', page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        token = self.group._generate_delivery_token('reader@example.com')
        response = self.url_open(f'/group/{self.group.id}/delivery', data={
            'csrf_token': csrf, 'email': 'reader@example.com', 'token': token, 'delivery_mode': 'weekly'})
        self.assertEqual(response.status_code, 200)
        self.assertIn('Your choice is saved.', response.text)
        self.assertEqual(self.member.delivery_mode, 'weekly')

    def test_forged_or_foreign_links_refused(self):
        forged = self.url_open(f'/group/{self.group.id}/delivery?email=reader@example.com&token=forged')
        self.assertEqual(forged.status_code, 400)
        other_group = self.env['mail.group'].create({'name': 'Other', 'alias_name': 'other-settings'})
        token = other_group._generate_delivery_token('reader@example.com')
        cross = self.url_open(f'/group/{self.group.id}/delivery?email=reader@example.com&token={token}')
        self.assertEqual(cross.status_code, 400, 'a token is valid for one group only')
        unsubscribe_token = self.group._generate_action_token('reader@example.com', 'unsubscribe')
        wrong_action = self.url_open(f'/group/{self.group.id}/delivery?email=reader@example.com&token={unsubscribe_token}')
        self.assertEqual(wrong_action.status_code, 400, 'a token is valid for one action only')
        self.assertEqual(self.member.delivery_mode, 'every')

    def test_saving_settings_turns_delivery_back_on(self):
        self.member.write({'delivery_disabled_date': fields.Datetime.now(), 'bounce_count': 5})
        page = self.url_open(self.group._get_delivery_settings_url('reader@example.com'))
        self.assertIn('too many emails bounced', page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        self.url_open(f'/group/{self.group.id}/delivery', data={
            'csrf_token': csrf, 'email': 'reader@example.com',
            'token': self.group._generate_delivery_token('reader@example.com'), 'delivery_mode': 'every'})
        self.assertFalse(self.member.delivery_disabled_date)
        self.assertEqual(self.member.bounce_count, 0)

    @mute_logger('odoo.http')
    def test_state_changing_posts_need_csrf(self):
        """Every state-changing form checks the CSRF token (the RFC 8058
        one-click POST and the moderation links are the exceptions, and need
        a signed token)."""
        token = self.group._generate_delivery_token('reader@example.com')
        response = self.url_open(f'/group/{self.group.id}/delivery', data={
            'email': 'reader@example.com', 'token': token, 'delivery_mode': 'none'})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.member.delivery_mode, 'every')
        response = self.url_open(f'/groups/{self.group.id}/subscription', data={'email': 'victim@example.com'})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', '=', 'victim@example.com')]))
