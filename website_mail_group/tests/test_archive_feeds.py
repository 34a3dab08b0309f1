"""Atom feeds of a group and of a thread: what a feed reader gets, and
who gets it (the archive's access rules)."""
import lxml.etree
import lxml.html

from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from .test_website import WebsiteMailGroupCase

ATOM = {'a': 'http://www.w3.org/2005/Atom'}


@tagged('post_install', '-at_install', 'website_mail_group')
class TestArchiveFeeds(WebsiteMailGroupCase):

    def feed(self, url, expected_status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, expected_status, f'{url} answered {response.status_code}')
        if expected_status != 200:
            return None
        self.assertEqual(response.headers['Content-Type'].split(';')[0], 'application/atom+xml')
        return lxml.etree.fromstring(response.content)

    def entries(self, feed):
        return [{
            'id': entry.findtext('a:id', namespaces=ATOM),
            'title': entry.findtext('a:title', namespaces=ATOM),
            'author': entry.findtext('a:author/a:name', namespaces=ATOM),
            'link': entry.find('a:link[@rel="alternate"]', ATOM).get('href'),
            'content': entry.find('a:content', ATOM),
            'updated': entry.findtext('a:updated', namespaces=ATOM),
            'published': entry.findtext('a:published', namespaces=ATOM),
        } for entry in feed.findall('a:entry', ATOM)]

    def test_group_feed_lists_accepted_posts_newest_first(self):
        group_url = f'/groups/{slug(self.group_public)}'
        feed = self.feed(f'{group_url}/feed')
        self.assertEqual(feed.tag, '{http://www.w3.org/2005/Atom}feed')
        self.assertEqual(feed.findtext('a:title', namespaces=ATOM), 'Open Source Talk')
        self.assertEqual(feed.findtext('a:subtitle', namespaces=ATOM), 'Everything about open source.')
        self.assertTrue(feed.findtext('a:id', namespaces=ATOM).startswith('urn:uuid:'))
        self.assertRegex(feed.findtext('a:updated', namespaces=ATOM), r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        links = {link.get('rel'): link.get('href') for link in feed.findall('a:link', ATOM)}
        self.assertTrue(links['self'].endswith(f'{group_url}/feed'))
        self.assertTrue(links['alternate'].endswith(group_url))

        entries = self.entries(feed)
        self.assertEqual([entry['title'] for entry in entries],
                         ['Conference next week', 'Re: Kernel release', 'Kernel release'],
                         'accepted posts only (no pending, no rejected), newest first')
        self.assertEqual([entry['author'] for entry in entries], ['Ada', 'Greg', 'Linus'], 'names, no address')
        self.assertNotIn(b'@example.org', lxml.etree.tostring(feed), 'no author address in the feed')
        self.assertTrue(entries[0]['link'].endswith(f'{group_url}/{slug(self.msg_second)}'))
        self.assertEqual(entries[0]['content'].get('type'), 'html')
        self.assertIn('Who is coming?', entries[0]['content'].text)
        for entry in entries:
            self.assertTrue(entry['id'].startswith('urn:uuid:') and entry['published'] and entry['updated'])
        self.assertEqual(len({entry['id'] for entry in entries}), 3, 'one id per post')
        again = self.entries(self.feed(f'{group_url}/feed'))
        self.assertEqual([entry['id'] for entry in again], [entry['id'] for entry in entries], 'stable ids')

    def test_feed_entry_id_follows_the_message_id_and_content_is_sanitized(self):
        post = self._post(self.group_public, 'Nasty <b>subject</b>\x0b',
                          '<p onclick="steal()">Hi<script>alert(1)</script>'
                          '<iframe src="https://evil.example"></iframe></p>',
                          email_from='Mallory <mallory@example.org>')
        entry = self.entries(self.feed(f'/groups/{slug(self.group_public)}/feed'))[0]
        self.assertEqual(entry['title'], 'Nasty <b>subject</b>', 'text, escaped by the XML serializer')
        content = entry['content'].text
        self.assertIn('Hi', content)
        for bad in ('<script', 'onclick', '<iframe', 'alert(1)'):
            self.assertNotIn(bad, content)
        # the same post in the thread feed, under the same id
        thread = self.entries(self.feed(f'/groups/{slug(self.group_public)}/{slug(post)}/feed'))
        self.assertEqual(thread[0]['id'], entry['id'])

    def test_thread_feed_holds_the_whole_thread(self):
        nested = self._post(self.group_public, 'Re: Kernel release', '<p>Thanks Greg</p>', parent=self.msg_reply,
                            days=8)
        # from any post of the thread: the whole thread, newest first
        feed = self.feed(f'/groups/{slug(self.group_public)}/{slug(self.msg_reply)}/feed')
        self.assertEqual(feed.findtext('a:title', namespaces=ATOM), 'Kernel release')
        entries = self.entries(feed)
        self.assertEqual(len(entries), 3, 'root, reply and nested reply; no pending or rejected reply')
        self.assertTrue(entries[0]['link'].endswith(slug(nested)))
        self.assertTrue(entries[-1]['link'].endswith(slug(self.msg_root)))
        links = {link.get('rel'): link.get('href') for link in feed.findall('a:link', ATOM)}
        self.assertTrue(links['alternate'].endswith(f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}'))

    def test_feed_access_is_the_archive_access(self):
        public = slug(self.group_public)
        self.feed(f'/groups/{public}/{slug(self.msg_pending)}/feed', 404)
        self.feed(f'/groups/{public}/{slug(self.msg_reply_rejected)}/feed', 404)
        secret = slug(self.group_members)
        self.feed(f'/groups/{secret}/feed', 404)
        self.feed(f'/groups/{secret}/{slug(self.msg_secret)}/feed', 404)
        self.feed(f'/groups/{slug(self.group_users)}/feed', 404)
        self.authenticate('wmg_portal2', 'wmg_portal2')
        self.feed(f'/groups/{secret}/feed', 404)
        self.feed(f'/groups/{slug(self.group_users)}/feed', 404)

        self.authenticate('wmg_portal', 'wmg_portal')
        self.assertEqual([entry['title'] for entry in self.entries(self.feed(f'/groups/{secret}/feed'))],
                         ['Secret plans'], 'a member reads the feed of a members-only group')
        self.authenticate('wmg_employee', 'wmg_employee')
        self.assertEqual(len(self.entries(self.feed(f'/groups/{slug(self.group_users)}/feed'))), 1)

        self.authenticate(None, None)
        token = self.group_members._generate_group_access_token()
        feed = self.feed(f'/groups/{secret}/feed?group_access_token={token}')
        entries = self.entries(feed)
        self.assertEqual([entry['title'] for entry in entries], ['Secret plans'], 'hidden group through its token')
        self.assertIn(f'group_access_token={token}', entries[0]['link'], 'its links keep working for the reader')
        self.feed(f'/groups/{secret}/feed?group_access_token=forged', 404)

    def test_autodiscovery_on_archive_and_post_pages(self):
        group_url = f'/groups/{slug(self.group_public)}'
        _response, tree = self.get_page(group_url)
        feeds = tree.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]/@href')
        self.assertEqual(feeds, [f'{group_url}/feed'])
        self.assertEqual(tree.xpath('//a[contains(@class, "o_mg_feed_link")]/@href'), [f'{group_url}/feed'])
        self.assertIn('feed reader', self.texts(tree, '//*[contains(@class, "o_mg_feed_hint")]')[0],
                      'the page says what the feed link is for')
        _response, month = self.get_page(f'{group_url}?date_begin={self.msg_root.date:%Y-%m-01}')
        downloads = month.xpath('//a[contains(@class, "o_mg_mbox_link") or contains(@class, "o_mg_mbox_month_link")]')
        self.assertEqual([' '.join(link.text_content().split())[-10:] for link in downloads], ['(.mbox.gz)'] * 2,
                         'the whole archive and a month come the same way, and say so')
        self.assertTrue(all('gzip=1' in link.get('href') for link in downloads))

        _response, tree = self.get_page(f'{group_url}/{slug(self.msg_reply)}')
        feeds = tree.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]/@href')
        self.assertEqual(feeds, [f'{group_url}/feed', f'{group_url}/{slug(self.msg_reply)}/feed'])

        token = self.group_members._generate_group_access_token()
        _response, tree = self.get_page(f'/groups/{slug(self.group_members)}?group_access_token={token}')
        self.assertEqual(tree.xpath('//head/link[@type="application/atom+xml"]/@href'),
                         [f'/groups/{slug(self.group_members)}/feed?group_access_token={token}'])
