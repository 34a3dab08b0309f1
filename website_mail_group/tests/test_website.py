import os
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import lxml.etree
import lxml.html

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.http_routing.models.ir_http import slug
from odoo.addons.mail.tests.common import mail_new_test_user

MODULE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class WebsiteMailGroupCase(HttpCase):
    """Groups of every privacy, posts in every moderation state, users of
    every kind; helpers to read the pages as a browser would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.user_employee = mail_new_test_user(
            env, login='wmg_employee', groups='base.group_user', name='Ernest Employee',
            email='ernest@employee.example.com')
        cls.user_moderator = mail_new_test_user(
            env, login='wmg_moderator', groups='base.group_user', name='Mona Moderator',
            email='mona@moderator.example.com')
        cls.user_portal = mail_new_test_user(
            env, login='wmg_portal', groups='base.group_portal', name='Paula Portal',
            email='paula@portal.example.com')
        cls.user_portal_other = mail_new_test_user(
            env, login='wmg_portal2', groups='base.group_portal', name='Otto Outsider',
            email='otto@portal.example.com')

        Group = env['mail.group'].with_context(mail_create_nolog=True)
        cls.group_public = Group.create({
            'name': 'Open Source Talk', 'alias_name': 'wmg-open',
            'description': 'Everything about open source.',
            'access_mode': 'public', 'moderator_ids': [(4, cls.user_moderator.id)],
        })
        cls.group_members = Group.create({
            'name': 'Secret Society', 'alias_name': 'wmg-secret',
            'access_mode': 'members', 'moderator_ids': [(4, cls.user_moderator.id)],
        })
        cls.group_users = Group.create({
            'name': 'Employees Corner', 'alias_name': 'wmg-employees',
            'access_mode': 'groups', 'access_group_id': env.ref('base.group_user').id,
            'moderator_ids': [(4, cls.user_moderator.id)],
        })
        Member = env['mail.group.member']
        Member.create([
            {'mail_group_id': cls.group_public.id, 'email': 'known@member.example.com'},
            {'mail_group_id': cls.group_public.id, 'email': 'second@member.example.com'},
            {'mail_group_id': cls.group_members.id, 'partner_id': cls.user_portal.partner_id.id},
        ])

        cls.msg_root = cls._post(cls.group_public, 'Kernel release', '<p>The new kernel is out.</p>', days=10,
                                 email_from='Linus <linus@example.org>')
        cls.msg_reply = cls._post(cls.group_public, 'Re: Kernel release', '<p>Congratulations to all!</p>',
                                  parent=cls.msg_root, days=9, email_from='Greg <greg@example.org>')
        cls.msg_reply_pending = cls._post(cls.group_public, 'Re: Kernel release', '<p>BUY CHEAP PILLS</p>',
                                          parent=cls.msg_root, status='pending_moderation', days=8)
        cls.msg_reply_rejected = cls._post(cls.group_public, 'Re: Kernel release', '<p>Rejected flame war</p>',
                                           parent=cls.msg_root, status='rejected', days=8)
        cls.msg_second = cls._post(cls.group_public, 'Conference next week', '<p>Who is coming?</p>', days=2,
                                   email_from='Ada <ada@example.org>')
        cls.msg_pending = cls._post(cls.group_public, 'Pending announcement', '<p>Waiting for review</p>',
                                    status='pending_moderation', days=1)
        cls.msg_secret = cls._post(cls.group_members, 'Secret plans', '<p>Members only content</p>', days=3)
        cls.msg_staff = cls._post(cls.group_users, 'Staff party', '<p>Friday at 6pm</p>', days=3)

    @classmethod
    def _post(cls, group, subject, body, parent=None, status='accepted', days=0,
              email_from='Someone <someone@example.org>', attachments=None):
        """A post as the gateway stores it, dated ``days`` ago."""
        mail_message = cls.env['mail.message'].create({
            'date': fields.Datetime.now() - timedelta(days=days),
            'model': 'mail.group', 'res_id': group.id, 'message_type': 'email',
            'subject': subject, 'body': body, 'email_from': email_from, 'author_id': False,
            'parent_id': parent.mail_message_id.id if parent else False,
            'attachment_ids': [(6, 0, attachments.ids)] if attachments else [],
        })
        message = cls.env['mail.group.message'].create({
            'mail_message_id': mail_message.id, 'mail_group_id': group.id,
            'group_message_parent_id': parent.id if parent else False,
            'moderation_status': status,
        })
        return message

    # helpers

    def get_page(self, url, expected_status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, expected_status, f'{url} answered {response.status_code}')
        return response, lxml.html.fromstring(response.content)

    def texts(self, tree, xpath):
        return [' '.join(node.text_content().split()) for node in tree.xpath(xpath)]

    def card_names(self, tree):
        return self.texts(tree, '//*[contains(@class, "o_mg_group_name")]')

    def csrf_token(self, tree):
        return tree.xpath('//input[@name="csrf_token"]/@value')[0]

    def confirmation_mails(self, email):
        """Confirmation mails to ``email`` (not the welcome mail that follows)."""
        self.env.invalidate_all()
        return self.env['mail.mail'].sudo().search([('email_to', '=', email), ('subject', '=like', 'Confirm%')])

    def link_from_mail(self, mail, action):
        match = re.search(rf'href="([^"]*/group/{action}-confirm\?[^"]*)"', mail.body_html)
        self.assertTrue(match, f'no {action} link in the mail')
        return match.group(1).replace('&amp;', '&')

    def follow_confirmation_link(self, path, expected_status=200):
        """Open a confirmation link as a person does: the GET page changes
        nothing and shows a button; the button POSTs the form."""
        _response, tree = self.get_page(path)
        forms = tree.xpath('//form[contains(@class, "o_mg_confirm_link_form")]')
        self.assertEqual(len(forms), 1, f'{path}: one confirmation form')
        data = {field.get('name'): field.get('value') for field in forms[0].xpath('.//input')}
        response = self.url_open(forms[0].get('action'), data=data)
        self.assertEqual(response.status_code, expected_status)
        return response, lxml.html.fromstring(response.content), data

    def status_of(self, tree):
        cards = tree.xpath('//div[contains(concat(" ", @class, " "), " o_mg_confirmation ")]/@class')
        return cards[0] if cards else ''

    def is_member(self, group, email):
        self.env.invalidate_all()
        return bool(group._find_members(email, False))


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWebsiteGroupList(WebsiteMailGroupCase):

    def test_groups_page_public_visitor(self):
        """A visitor sees the public groups with their address, description,
        member count and a subscribe box; hidden groups are not listed."""
        _response, tree = self.get_page('/groups')
        names = self.card_names(tree)
        self.assertIn('Open Source Talk', names)
        self.assertNotIn('Secret Society', names)
        self.assertNotIn('Employees Corner', names)
        card = tree.xpath(f'//div[@data-group-id="{self.group_public.id}"]')[0]
        self.assertEqual(card.xpath('.//a[contains(@class, "o_mg_group_alias")]/@href'),
                         [f'mailto:{self.group_public.alias_email}'])
        self.assertIn('Everything about open source.', card.text_content())
        self.assertIn('2 members', ' '.join(card.text_content().split()))
        self.assertIn('3 emails / month', ' '.join(card.text_content().split()))
        self.assertTrue(card.xpath('.//input[@name="email"]'), 'visitors type their address')
        self.assertEqual(card.xpath('.//a[contains(@class, "o_mg_group_name")]/@href'),
                         [f'/groups/{slug(self.group_public)}'])

    def test_groups_page_per_user(self):
        """Members see their members-only group, employees the group of
        their user group; logged-in users get a button, no email field."""
        self.authenticate('wmg_portal', 'wmg_portal')
        _response, tree = self.get_page('/groups')
        self.assertIn('Secret Society', self.card_names(tree))
        self.assertNotIn('Employees Corner', self.card_names(tree))
        card = tree.xpath(f'//div[@data-group-id="{self.group_members.id}"]')[0]
        self.assertFalse(card.xpath('.//input[@name="email"]'))
        unsubscribe = card.xpath('.//button[contains(@class, "o_mg_unsubscribe_btn")]')[0]
        self.assertNotIn('d-none', unsubscribe.get('class'), 'a member is offered to leave')

        self.authenticate('wmg_portal2', 'wmg_portal2')
        _response, tree = self.get_page('/groups')
        self.assertNotIn('Secret Society', self.card_names(tree))

        self.authenticate('wmg_employee', 'wmg_employee')
        _response, tree = self.get_page('/groups')
        self.assertIn('Employees Corner', self.card_names(tree))
        self.assertNotIn('Secret Society', self.card_names(tree))

    def test_hidden_group_with_access_token(self):
        """The signed group token shows a hidden group to a visitor; a
        forged one does not."""
        token = self.group_members._generate_group_access_token()
        _response, tree = self.get_page(f'/groups?group_id={self.group_members.id}&group_access_token={token}')
        self.assertIn('Secret Society', self.card_names(tree))
        _response, tree = self.get_page(f'/groups?group_id={self.group_members.id}&group_access_token=forged')
        self.assertNotIn('Secret Society', self.card_names(tree))

        _response, tree = self.get_page(f'/groups/{slug(self.group_members)}?group_access_token={token}')
        self.assertIn('Secret plans', self.texts(tree, '//a[contains(@class, "o_mg_message_link")]'))
        self.get_page(f'/groups/{slug(self.group_members)}?group_access_token=forged', 404)
        self.get_page(f'/groups/{slug(self.group_members)}?group_access_token='
                      f'{self.group_users._generate_group_access_token()}', 404)

    def test_website_menu_and_portal_entry(self):
        website = self.env['website'].get_current_website()
        menu_urls = website.menu_id.child_id.mapped('url')
        self.assertIn('/groups', menu_urls, 'the main menu links to the mailing lists')
        _response, tree = self.get_page('/groups')
        self.assertTrue(tree.xpath('//header//a[@href="/groups"]'), 'the menu entry is rendered in the header')

        self.authenticate('wmg_portal', 'wmg_portal')
        _response, tree = self.get_page('/my/home')
        self.assertTrue(tree.xpath('//div[contains(@class, "o_portal_docs")]//a[@href="/groups"]'))

    def test_group_without_address_flagged_to_its_managers(self):
        """A group without alias domain, or without alias, cannot receive
        mail: /groups says so to its moderators and to administrators, not
        to visitors nor to other users."""
        Group = self.env['mail.group']
        domainless = Group.create({'name': 'No Domain List', 'alias_name': 'wmg-no-domain',
                                   'moderator_ids': [(4, self.user_moderator.id)]})
        domainless.alias_domain_id = False
        nameless = Group.create({'name': 'No Alias List', 'moderator_ids': [(4, self.user_moderator.id)]})
        self.assertFalse(domainless.alias_email or nameless.alias_email)

        def warnings(login=None):
            if login:
                self.authenticate(login, login)
            _response, tree = self.get_page('/groups')
            return {group.name: self.texts(tree, f'//div[contains(@class, "o_mg_group_card")][@data-group-id="{group.id}"]'
                                                 '//*[contains(@class, "o_mg_no_address")]')
                    for group in (domainless, nameless, self.group_public)}

        warning = 'This group cannot receive mail: it has no email alias or no alias domain.'
        self.assertEqual(warnings(), {'No Domain List': [], 'No Alias List': [], 'Open Source Talk': []})
        self.assertEqual(warnings('wmg_employee'), {'No Domain List': [], 'No Alias List': [], 'Open Source Talk': []})
        expected = {'No Domain List': [warning], 'No Alias List': [warning], 'Open Source Talk': []}
        self.assertEqual(warnings('wmg_moderator'), expected)
        self.assertEqual(warnings('admin'), expected)

    def test_static_files_are_ours(self):
        """Every file of our static folder loads with our bytes, though Odoo's
        own website_mail_group (same name, later on the addons path) is
        there too: the portal card's icon, the frontend and editor code."""
        static = os.path.join(MODULE_DIR, 'static')
        files = sorted(os.path.relpath(os.path.join(folder, name), MODULE_DIR)
                       for folder, _dirs, names in os.walk(static) for name in names)
        self.assertIn('static/src/img/mail_group.svg', files)
        for path in files:
            response = self.url_open(f'/website_mail_group/{path}')
            self.assertEqual(response.status_code, 200, f'{path} answered {response.status_code}')
            with open(os.path.join(MODULE_DIR, path), 'rb') as file:
                self.assertEqual(response.content, file.read(), f'{path}: not our file')
        self.authenticate('wmg_portal', 'wmg_portal')
        _response, tree = self.get_page('/my/home')
        icon = tree.xpath('//div[contains(@class, "o_portal_docs")]//a[@href="/groups"]//img/@src')
        self.assertEqual(icon, ['/website_mail_group/static/src/img/mail_group.svg'])
        self.assertTrue(self.url_open(icon[0]).headers['Content-Type'].startswith('image/svg+xml'))

    def test_sitemap_lists_public_archives_only(self):
        response = self.url_open('/sitemap.xml')
        self.assertEqual(response.status_code, 200)
        self.assertIn(f'/groups/{slug(self.group_public)}', response.text)
        self.assertNotIn(f'/groups/{slug(self.group_members)}', response.text)
        self.assertNotIn(f'/groups/{slug(self.group_users)}', response.text)


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWebsiteArchive(WebsiteMailGroupCase):

    def test_archive_access(self):
        """Members-only and user-group archives: only those allowed; a hidden
        group answers like a missing one."""
        self.get_page(f'/groups/{slug(self.group_members)}', 404)
        self.get_page(f'/groups/{slug(self.group_users)}', 404)
        self.get_page(f'/groups/{slug(self.group_members)}/{slug(self.msg_secret)}', 404)
        self.get_page('/groups/no-such-group-999999', 404)

        self.authenticate('wmg_portal2', 'wmg_portal2')
        self.get_page(f'/groups/{slug(self.group_members)}', 404)
        self.get_page(f'/groups/{slug(self.group_users)}', 404)

        self.authenticate('wmg_portal', 'wmg_portal')
        _response, tree = self.get_page(f'/groups/{slug(self.group_members)}/{slug(self.msg_secret)}')
        self.assertIn('Members only content', tree.xpath('//div[contains(@class, "o_mg_body")]')[0].text_content())

        self.authenticate('wmg_employee', 'wmg_employee')
        _response, tree = self.get_page(f'/groups/{slug(self.group_users)}')
        self.assertIn('Staff party', self.texts(tree, '//a[contains(@class, "o_mg_message_link")]'))

    def test_archive_never_shows_pending_or_rejected(self):
        """Not even to a moderator, and not by direct URL."""
        for login in (None, 'wmg_moderator'):
            if login:
                self.authenticate(login, login)
            response, tree = self.get_page(f'/groups/{slug(self.group_public)}?mode=date')
            self.assertNotIn('Pending announcement', response.text)
            self.assertNotIn('BUY CHEAP PILLS', response.text)
            self.assertNotIn('Rejected flame war', response.text)
            self.assertIn('Kernel release', self.texts(tree, '//a[contains(@class, "o_mg_message_link")]'))
            self.get_page(f'/groups/{slug(self.group_public)}/{slug(self.msg_pending)}', 404)
            self.get_page(f'/groups/{slug(self.group_public)}/{slug(self.msg_reply_rejected)}', 404)
            result = self.make_jsonrpc_request(
                f'/groups/{self.group_public.id}/{self.msg_root.id}/get_replies', {})
            self.assertIn('Congratulations to all!', result['html'])
            self.assertNotIn('BUY CHEAP PILLS', result['html'])
            self.assertNotIn('Rejected flame war', result['html'])

    def test_archive_thread_and_flat_modes(self):
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        subjects = self.texts(tree, '//a[contains(@class, "o_mg_message_link")]')
        self.assertEqual(subjects, ['Conference next week', 'Kernel release'], 'threads, newest first')
        self.assertEqual(self.texts(tree, '//*[contains(@class, "o_mg_thread_count")]'), ['2 threads'])
        kernel = tree.xpath(f'//li[@data-id="{self.msg_root.id}"]')[0]
        self.assertIn('1 reply', kernel.text_content(), 'only the accepted reply is counted')
        self.assertIn('Linus', kernel.text_content())
        self.assertNotIn('linus@example.org', kernel.text_content(), 'authors addresses are not published')

        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}?mode=date')
        subjects = self.texts(tree, '//a[contains(@class, "o_mg_message_link")]')
        self.assertEqual(subjects, ['Conference next week', 'Re: Kernel release', 'Kernel release'])

    def test_archive_by_month_and_pagination(self):
        old = self._post(self.group_public, 'An old story', '<p>Long ago</p>', days=70)
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        counts = [int(count) for count in self.texts(tree, '//span[contains(@class, "o_mg_month_count")]')]
        self.assertEqual(sum(counts), 4, 'every accepted post is counted once, by month')
        old_month = old.date.date().replace(day=1)
        link = tree.xpath(f'//a[contains(@class, "o_mg_month")][contains(@href, "date_begin={old_month.isoformat()}")]')
        self.assertTrue(link, 'the month of the old post is in the archive')
        _response, tree = self.get_page(link[0].get('href'))
        self.assertEqual(self.texts(tree, '//a[contains(@class, "o_mg_message_link")]'), ['An old story'])

        for index in range(25):
            self._post(self.group_public, f'Bulk {index:02d}', '<p>bulk</p>', days=0)
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        self.assertEqual(len(tree.xpath('//li[contains(@class, "o_mg_message_item")]')), 20)
        self.assertEqual(self.texts(tree, '//*[contains(@class, "o_mg_thread_count")]'), ['28 threads'])
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}/page/2')
        subjects = self.texts(tree, '//a[contains(@class, "o_mg_message_link")]')
        self.assertEqual(len(subjects), 8)
        self.assertEqual(subjects[-1], 'An old story')

    def test_slug_redirects(self):
        response = self.url_open(f'/groups/{self.group_public.id}', allow_redirects=False)
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response.headers['Location'].endswith(f'/groups/{slug(self.group_public)}'))

    def test_message_page(self):
        """Body, author, breadcrumbs, previous/next in thread mode, the
        replies on the page, reply by email."""
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}')
        self.assertEqual(self.texts(tree, '//h1[contains(@class, "o_mg_subject")]'), ['Kernel release'])
        self.assertEqual(self.texts(tree, '//ol[contains(@class, "breadcrumb")]/li'),
                         ['Mailing Lists', 'Open Source Talk', 'Kernel release'])
        self.assertEqual(self.texts(tree, '//h2[contains(@class, "o_mg_reply_count")]'), ['1 reply'])
        self.assertIn('Congratulations to all!', lxml.html.tostring(tree, encoding='unicode'),
                      'the whole conversation is on the page')
        prev = tree.xpath('//a[contains(@class, "o_mg_prev")]/@href')
        self.assertEqual(prev, [f'/groups/{slug(self.group_public)}/{slug(self.msg_second)}'])
        self.assertFalse(tree.xpath('//a[contains(@class, "o_mg_next")]'), 'the oldest thread has no next')
        mailto = tree.xpath('//a[contains(@class, "o_mg_reply_mailto")]/@href')[0]
        self.assertTrue(mailto.startswith(f'mailto:{self.group_public.alias_email}?subject=Re%3A%20Kernel'))

        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}/{slug(self.msg_reply)}?mode=date')
        self.assertEqual(self.texts(tree, '//p[contains(@class, "o_mg_parent")]/a'), ['Kernel release'])
        self.assertEqual(tree.xpath('//a[contains(@class, "o_mg_next")]/@href'),
                         [f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}?mode=date'])

    def test_replies_json_paging(self):
        for index in range(12):
            self._post(self.group_public, f'Re: Conference {index}', f'<p>Answer {index}</p>',
                       parent=self.msg_second, days=1)
        route = f'/groups/{self.group_public.id}/{self.msg_second.id}/get_replies'
        first = self.make_jsonrpc_request(route, {})
        self.assertTrue(first['has_more'])
        self.assertEqual(first['html'].count('o_mg_reply"'), 10)
        second = self.make_jsonrpc_request(route, {'last_displayed_id': first['last_displayed_id']})
        self.assertFalse(second['has_more'])
        self.assertEqual(second['html'].count('o_mg_reply"'), 2)
        self.assertIn('Answer 11', second['html'])
        self.assertEqual(self.make_jsonrpc_request(
            f'/groups/{self.group_members.id}/{self.msg_secret.id}/get_replies', {}), {'error': 'not_found'})

    def test_bodies_are_sanitized(self):
        evil = self._post(self.group_public, 'Evil post', '<p>placeholder</p>', parent=self.msg_second, days=1)
        # bypass any sanitizing on write: the page must not trust stored HTML
        self.env.cr.execute('UPDATE mail_message SET body = %s WHERE id = %s', [
            '<p>Visible text</p><script>alert("xss-script")</script>'
            '<img src="x" onerror="alert(\'xss-onerror\')">'
            '<a href="javascript:alert(\'xss-link\')">click me</a>'
            '<iframe src="https://evil.example.com/frame"></iframe>'
            '<div style="width: expression(alert(\'xss-css\'))">styled</div>'
            '<form action="https://evil.example.com"><input name="password"></form>'
            '<div id="o_mg_message_footer">Footer to strip</div>',
            evil.mail_message_id.id])
        self.env.invalidate_all()
        # the archive's stored excerpt, worked out from that body as a write of it would
        self.env.add_to_compute(evil._fields['body_excerpt'], evil)
        evil.flush_recordset(['body_excerpt'])
        page = self.url_open(f'/groups/{slug(self.group_public)}/{slug(evil)}').text
        replies = self.make_jsonrpc_request(
            f'/groups/{self.group_public.id}/{self.msg_second.id}/get_replies', {})['html']
        archive = self.url_open(f'/groups/{slug(self.group_public)}?mode=date').text
        for html in (page, replies, archive):
            self.assertNotIn('xss-', html)
            self.assertNotIn('evil.example.com', html)
            self.assertNotIn('Footer to strip', html)
            self.assertIn('Visible text', html)
        self.assertIn('click me', page)

    def test_attachments_downloadable_with_token(self):
        attachment = self.env['ir.attachment'].create({
            'name': 'minutes.txt', 'raw': b'meeting minutes', 'mimetype': 'text/plain',
            'res_model': 'mail.group', 'res_id': self.group_public.id,
        })
        message = self._post(self.group_public, 'Minutes', '<p>Attached</p>', attachments=attachment, days=1)
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}/{slug(message)}')
        links = tree.xpath('//a[contains(@class, "o_mg_attachment")]/@href')
        self.assertEqual(len(links), 1)
        self.assertIn('access_token=', links[0])
        download = self.url_open(links[0])
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, b'meeting minutes')
        self.assertNotEqual(self.url_open(f'/web/content/{attachment.id}').status_code, 200,
                            'no token, no download')


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWebsiteSubscription(WebsiteMailGroupCase):

    def subscribe(self, group, email=None, action='subscribe', **params):
        return self.make_jsonrpc_request('/group/subscribe', {
            'group_id': group.id, 'email': email, 'action': action, **params})

    def test_visitor_subscribe_confirmation_flow(self):
        result = self.subscribe(self.group_public, 'New.Comer@Example.com')
        self.assertEqual(result['status'], 'email_sent')
        self.assertFalse(self.is_member(self.group_public, 'new.comer@example.com'), 'nothing before confirmation')
        mails = self.confirmation_mails('new.comer@example.com')
        self.assertEqual(len(mails), 1)
        link = self.link_from_mail(mails, 'subscribe')
        params = parse_qs(urlparse(link).query)
        self.assertEqual(params['group_id'], [str(self.group_public.id)])

        path = link[link.index('/group/'):]
        _response, tree = self.get_page(path)
        self.assertFalse(self.is_member(self.group_public, 'new.comer@example.com'), 'a GET changes nothing')
        _response, tree, form = self.follow_confirmation_link(path)
        self.assertIn('o_mg_status_subscribed', self.status_of(tree))
        self.assertTrue(self.is_member(self.group_public, 'new.comer@example.com'))

        # replayed link, by GET or by POST: says the address is a member, nothing changes
        _response, tree = self.get_page(path)
        self.assertIn('o_mg_status_already_subscribed', self.status_of(tree))
        response = self.url_open('/group/subscribe-confirm', data=form)
        self.assertIn(b'o_mg_status_already_subscribed', response.content)
        self.assertEqual(len(self.group_public._find_members('new.comer@example.com', False)), 1)

    def test_forged_and_misused_links(self):
        valid = self.group_public._generate_action_token('intruder@example.com', 'subscribe')
        unsubscribe_token = self.group_public._generate_action_token('intruder@example.com', 'unsubscribe')
        for path in (
            f'/group/subscribe-confirm?group_id={self.group_public.id}&email=intruder@example.com&token=forged',
            f'/group/subscribe-confirm?group_id={self.group_public.id}&email=other@example.com&token={valid}',
            f'/group/subscribe-confirm?group_id={self.group_members.id}&email=intruder@example.com&token={valid}',
            f'/group/subscribe-confirm?group_id={self.group_public.id}&email=intruder@example.com&token={unsubscribe_token}',
            f'/group/subscribe-confirm?group_id=abc&email=intruder@example.com&token={valid}',
            '/group/subscribe-confirm',
            f'/group/unsubscribe-confirm?group_id={self.group_public.id}&email=known@member.example.com&token=forged',
        ):
            response, tree = self.get_page(path, 400)
            self.assertTrue(tree.xpath('//div[contains(@class, "o_mg_status_invalid")]'), path)
        self.assertFalse(self.is_member(self.group_public, 'intruder@example.com'))
        self.assertFalse(self.is_member(self.group_public, 'other@example.com'))
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'))

    def test_visitor_unsubscribe_confirmation_flow(self):
        result = self.subscribe(self.group_public, 'known@member.example.com', action='unsubscribe')
        self.assertEqual(result['status'], 'email_sent')
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'), 'nothing before confirmation')
        link = self.link_from_mail(self.confirmation_mails('known@member.example.com'), 'unsubscribe')
        path = link[link.index('/group/'):]
        _response, tree, _form = self.follow_confirmation_link(path)
        self.assertTrue(tree.xpath('//div[contains(@class, "o_mg_status_unsubscribed")]'))
        self.assertFalse(self.is_member(self.group_public, 'known@member.example.com'))
        _response, tree = self.get_page(path)
        self.assertTrue(tree.xpath('//div[contains(@class, "o_mg_status_already_unsubscribed")]'))

    def test_visitor_answers_never_reveal_membership(self):
        """The same answer for a member and for a stranger; the mail goes to
        the address itself, which is the only one that learns anything."""
        for action in ('subscribe', 'unsubscribe'):
            member = self.subscribe(self.group_public, 'known@member.example.com', action=action)
            stranger = self.subscribe(self.group_public, 'stranger@example.com', action=action)
            self.assertEqual(member['status'], stranger['status'])
            self.assertEqual(set(member), set(stranger))
            self.assertEqual(member['message'].replace('known@member.example.com', 'X'),
                             stranger['message'].replace('stranger@example.com', 'X'))
        self.assertEqual(len(self.confirmation_mails('known@member.example.com')), 2)
        self.assertEqual(len(self.confirmation_mails('stranger@example.com')), 2)
        self.assertEqual(self.subscribe(self.group_public, 'not an email')['status'], 'invalid_email')
        # a hidden group is answered like a missing one, and sends nothing
        self.assertEqual(self.subscribe(self.group_members, 'stranger@example.com')['status'], 'not_found')
        self.assertEqual(len(self.confirmation_mails('stranger@example.com')), 2)
        # with the group token, invitation works
        token = self.group_members._generate_group_access_token()
        self.assertEqual(self.subscribe(self.group_members, 'invited@example.com', group_access_token=token)['status'],
                         'email_sent')

    def test_logged_in_user_acts_at_once(self):
        self.authenticate('wmg_portal2', 'wmg_portal2')
        partner = self.user_portal_other.partner_id
        result = self.subscribe(self.group_public, 'ignored@example.com')
        self.assertEqual(result['status'], 'subscribed')
        self.assertTrue(result['is_member'])
        self.env.invalidate_all()
        member = self.group_public._find_member(partner.email, partner.id)
        self.assertEqual(member.partner_id, partner, 'the user joins with their own partner')
        self.assertFalse(self.confirmation_mails('ignored@example.com'))
        self.assertFalse(self.confirmation_mails(partner.email))

        _response, tree = self.get_page('/groups')
        card = tree.xpath(f'//div[@data-group-id="{self.group_public.id}"]')[0]
        self.assertNotIn('d-none', card.xpath('.//button[contains(@class, "o_mg_unsubscribe_btn")]/@class')[0])

        result = self.subscribe(self.group_public, action='unsubscribe')
        self.assertEqual(result['status'], 'unsubscribed')
        self.assertFalse(self.is_member(self.group_public, partner.email))
        # no access, no membership change
        self.assertEqual(self.subscribe(self.group_users)['status'], 'not_found')

    def test_form_post_without_javascript(self):
        _response, tree = self.get_page('/groups')
        response = self.url_open(f'/groups/{self.group_public.id}/subscription', data={
            'csrf_token': self.csrf_token(tree), 'email': 'nojs@example.com', 'action': 'subscribe'})
        self.assertEqual(response.status_code, 200)
        self.assertIn('Check your mailbox', response.text)
        self.assertEqual(len(self.confirmation_mails('nojs@example.com')), 1)


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWebsiteUnsubscribeOneClick(WebsiteMailGroupCase):

    def test_footer_link_get_then_button(self):
        url = self.group_public._get_email_unsubscribe_url('known@member.example.com')
        path = url[url.index('/group/'):]
        _response, tree = self.get_page(path)
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'), 'a GET changes nothing')
        form = tree.xpath('//form[contains(@class, "o_mg_unsubscribe_oneclick_form")]')[0]
        self.assertEqual(form.get('method'), 'post')
        data = {field.get('name'): field.get('value') for field in form.xpath('.//input')}
        self.assertEqual(data['confirm'], '1')
        response = self.url_open(form.get('action'), data=data)
        self.assertEqual(response.status_code, 200)
        self.assertIn('o_mg_status_unsubscribed', response.text)
        self.assertFalse(self.is_member(self.group_public, 'known@member.example.com'))

    def test_rfc8058_post_without_session(self):
        url = self.group_public._get_email_unsubscribe_url('second@member.example.com')
        self.opener.cookies.clear()
        response = self.url_open(url, data={'List-Unsubscribe': 'One-Click'})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.text, '')
        self.assertFalse(self.is_member(self.group_public, 'second@member.example.com'))
        # a stranger's valid link answers as a member's; a forged one fails; nothing changes
        stranger = self.group_public._get_email_unsubscribe_url('stranger@example.com')
        response = self.url_open(stranger, data={'List-Unsubscribe': 'One-Click'})
        self.assertEqual((response.status_code, response.text), (200, ''))
        forged = f'/group/{self.group_public.id}/unsubscribe_oneclick?email=known@member.example.com&token=forged'
        response = self.url_open(forged, data={'List-Unsubscribe': 'One-Click'})
        self.assertEqual((response.status_code, response.text), (400, ''), 'the provider learns it failed')
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'))
        _response, tree = self.get_page(forged, 400)
        self.assertTrue(tree.xpath('//div[contains(@class, "o_mg_status_invalid")]'))


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWebsiteSnippet(WebsiteMailGroupCase):

    def test_get_info(self):
        info = self.make_jsonrpc_request('/group/get_info', {'group_id': self.group_public.id})
        self.assertEqual(info['name'], 'Open Source Talk')
        self.assertEqual(info['member_count'], 2)
        self.assertTrue(info['is_public_user'])
        self.assertFalse(info['is_member'])
        self.assertEqual(self.make_jsonrpc_request('/group/get_info', {'group_id': self.group_members.id}),
                         {'error': 'not_found'})
        self.authenticate('wmg_portal', 'wmg_portal')
        info = self.make_jsonrpc_request('/group/get_info', {'group_id': self.group_members.id})
        self.assertTrue(info['is_member'])
        self.assertEqual(info['user_email'], 'paula@portal.example.com')

    def test_snippet_registered_in_editor(self):
        """The editor offers the snippet, its group picker option targets it,
        and the option code ships in the editor bundle."""
        snippets = lxml.etree.fromstring(self.env.ref('website.snippets').get_combined_arch())
        entry = snippets.xpath('//t[@t-snippet="website_mail_group.s_group"]')
        self.assertTrue(entry, 'the Discussion Group snippet is in the snippets panel')
        self.assertEqual(entry[0].get('string'), 'Discussion Group')
        block = lxml.html.fromstring(self.env['ir.qweb']._render('website_mail_group.s_group', {}))
        self.assertIn('s_group', block.get('class'))
        self.assertEqual(block.get('data-id'), '', 'no group until one is picked')
        options = lxml.etree.fromstring(self.env.ref('website.snippet_options').get_combined_arch())
        option = options.xpath('//div[@data-js="MailGroup"]')
        self.assertEqual(option[0].get('data-selector'), '.s_group')
        picker = option[0].xpath('.//we-many2one')[0]
        self.assertEqual((picker.get('data-model'), picker.get('data-set-group')), ('mail.group', ''))
        bundle = self.env['ir.qweb']._get_asset_bundle('website.assets_wysiwyg', css=False)
        files = [asset.url for asset in bundle.javascripts]
        self.assertIn('/website_mail_group/static/src/snippets/s_group/options.js', files)
        frontend = self.env['ir.qweb']._get_asset_bundle('web.assets_frontend', css=False)
        self.assertIn('/website_mail_group/static/src/snippets/s_group/000.js',
                      [asset.url for asset in frontend.javascripts])
