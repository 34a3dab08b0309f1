"""Attacks on signed links and confirmation mails (issue 8, hole 7 and the
hostile-input part of hole 10), performed as the real actor: a visitor or a
mail scanner over HTTP, an employee or portal user over RPC."""
import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestAttacksOnLinks(WebsiteMailGroupCase):

    def subscribe_link(self, email):
        """A visitor asks to join the public group; the link of the mail."""
        result = self.make_jsonrpc_request('/group/subscribe', {
            'group_id': self.group_public.id, 'email': email, 'action': 'subscribe'})
        self.assertEqual(result['status'], 'email_sent')
        link = self.link_from_mail(self.confirmation_mails(email), 'subscribe')
        return link[link.index('/group/'):]

    def test_mail_scanner_get_changes_nothing(self):
        """Mail scanners open every link of a mail: a GET must not act."""
        path = self.subscribe_link('scanned@example.com')
        for _attempt in range(3):
            self.get_page(path)
        self.assertFalse(self.is_member(self.group_public, 'scanned@example.com'))
        unsubscribe = self.make_jsonrpc_request('/group/subscribe', {
            'group_id': self.group_public.id, 'email': 'known@member.example.com', 'action': 'unsubscribe'})
        self.assertEqual(unsubscribe['status'], 'email_sent')
        link = self.link_from_mail(self.confirmation_mails('known@member.example.com'), 'unsubscribe')
        self.get_page(link[link.index('/group/'):])
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'))

    def test_replay_after_moderator_removed_member(self):
        """A used link does not bring back a member a moderator removed."""
        path = self.subscribe_link('spammer@example.com')
        _response, tree, form = self.follow_confirmation_link(path)
        self.assertIn('o_mg_status_subscribed', self.status_of(tree))
        member = self.group_public._find_member('spammer@example.com')
        member.with_user(self.user_moderator).unlink()
        self.assertFalse(self.is_member(self.group_public, 'spammer@example.com'))

        _response, tree = self.get_page(path, 410)
        self.assertIn('o_mg_status_used', self.status_of(tree))
        self.assertIn('already used', tree.text_content())
        response = self.url_open('/group/subscribe-confirm', data=form)
        self.assertEqual(response.status_code, 410)
        self.assertFalse(self.is_member(self.group_public, 'spammer@example.com'))

    def test_used_link_opened_again_says_what_holds(self):
        """The confirmation mail opened again (or its button clicked
        twice): the page says the address is a member, not that the link
        failed; the unsubscribe link likewise once the address left."""
        path = self.subscribe_link('twice@example.com')
        _response, tree, form = self.follow_confirmation_link(path)
        self.assertIn('o_mg_status_subscribed', self.status_of(tree))
        _response, tree = self.get_page(path)
        self.assertIn('o_mg_status_already_subscribed', self.status_of(tree))
        self.assertIn('twice@example.com is already a member', tree.text_content())
        response = self.url_open('/group/subscribe-confirm', data=form)
        self.assertEqual(response.status_code, 200)
        self.assertIn(b'o_mg_status_already_subscribed', response.content)

        self.group_public._send_unsubscribe_confirmation_email('twice@example.com')
        mail = self.confirmation_mails('twice@example.com').filtered(lambda m: 'unsubscribe-confirm' in m.body_html)
        link = self.link_from_mail(mail, 'unsubscribe')
        path = link[link.index('/group/'):]
        _response, tree, __ = self.follow_confirmation_link(path)
        self.assertIn('o_mg_status_unsubscribed', self.status_of(tree))
        _response, tree = self.get_page(path)
        self.assertIn('o_mg_status_already_unsubscribed', self.status_of(tree))

    def test_old_link_expired(self):
        """A confirmation link found in an old mail no longer acts."""
        with freeze_time(fields.Datetime.now() - timedelta(days=4)):
            self.group_public._send_subscribe_confirmation_email('late@example.com')
        link = self.link_from_mail(self.confirmation_mails('late@example.com'), 'subscribe')
        _response, tree = self.get_page(link[link.index('/group/'):], 410)
        self.assertIn('o_mg_status_expired', self.status_of(tree))
        self.assertFalse(tree.xpath('//form[contains(@class, "o_mg_confirm_link_form")]'))
        self.assertFalse(self.is_member(self.group_public, 'late@example.com'))

    def test_link_of_another_purpose_refused(self):
        """The footer's delivery-settings token and the one-click token do not
        confirm a subscription, and a confirmation token is bound to its action."""
        email = 'known@member.example.com'
        for token in (self.group_public._generate_delivery_token(email),
                      self.group_public._generate_email_access_token(email)):
            _response, tree = self.get_page(
                f'/group/subscribe-confirm?group_id={self.group_public.id}&email={email}&token={token}', 400)
            self.assertIn('o_mg_status_invalid', self.status_of(tree))
        path = self.subscribe_link('twice@example.com')
        _response, tree = self.get_page(path.replace('subscribe-confirm', 'unsubscribe-confirm'), 400)
        self.assertIn('o_mg_status_invalid', self.status_of(tree))

    def test_confirmation_mail_unreadable_by_other_users(self):
        """The link of a confirmation mail is read by its recipient only: an
        employee or portal user who can read the group finds no token over RPC."""
        self.subscribe_link('victim@example.com')
        token = re.search(r'token=([\w.]+)', self.confirmation_mails('victim@example.com').body_html).group(1)
        domain = ['|', ('model', '=', 'mail.group'), ('model', '=', False)]
        self.authenticate('wmg_employee', 'wmg_employee')
        found = self.make_jsonrpc_request('/web/dataset/call_kw/mail.message/search_read', {
            'model': 'mail.message', 'method': 'search_read', 'args': [domain, ['body', 'subject']], 'kwargs': {}})
        self.assertFalse([m for m in found if token in (m['body'] or '')], 'employee reads the token')
        uid = self.user_portal.id
        found = self.xmlrpc_object.execute(self.env.cr.dbname, uid, 'wmg_portal', 'mail.message', 'search_read',
                                           domain, ['body'])
        self.assertFalse([m for m in found if token in (m['body'] or '')], 'portal user reads the token')

    def test_confirmation_mail_leaves_now(self):
        """The mail queue is woken at once, not at its next hourly run."""
        cron = self.env.ref('mail.ir_cron_mail_scheduler_action')
        self.env['ir.cron.trigger'].sudo().search([('cron_id', '=', cron.id)]).unlink()
        self.subscribe_link('hurry@example.com')
        triggers = self.env['ir.cron.trigger'].sudo().search([('cron_id', '=', cron.id)])
        self.assertTrue(triggers)
        self.assertLessEqual(min(triggers.mapped('call_at')), fields.Datetime.now())

    def test_forged_one_click_gets_400(self):
        """RFC 8058: a forged token fails loudly (the provider must not believe
        it worked); a valid one for a non-member answers like a member's."""
        self.opener.cookies.clear()
        for url in (
            f'/group/{self.group_public.id}/unsubscribe_oneclick?email=known@member.example.com&token=forged',
            f'/group/{self.group_members.id}/unsubscribe_oneclick?email=known@member.example.com&token='
            + self.group_public._generate_email_access_token('known@member.example.com'),
        ):
            response = self.url_open(url, data={'List-Unsubscribe': 'One-Click'})
            self.assertEqual(response.status_code, 400)
        self.assertTrue(self.is_member(self.group_public, 'known@member.example.com'))

    def test_hostile_route_parameters_get_clean_answers(self):
        """Every parameter of every route (months, pages, ids, sizes, sort,
        mode, dates) with hostile values: an answer, a 4xx for what cannot
        be read, never a traceback."""
        huge, group, post = 10 ** 20, slug(self.group_public), slug(self.msg_root)
        hostile = ('9999-12', '0000-00', '10000-01', '-1', 'abc', '%C3%A9', huge, -huge, '1e9', '',
                   '9999-12-31', '0001-01-01', '99999-12-31', '2024-02-30', '[]')
        paths = [f'/groups/{group}?{{}}', f'/groups/{group}/page/2?{{}}', f'/groups/{group}/search?q=kernel&{{}}',
                 f'/groups/{group}/mbox?{{}}', f'/groups/{group}/{post}?{{}}', f'/groups/{group}/{post}/mbox?{{}}',
                 f'/groups/{group}/feed?{{}}', f'/groups/{group}/{post}/feed?{{}}', '/groups?{}',
                 f'/group/{self.group_public.id}/delivery?email=a@example.com&token=x&{{}}',
                 f'/group/{self.group_public.id}/moderate/accept?token=x&{{}}', '/groups/subscriptions?{}']
        names = ('page', 'month', 'mode', 'sort', 'date_begin', 'date_end', 'replies_page', 'gzip', 'group_id',
                 'post', 'moderator', 'delivery_mode', 'last_displayed_id', 'q')
        queries = [f'{name}={value}' for name in names for value in ('9999-12', 'abc', huge)]
        queries += ['&'.join(f'{name}={value}' for name in names) for value in hostile]
        for path in paths:
            for query in queries:
                url = path.format(query)
                with self.subTest(url=url):
                    self.assertLess(self.url_open(url, allow_redirects=False).status_code, 500)
        for url, status in ((f'/groups/{group}/mbox?month=9999-12', 400),
                            (f'/groups/{group}/mbox?month=0000-01', 400),
                            (f'/groups/{group}/page/{huge}', 400), (f'/groups/{group}/search/page/{huge}', 200),
                            (f'/groups/{group}?page=abc', 400), (f'/groups/{group}?date_begin=99999-01-01', 400),
                            (f'/groups/{group}/{post}?replies_page={huge}', 400),
                            (f'/groups/{group}/message-id/{"x" * 5000}', 404)):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url, allow_redirects=False).status_code, status)
        for route in (f'/groups/{self.group_public.id}/{self.msg_root.id}/get_replies',
                      f'/groups/{group}/{post}/get_replies'):
            for value in hostile + ({'a': 1}, [1]):
                with self.subTest(route=route, value=value):
                    self.assertIn('html', self.make_jsonrpc_request(route, {'last_displayed_id': value}))
        for value in hostile + ({'a': 1}, [1]):
            with self.subTest(value=value):
                self.assertEqual(self.make_jsonrpc_request('/group/get_info', {'group_id': value}),
                                 {'error': 'not_found'})
                self.assertEqual(self.make_jsonrpc_request('/group/subscribe', {
                    'group_id': value, 'email': 'a@example.com'})['status'], 'not_found')

    def test_hostile_ids_and_tokens_get_clean_answers(self):
        """Huge ids and non-ASCII tokens: a 4xx page, never a traceback."""
        huge = 10 ** 15
        email = 'known@member.example.com'
        for url, status in (
            (f'/groups/{huge}', 404),
            (f'/groups/group-{huge}', 404),
            (f'/groups/{self.group_public.id}/{huge}', 404),
            (f'/groups?group_id={huge}&group_access_token=x', 200),
            (f'/groups/{self.group_members.id}?group_access_token=%C3%A9t%C3%A9', 404),
            (f'/groups?group_id={self.group_members.id}&group_access_token=%C3%A9', 200),
            (f'/group/{huge}/unsubscribe_oneclick?email={email}&token=x', 400),
            (f'/group/{self.group_public.id}/unsubscribe_oneclick?email={email}&token=%C3%A9', 400),
            (f'/group/{huge}/delivery?email={email}&token=x', 400),
            (f'/group/{self.group_public.id}/delivery?email={email}&token=%C3%A9', 400),
            (f'/group/subscribe-confirm?group_id={huge}&email={email}&token=1.x', 400),
            (f'/group/subscribe-confirm?group_id={self.group_public.id}&email={email}&token=%C3%A9', 400),
            (f'/group/subscribe-confirm?group_id={self.group_public.id}&email={email}&token=99999999999999999999.x',
             400),
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, status, url)
        for params in ({'group_id': huge, 'email': 'a@example.com'}, {'group_id': 'x' * 50, 'email': 'a@example.com'}):
            result = self.make_jsonrpc_request('/group/subscribe', params)
            self.assertEqual(result['status'], 'not_found')
        self.assertEqual(self.make_jsonrpc_request('/group/get_info', {'group_id': huge}), {'error': 'not_found'})
        route = f'/groups/{self.group_public.id}/{self.msg_root.id}/get_replies'
        for last in ('abc', huge, -1):
            result = self.make_jsonrpc_request(route, {'last_displayed_id': last})
            self.assertIn('html', result)
        self.assertTrue(self.is_member(self.group_public, email))
