"""What the group and thread pages tell about membership: a member sees
how they receive the group's mails and changes it from there; a reader of
a thread who is not a member can join from the thread."""
from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestGroupPageMembership(WebsiteMailGroupCase):

    def delivery_line(self, tree):
        return self.texts(tree, '//p[contains(@class, "o_mg_delivery_mode")]')

    def test_member_sees_and_changes_their_delivery(self):
        self.authenticate('wmg_portal', 'wmg_portal')
        member = self.group_members.member_ids.filtered(lambda m: m.partner_id == self.user_portal.partner_id)
        member.delivery_mode = 'daily'
        _response, tree = self.get_page(f'/groups/{slug(self.group_members)}')
        self.assertEqual(self.delivery_line(tree), ['You receive: Daily digest. Change delivery'])
        link = tree.xpath('//a[contains(@class, "o_mg_delivery_change")]/@href')[0]
        _response, settings = self.get_page(link[link.index('/group/'):])
        form = settings.xpath('//form[.//input[@name="delivery_mode"]]')[0]
        data = {field.get('name'): field.get('value') for field in form.xpath('.//input[@type="hidden"]')}
        response = self.url_open(form.get('action'), data={**data, 'delivery_mode': 'every'})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(member.delivery_mode, 'every', "their own row, changed through the page's link")

        member.delivery_disabled_date = '2026-01-01 00:00:00'
        _response, tree = self.get_page(f'/groups/{slug(self.group_members)}')
        self.assertIn('paused', self.delivery_line(tree)[0])

    def test_no_delivery_line_for_others(self):
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        self.assertEqual(self.delivery_line(tree), [], 'a visitor')
        self.authenticate('wmg_portal2', 'wmg_portal2')
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        self.assertEqual(self.delivery_line(tree), [], 'a user who is not a member')

    def test_thread_page_offers_to_join(self):
        path = f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}'
        _response, tree = self.get_page(path)
        join = tree.xpath('//div[contains(@class, "o_mg_thread_join")]//form[contains(@class, "o_mg_subscribe_form")]')
        self.assertEqual(len(join), 1)
        self.assertEqual(join[0].xpath('.//input[@name="email"]/@type'), ['email'])
        self.authenticate('wmg_portal', 'wmg_portal')
        _response, tree = self.get_page(f'/groups/{slug(self.group_members)}/{slug(self.msg_secret)}')
        self.assertFalse(tree.xpath('//div[contains(@class, "o_mg_thread_join")]'), 'a member is not asked')
