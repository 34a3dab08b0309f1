"""Delivery modes "First post of each topic" and "Daily summary": who
receives which post, what a summary holds, where members choose them."""
import datetime

import lxml.html
from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .test_mute_follow import ThreadCase
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestFirstPostAndSummary(ThreadCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sam = cls.env['mail.group.member'].create(
            {'mail_group_id': cls.group.id, 'email': 'sam@example.com', 'delivery_mode': 'summary'})

    def test_first_post_member_gets_topics_not_replies(self):
        root = self.post('New topic')
        reply = self.post('Re: New topic', root.mail_message_id.message_id)
        self.assertIn('fiona@example.com', self.recipients(root))
        self.assertNotIn('fiona@example.com', self.recipients(reply))
        self.assertNotIn('sam@example.com', self.recipients(root) | self.recipients(reply), 'summaries wait')
        self.assertEqual(self.as_sent(self.queued_mails(root)['fiona@example.com'])['Subject'], 'New topic')

    def test_daily_summary_lists_subjects_authors_links_without_bodies(self):
        start = fields.Datetime.now()
        self.group.write({'digest_daily_last_date': start, 'digest_summary_last_date': start})
        with freeze_time(start + datetime.timedelta(hours=1)):
            root = self.post('Summer meeting', author='Alice <alice@example.com>')
            self.post('Re: Summer meeting', root.mail_message_id.message_id, author='Bob <bob@example.com>')
        with freeze_time(start + datetime.timedelta(days=1)):
            self.env['mail.group']._cron_send_digests()
        summary = self.env['mail.mail'].sudo().search([('email_to', '=', 'sam@example.com')])
        self.assertEqual(len(summary), 1, 'one summary a day')
        self.assertEqual(summary.subject, 'Public List: Daily summary, 2 messages')
        sent = self.as_sent(summary)
        self.assertFalse(sent.is_multipart() and any(part.get_content_type() == 'multipart/digest'
                                                     for part in sent.walk()), 'no post attached')
        html = sent.get_body(('html',)).get_content()
        tree = lxml.html.fromstring(html)
        items = [' '.join(li.text_content().split()) for li in tree.xpath('//ol/li')]
        self.assertEqual(len(items), 2)
        self.assertTrue(items[0].startswith('Summer meeting (Alice, '), items[0])
        self.assertTrue(items[1].startswith('Re: Summer meeting (Bob, '), items[1])
        self.assertNotIn('alice@example.com', html, 'authors named without their address')
        self.assertRegex(tree.xpath('//ol/li/a/@href')[0], rf'/groups/[^/]+-{self.group.id}/[^/]+-{root.id}$')
        self.assertNotIn('Body of Summer meeting', html, 'no bodies')
        self.assertIn('Unsubscribe', html, 'the footer with its links')
        daily = self.env['mail.mail'].sudo().search([('email_to', '=', 'dina@example.com')])
        self.assertIn('Body of Summer meeting', next(self.as_sent(daily).iter_parts()).get_body(('html',)).get_content(),
                      'a digest still carries the posts')
        with freeze_time(start + datetime.timedelta(days=1, hours=2)):
            self.env['mail.group']._cron_send_digests()
        self.assertEqual(len(self.env['mail.mail'].sudo().search([('email_to', '=', 'sam@example.com')])), 1,
                         'each post in one summary only')


@tagged('post_install', '-at_install', 'website_mail_group')
class TestModesOffered(WebsiteMailGroupCase):

    def test_settings_page_offers_the_new_modes(self):
        member = self.group_public.member_ids.filtered(lambda m: m.email_normalized == 'known@member.example.com')
        url = self.group_public._member_url(member, 'settings')
        _response, page = self.get_page(url)
        self.assertEqual(page.xpath('//input[@name="delivery_mode"]/@value'),
                         ['every', 'first_post', 'daily', 'weekly', 'summary', 'none'])
        self.assertEqual(self.texts(page, '//label[@for="o_mg_mode_first_post"]'), ['First post of each topic'])
        form = page.xpath('//form[contains(@class, "o_mg_delivery_form")]')[0]
        data = {field.get('name'): field.get('value') for field in form.xpath('.//input[@type="hidden"]')}
        response = self.url_open(form.get('action'), data={**data, 'delivery_mode': 'summary'})
        self.assertEqual(response.status_code, 200)
        member.invalidate_recordset()
        self.assertEqual(member.delivery_mode, 'summary')

        # the group page tells a logged-in member their mode
        self.env['mail.group.member'].create({'mail_group_id': self.group_public.id,
                                              'partner_id': self.user_portal.partner_id.id,
                                              'delivery_mode': 'first_post'})
        self.authenticate('wmg_portal', 'wmg_portal')
        _response, page = self.get_page(f'/groups/{self.group_public.id}')
        self.assertIn('You receive: First post of each topic.', self.texts(page, '//p[contains(@class, "o_mg_delivery_mode")]')[0])

    def test_member_form_offers_the_new_modes(self):
        view = self.env.ref('website_mail_group.mail_group_member_view_form', raise_if_not_found=False) \
            or self.env['ir.ui.view'].search([('model', '=', 'mail.group.member'), ('type', '=', 'form')], limit=1)
        arch = self.env['mail.group.member'].get_views([(view.id, 'form')])['views']['form']['arch']
        self.assertIn('name="delivery_mode"', arch)
        selection = dict(self.env['mail.group.member'].fields_get(['delivery_mode'])['delivery_mode']['selection'])
        self.assertEqual(selection['first_post'], 'First post of each topic')
        self.assertEqual(selection['summary'], 'Daily summary')
