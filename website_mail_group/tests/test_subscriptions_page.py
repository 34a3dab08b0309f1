"""/groups/subscriptions: a visitor sees and leaves every group of their
address through a signed link; nobody learns who is a member."""
import re
from datetime import timedelta

import lxml.html

from odoo import fields
from odoo.tests import tagged

from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestSubscriptionsPage(WebsiteMailGroupCase):

    def request_link(self, email):
        _response, tree = self.get_page('/groups/subscriptions')
        response = self.url_open('/groups/subscriptions', data={'csrf_token': self.csrf_token(tree), 'email': email})
        self.assertEqual(response.status_code, 200)
        tree = lxml.html.fromstring(response.content)
        return ' '.join(self.texts(tree, '//*[contains(@class, "o_mg_subscriptions_status")]'))

    def link_mails(self, email):
        self.env.invalidate_all()
        return self.env['mail.mail'].sudo().search([('email_to', '=', email)]).filtered(
            lambda mail: '/groups/subscriptions?' in (mail.body_html or ''))

    def page_link(self, mail):
        return re.search(r'href="[^"]*(/groups/subscriptions\?[^"]*)"', mail.body_html).group(1).replace('&amp;', '&')

    def group_names(self, tree):
        return self.texts(tree, '//*[contains(@class, "o_mg_subscription")]//*[contains(@class, "o_mg_subscription_group")]')

    def test_same_answer_whether_or_not_the_address_has_subscriptions(self):
        member = self.request_link('known@member.example.com')
        stranger = self.request_link('nobody@stranger.example.com')
        self.assertEqual(member.replace('known@member.example.com', 'ADDRESS'),
                         stranger.replace('nobody@stranger.example.com', 'ADDRESS'), 'the page never tells who is a member')
        self.assertIn('if this address has subscriptions', member)
        self.assertEqual(len(self.link_mails('known@member.example.com')), 1)
        self.assertFalse(self.confirmation_mails('nobody@stranger.example.com'), 'no mail to addresses without subscription')
        for _index in range(3):
            self.assertEqual(self.request_link('known@member.example.com'), member)
        self.assertEqual(len(self.link_mails('known@member.example.com')), 3, 'throttled like confirmations (3 an hour)')

    def test_signed_link_lists_and_leaves_the_address_groups(self):
        self.env['mail.group.member'].create({'mail_group_id': self.group_users.id, 'email': 'known@member.example.com',
                                              'delivery_mode': 'daily'})
        self.request_link('known@member.example.com')
        link = self.page_link(self.link_mails('known@member.example.com'))
        _response, tree = self.get_page(link)
        self.assertEqual(sorted(self.group_names(tree)), ['Employees Corner', 'Open Source Talk'])
        self.assertIn('Daily digest', ' '.join(self.texts(tree, '//*[contains(@class, "o_mg_subscription_mode")]')))
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'), 'opening the page changes nothing')
        forms = tree.xpath(f'//form[contains(@class, "o_mg_subscription_leave")][.//input[@name="group_id"][@value="{self.group_public.id}"]]')
        self.assertEqual(forms[0].get('method'), 'post')
        data = {field.get('name'): field.get('value') for field in forms[0].xpath('.//input')}
        response = self.url_open(forms[0].get('action'), data=data)
        tree = lxml.html.fromstring(response.content)
        self.assertFalse(self.is_member(self.group_public, 'known@member.example.com'))
        self.assertTrue(self.is_member(self.group_users, 'known@member.example.com'))
        self.assertEqual(self.group_names(tree), ['Employees Corner'])

    def test_forged_expired_and_misused_links(self):
        Group = self.env['mail.group']
        token = Group._generate_subscriptions_token('known@member.example.com')
        for email, forged in (('known@member.example.com', token[:-2] + 'xx'), ('second@member.example.com', token),
                              ('known@member.example.com', 'nonsense'), ('known@member.example.com', '')):
            _response, tree = self.get_page(f'/groups/subscriptions?email={email}&token={forged}', 400)
            self.assertFalse(self.group_names(tree))
        old = Group._generate_subscriptions_token('known@member.example.com',
                                                  expires_at=fields.Datetime.now() - timedelta(hours=1))
        _response, tree = self.get_page(f'/groups/subscriptions?email=known@member.example.com&token={old}', 410)
        self.assertFalse(self.group_names(tree))
        confirm = self.group_public._generate_action_token('known@member.example.com', 'subscribe')
        self.get_page(f'/groups/subscriptions?email=known@member.example.com&token={confirm}', 400)
        # leaving with a forged token changes nothing
        _response, tree = self.get_page('/groups/subscriptions')
        self.url_open('/groups/subscriptions/leave', data={
            'csrf_token': self.csrf_token(tree), 'group_id': self.group_public.id,
            'email': 'known@member.example.com', 'token': token[:-2] + 'xx'})
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'))

    def test_logged_in_user_sees_own_subscriptions_without_mail(self):
        self.authenticate('wmg_portal', 'wmg_portal')
        _response, tree = self.get_page('/groups/subscriptions')
        self.assertEqual(self.group_names(tree), ['Secret Society'])
        self.assertFalse(tree.xpath('//input[@name="email"]'), 'no address to type: the page is theirs')
        form = tree.xpath('//form[contains(@class, "o_mg_subscription_leave")]')[0]
        data = {field.get('name'): field.get('value') for field in form.xpath('.//input')}
        self.url_open(form.get('action'), data=data)
        self.assertFalse(self.is_member(self.group_members, 'paula@portal.example.com'))
        self.assertFalse(self.link_mails('paula@portal.example.com'))
        # another address is not theirs to see
        _response, tree = self.get_page('/groups/subscriptions?email=known@member.example.com', 400)
        self.assertFalse(self.group_names(tree))
