"""Searching a group's archive: what a visitor finds, in which order, with
which excerpt, and what they never find (posts not accepted, groups they
may not read); hostile queries are queries."""
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import quote

from odoo import fields
from odoo.tests import BaseCase, TransactionCase, tagged

from odoo.addons.http_routing.models.ir_http import slug

from ..models.mail_group_message_search import mark, parse_query, tsquery_text
from .common import run_migration
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestSearchPage(WebsiteMailGroupCase):

    def search(self, q, group=None, expected_status=200, **params):
        group = group or self.group_public
        query = '&'.join(f'{key}={quote(str(value))}' for key, value in {'q': q, **params}.items())
        return self.get_page(f'/groups/{slug(group)}/search?{query}', expected_status)

    def results(self, tree):
        return [int(node) for node in tree.xpath('//li[contains(@class, "o_mg_search_result")]/@data-id')]

    def test_words_found_newest_first_with_marked_excerpt(self):
        """Accepted posts holding the word (stemmed: "kernels" finds
        "kernel"), newest first, linking to their post, the word marked in
        the excerpt; the post waiting for review and the rejected one that
        say it too are not found."""
        _response, tree = self.search('kernels')
        self.assertEqual(self.results(tree), [self.msg_reply.id, self.msg_root.id])
        root = tree.xpath(f'//li[@data-id="{self.msg_root.id}"]')[0]
        self.assertEqual(root.xpath('.//a[contains(@class, "o_mg_message_link")]/@href'),
                         [f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}'])
        self.assertEqual(root.xpath('.//span[contains(@class, "o_mg_author")]/text()'), ['Linus'])
        self.assertEqual(root.xpath('.//p[contains(@class, "o_mg_excerpt")]/mark/text()'), ['kernel'])
        self.assertIn('2 results', ' '.join(tree.xpath('//p[contains(@class, "o_mg_search_count")]')[0]
                                             .text_content().split()))
        for word in ('pills', 'flame', 'announcement', 'secret', 'party'):
            _response, tree = self.search(word)
            self.assertEqual(self.results(tree), [], f'"{word}" is only in posts a visitor may not read')
            self.assertTrue(tree.xpath('//div[contains(@class, "o_mg_no_result")]'))

    def test_prefixes(self):
        self.assertEqual(self.results(self.search('from:greg')[1]), [self.msg_reply.id])
        self.assertEqual(self.results(self.search('from:linus')[1]), [self.msg_root.id])
        self.assertEqual(self.results(self.search('from:"Ada" coming')[1]), [self.msg_second.id])
        self.assertEqual(self.results(self.search('from:greg coming')[1]), [])
        self.assertEqual(self.results(self.search('subject:conference')[1]), [self.msg_second.id])
        self.assertEqual(self.results(self.search('subject:coming')[1]), [], '"coming" is in the body only')
        days_ago = (fields.Date.today() - timedelta(days=5)).isoformat()
        self.assertEqual(self.results(self.search(f'after:{days_ago}')[1]), [self.msg_second.id])
        self.assertEqual(self.results(self.search(f'kernel before:{days_ago}')[1]),
                         [self.msg_reply.id, self.msg_root.id])
        self.assertEqual(self.results(self.search(f'conference before:{days_ago}')[1]), [])
        self.assertEqual(self.results(self.search('"new kernel"')[1]), [self.msg_root.id], 'a quoted phrase')
        self.assertEqual(self.results(self.search('"kernel new"')[1]), [], 'a phrase keeps its order')

    def test_search_never_confirms_an_address(self):
        """The archive names authors without their address: searching for
        an address or its domain, with or without "from:", finds nothing
        the page does not show; the name shown is found."""
        for query in ('from:linus@example.org', 'linus@example.org', 'from:example.org', 'example.org',
                      '"linus@example.org"', 'from:org', 'from:linus example.org'):
            with self.subTest(query=query):
                self.assertEqual(self.results(self.search(query)[1]), [])
        self.assertEqual(self.results(self.search('from:Linus')[1]), [self.msg_root.id])
        # a From without a name shows the local part of the address
        nameless = self._post(self.group_public, 'Nameless', '<p>Plain</p>', email_from='solo@hidden.example.com')
        self.assertEqual(self.results(self.search('from:solo')[1]), [nameless.id])
        self.assertEqual(self.results(self.search('from:hidden.example.com')[1]), [])
        self.assertEqual(self.results(self.search('solo@hidden.example.com')[1]), [])

    def test_vectors_made_with_addresses_are_remade_on_upgrade(self):
        """Posts indexed by an earlier version (address in the vector) are
        indexed again by the upgrade's migration."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("UPDATE mail_group_message SET search_vector = to_tsvector('simple', 'linus@example.org') "
                   "WHERE id = %s", [self.msg_root.id])
        self.assertEqual(self.results(self.search('linus@example.org')[1]), [self.msg_root.id])
        run_migration(cr, '17.0.1.1.0', 'pre', '17.0.1.0.0')
        self.env['mail.group.message'].init()
        self.assertEqual(self.results(self.search('linus@example.org')[1]), [])
        self.assertEqual(self.results(self.search('kernel')[1]), [self.msg_reply.id, self.msg_root.id])

    def test_access_like_the_archive(self):
        """Members-only and user-group archives are searched only by those
        allowed, hidden groups through their token; others get the 404 of a
        missing group."""
        for group in (self.group_members, self.group_users):
            self.search('plans', group=group, expected_status=404)
        self.search('plans', group=self.group_members, expected_status=404, group_access_token='forged')
        token = self.group_members._generate_group_access_token()
        _response, tree = self.search('plans', group=self.group_members, group_access_token=token)
        self.assertEqual(self.results(tree), [self.msg_secret.id])
        self.assertEqual(tree.xpath('//li[contains(@class, "o_mg_search_result")]//a/@href'),
                         [f'/groups/{slug(self.group_members)}/{slug(self.msg_secret)}?group_access_token={token}'])
        self.assertEqual(tree.xpath('//form[contains(@class, "o_mg_search_form")]//input[@name="group_access_token"]/@value'),
                         [token], 'searching again keeps the token')

        self.authenticate('wmg_portal2', 'wmg_portal2')
        self.search('plans', group=self.group_members, expected_status=404)
        self.authenticate('wmg_portal', 'wmg_portal')
        self.assertEqual(self.results(self.search('plans', group=self.group_members)[1]), [self.msg_secret.id])
        self.search('party', group=self.group_users, expected_status=404)
        self.authenticate('wmg_employee', 'wmg_employee')
        self.assertEqual(self.results(self.search('party', group=self.group_users)[1]), [self.msg_staff.id])
        self.assertEqual(self.results(self.search('plans')[1]), [], 'a group searches its own posts only')

    def test_hostile_queries_are_queries(self):
        """Broken dates, stray quotes, query operators, NUL bytes and 10 kB
        answer a page, never an error; markup typed or posted stays text."""
        self._post(self.group_public, 'About <script>', '<p>Never run &lt;script&gt;alert(1)&lt;/script&gt; '
                   'scripts &lt;i&gt;here&lt;/i&gt;</p>')
        for q in ('after:2024-99-99', 'before:yesterday', '"', '"kernel', '&|!', "'", '\\', ':*', 'kernel:*',
                  'from:', 'subject:""', '!!!', '(', 'a & b | !c <-> d', 'kernel\x00', '\x00', 'x' * 10000,
                  'kernel ' * 2000, 'é' * 3000, '<script>alert(1)</script>', '%s %(x)s', '{}', 'after:'):
            response, tree = self.search(q)
            self.assertNotIn('<script>alert', response.text, f'{q[:30]!r}: typed markup is escaped')
        self.assertEqual(self.results(self.search('kernel\x00')[1]), [self.msg_reply.id, self.msg_root.id])
        self.assertEqual(self.results(self.search('after:2024-99-99')[1]), [], 'a broken date is two words')
        _response, tree = self.search('script')
        excerpt = tree.xpath('//p[contains(@class, "o_mg_excerpt")]')[0]
        self.assertEqual(set(excerpt.xpath('./mark/text()')), {'script', 'scripts'})
        self.assertFalse(excerpt.xpath('.//script|.//i'))
        self.assertIn('<script>alert(1)</script> scripts <i>here', excerpt.text_content())

    def test_pages_and_cap(self):
        for index in range(25):
            self._post(self.group_public, f'Weekly report {index}', '<p>The weekly report.</p>', days=index)
        _response, tree = self.search('report')
        self.assertEqual(len(self.results(tree)), 20)
        _response, tree = self.search('report', page=2)
        self.assertEqual(len(self.results(tree)), 5)
        self.assertIn('25 results', tree.xpath('//p[contains(@class, "o_mg_search_count")]')[0].text_content())
        self.assertEqual(self.results(self.search('report', page='huge')[1])[:1], self.results(self.search('report')[1])[:1])

    def test_common_words_counted_up_to_the_cap(self):
        """Past the cap, the count stops and the pages end there; the
        newest come first as below it."""
        posts = [self._post(self.group_public, f'Weekly report {index}', '<p>The weekly report.</p>', days=index)
                 for index in range(12)]
        search = 'odoo.addons.website_mail_group.controllers.search'
        with patch(f'{search}.MAX_RESULTS', 10), patch(f'{search}.SEARCH_STEP', 5):
            _response, tree = self.search('report')
            self.assertEqual(self.results(tree), [post.id for post in posts[:5]])
            self.assertIn('More than 10 results', tree.xpath('//p[contains(@class, "o_mg_search_count")]')[0].text_content())
            self.assertEqual(self.results(self.search('report', page=2)[1]), [post.id for post in posts[5:10]])
            self.assertEqual(self.results(self.search('report', page=3)[1]), [post.id for post in posts[5:10]])
            self.assertEqual(self.results(self.search('report weekly 11')[1]), [posts[11].id], 'below the cap')

    def test_search_box_on_archive_and_post_pages(self):
        for path in (f'/groups/{slug(self.group_public)}', f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}'):
            _response, tree = self.get_page(path)
            self.assertEqual(tree.xpath('//form[contains(@class, "o_mg_search_form")]/@action'),
                             [f'/groups/{slug(self.group_public)}/search'], path)
        response = self.url_open(f'/groups/{self.group_public.id}/search?q=kernel', allow_redirects=False)
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response.headers['Location'].endswith(f'/groups/{slug(self.group_public)}/search?q=kernel'))

    def test_edited_post_is_searched_by_its_new_words(self):
        self.msg_second.body = '<p>The meetup moved to Thursday.</p>'
        self.assertEqual(self.results(self.search('thursday')[1]), [self.msg_second.id])
        self.assertEqual(self.results(self.search('coming')[1]), [])
        self.msg_pending.moderation_status = 'accepted'
        self.assertEqual(self.results(self.search('announcement')[1]), [self.msg_pending.id])


@tagged('post_install', '-at_install', 'website_mail_group')
class TestSearchLanguage(TransactionCase):

    def test_stemming_follows_the_website_language(self):
        """The website in French: after the module update (init) every post
        is stemmed in French, and queries too; a language PostgreSQL does
        not stem falls back to 'simple'."""
        Message = self.env['mail.group.message']
        group = self.env['mail.group'].create({'name': 'Langues', 'alias_name': 'wmg-langues'})
        post = Message.create({'mail_group_id': group.id, 'moderation_status': 'accepted',
                               'subject': 'Repas', 'body': '<p>Les chevaux mangent.</p>'})
        self.assertEqual(Message._search_config(), 'english')
        self.assertEqual(Message._archive_search(group, parse_query('cheval'), 0, 20, 1000)[0], 0)
        website = self.env['website'].get_current_website()
        for code, config in (('fr_FR', 'french'), ('ja_JP', 'simple')):
            self.env['res.lang']._activate_lang(code)
            lang = self.env['res.lang']._lang_get(code)
            website.write({'language_ids': [(4, lang.id)], 'default_lang_id': lang.id})
            Message.init()
            self.assertEqual(Message._search_config(), config)
        website.default_lang_id = self.env['res.lang']._lang_get('fr_FR')
        Message.init()
        self.assertEqual(Message._archive_search(group, parse_query('cheval'), 0, 20, 1000), (1, post))
        self.assertEqual(Message._archive_search(group, parse_query('subject:repas chevaux'), 0, 20, 1000), (1, post))


@tagged('website_mail_group')
class TestSearchQueryParser(BaseCase):

    def test_parse(self):
        parsed = parse_query('from:"Alice Smith" subject:kernel after:2024-02-03 before:2024-13-01 "a b" c\x00d')
        self.assertEqual(parsed['terms'], [('Alice Smith', 'from', True), ('kernel', 'subject', False),
                                           ('before', None, False), ('2024-13-01', None, False),
                                           ('a b', None, True), ('c', None, False), ('d', None, False)])
        self.assertEqual(str(parsed['after']), '2024-02-03')
        self.assertIsNone(parsed['before'])
        self.assertEqual(tsquery_text(parsed['terms'][:2]), "'Alice Smith':B & 'kernel':A")
        self.assertEqual(parse_query("'; DROP TABLE x; --")['terms'], [('DROP', None, False), ('TABLE', None, False),
                                                                     ('x', None, False), ('--', None, False)])
        self.assertEqual(len(parse_query('word ' * 5000)['terms']), 20)

    def test_mark_escapes_then_marks(self):
        self.assertEqual(str(mark('<b>x</b> \x02kernel\x03 & \x02y')), '&lt;b&gt;x&lt;/b&gt; <mark>kernel</mark> &amp; y')
