"""Searching every list at once: /groups/search, and the website's own
search (the header's magnifier, /website/search) finding posts of the
groups the visitor may read, and only those."""
from urllib.parse import quote

from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestSearchAllLists(WebsiteMailGroupCase):

    def search_all(self, q):
        return self.get_page(f'/groups/search?q={quote(q)}')[1]

    def results(self, tree):
        return [int(node) for node in tree.xpath('//li[contains(@class, "o_mg_search_result")]/@data-id')]

    def website_search(self, term):
        """The URLs the website's search page lists for ``term``."""
        tree = self.get_page(f'/website/search?search={quote(term)}')[1]
        return [href for href in tree.xpath('//main//a/@href') if href.startswith('/groups/')]

    def test_groups_page_searches_every_readable_list(self):
        tree = self.get_page('/groups')[1]
        self.assertEqual(tree.xpath('//form[contains(@class, "o_mg_search_form")]/@action'), ['/groups/search'])
        tree = self.search_all('kernel')
        self.assertEqual(self.results(tree), [self.msg_reply.id, self.msg_root.id])
        self.assertEqual(tree.xpath(f'//li[@data-id="{self.msg_root.id}"]//a[contains(@class, "o_mg_message_link")]/@href'),
                         [f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}'])
        self.assertEqual(self.texts(tree, f'//li[@data-id="{self.msg_root.id}"]//a[contains(@class, "o_mg_result_group")]'),
                         [self.group_public.name], 'each result names its list')
        self.assertEqual(tree.xpath('//h1/text()'), ['Search all lists'])

    def test_every_list_searched_with_its_readers_rights(self):
        for word in ('secret', 'party', 'pills', 'announcement'):
            self.assertEqual(self.results(self.search_all(word)), [], f'a visitor does not find "{word}"')
        self.authenticate('wmg_portal2', 'wmg_portal2')
        self.assertEqual(self.results(self.search_all('secret')), [], 'not a member of the members-only list')
        self.authenticate('wmg_portal', 'wmg_portal')
        self.assertEqual(self.results(self.search_all('secret')), [self.msg_secret.id])
        self.assertEqual(self.results(self.search_all('party')), [])
        self.authenticate('wmg_employee', 'wmg_employee')
        self.assertEqual(self.results(self.search_all('party')), [self.msg_staff.id])

    def test_website_search_finds_posts(self):
        """The header's search finds the posts a visitor may read, linking
        to their page; never a post of a list they may not read."""
        self.assertIn(f'/groups/{slug(self.group_public)}/{slug(self.msg_second)}', self.website_search('conference'))
        self.assertEqual(self.website_search('secret'), [])
        self.assertEqual(self.website_search('pills'), [], 'a post waiting for review')
        self.authenticate('wmg_portal', 'wmg_portal')
        self.assertIn(f'/groups/{slug(self.group_members)}/{slug(self.msg_secret)}', self.website_search('secret'))
        result = self.make_jsonrpc_request('/website/snippet/autocomplete', {
            'search_type': 'all', 'term': 'secret', 'order': 'name asc', 'limit': 5,
            'options': {'displayDescription': True, 'displayDetail': True}})
        self.assertIn(f'/groups/{slug(self.group_members)}/{slug(self.msg_secret)}',
                      [item.get('website_url') for item in result['results']])
