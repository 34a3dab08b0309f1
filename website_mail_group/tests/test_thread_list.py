"""The archive's thread list, as HyperKitty shows it: replies, participants
and last activity of each thread, sorted by latest activity or by creation."""
from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestThreadList(WebsiteMailGroupCase):

    def threads(self, tree):
        return [int(node) for node in tree.xpath('//li[contains(@class, "o_mg_message_item")]/@data-id')]

    def line(self, tree, post):
        item = tree.xpath(f'//li[contains(@class, "o_mg_message_item")][@data-id="{post.id}"]')[0]
        return ' '.join(item.xpath('./div[contains(@class, "small")]')[0].text_content().split())

    def test_counts_of_each_thread(self):
        """Accepted replies of the whole sub-thread, distinct authors
        (the root's included); posts waiting or rejected count for nothing."""
        self._post(self.group_public, 'Re: Kernel release', '<p>Thanks Greg</p>', parent=self.msg_reply, days=7,
                   email_from='Linus <linus@example.org>')
        self._post(self.group_public, 'Re: Kernel release', '<p>held</p>', parent=self.msg_reply, days=7,
                   email_from='Eve <eve@example.org>', status='pending_moderation')
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        line = self.line(tree, self.msg_root)
        self.assertIn('2 replies · 2 participants · last activity', line)
        self.assertIn('0 replies · 1 participant', self.line(tree, self.msg_second))
        self.assertNotIn('last activity', self.line(tree, self.msg_second))

    def test_sort_by_activity_or_creation(self):
        """An old thread answered today comes first by activity, last by
        creation; the choice survives the pager and the months."""
        old = self._post(self.group_public, 'Old question', '<p>Anyone?</p>', days=20)
        self._post(self.group_public, 'Re: Old question', '<p>Yes</p>', parent=old, days=0)
        path = f'/groups/{slug(self.group_public)}'
        _response, tree = self.get_page(path)
        self.assertEqual(self.threads(tree), [old.id, self.msg_second.id, self.msg_root.id])
        self.assertIn('fw-bold', tree.xpath('//a[contains(@class, "o_mg_sort_activity")]/@class')[0])
        created = tree.xpath('//a[contains(@class, "o_mg_sort_created")]/@href')[0]
        self.assertEqual(created, f'{path}?sort=created')
        _response, tree = self.get_page(created)
        self.assertEqual(self.threads(tree), [self.msg_second.id, self.msg_root.id, old.id])
        self.assertTrue(all('sort=created' in href for href in tree.xpath('//a[contains(@class, "o_mg_month")]/@href')))
        # anything else is the default order; the flat list has no sort
        self.assertEqual(self.threads(self.get_page(f'{path}?sort=%00')[1]), [old.id, self.msg_second.id, self.msg_root.id])
        _response, tree = self.get_page(f'{path}?mode=date&sort=created')
        self.assertFalse(tree.xpath('//a[contains(@class, "o_mg_sort_created")]'))

    def test_pager_keeps_the_sort(self):
        for index in range(21):
            self._post(self.group_public, f'Thread {index}', '<p>x</p>', days=30 + index)
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}?sort=created')
        pages = tree.xpath('//ul[contains(@class, "pagination")]//a[contains(@href, "/page/2")]/@href')
        self.assertTrue(pages and all('sort=created' in href for href in pages), pages)
