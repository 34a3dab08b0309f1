"""Attacks of issue 22: on the web and over RPC a person is their user's
partner, never an address typed into their profile. A portal user sets
their own e-mail to someone else's (Odoo does not verify it), then uses the
website with their session: the personal links they get act on their own
member row only, and the address wins them no moderation privilege."""
import lxml.html

from odoo.tests import HttpCase, tagged

from odoo.addons.http_routing.models.ir_http import slug
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SmtpListCase
from .rpc import RpcAttackCase
from .smtp_server import SmtpSink
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestAttacksIdentity(RpcAttackCase, WebsiteMailGroupCase):
    """Otto (``user_portal_other``) is the attacker; Paula (``user_portal``)
    and the address-only member known@ are the victims; Mona moderates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paula_public = cls.env['mail.group.member'].create(
            {'mail_group_id': cls.group_public.id, 'partner_id': cls.user_portal.partner_id.id})

    def borrow(self, address):
        """Otto writes his own e-mail over XML-RPC, as Odoo lets him."""
        self.assertTrue(self.rpc(self.user_portal_other, 'res.users', 'write', [self.user_portal_other.id],
                                 {'email': address}))

    def rows_of(self, group):
        self.env.invalidate_all()
        return self.env['mail.group.member'].sudo().search([('mail_group_id', '=', group.id)])

    def open_form(self, url, form_class, values=None):
        """Submit the form of the page at ``url`` as a browser does."""
        _response, tree = self.get_page(url)
        form = tree.xpath(f'//form[contains(@class, "{form_class}")]')[0]
        data = {field.get('name'): field.get('value') for field in form.xpath('.//input[@type="hidden"]')}
        response = self.url_open(form.get('action'), data={**data, **(values or {})})
        return response, lxml.html.fromstring(response.content)

    # hole 1: a borrowed address takes a subscriber's links

    def test_borrowed_address_takes_no_subscriber_links(self):
        """Otto borrows a subscriber's address and joins: "Manage my
        subscriptions" shows his own row; its delivery settings and
        unsubscribe links act on his row only."""
        victims = self.paula_public | self.rows_of(self.group_public).filtered(
            lambda m: m.email_normalized == 'known@member.example.com')
        self.assertEqual(len(victims), 2)
        self.authenticate('wmg_portal2', 'wmg_portal2')
        for address in ('known@member.example.com', self.user_portal.email):
            with self.subTest(address=address):
                self.borrow(address)
                result = self.make_jsonrpc_request('/group/subscribe', {
                    'group_id': self.group_public.id, 'action': 'subscribe'})
                self.assertEqual(result['status'], 'subscribed')
                own = self.rows_of(self.group_public).filtered(
                    lambda m: m.partner_id == self.user_portal_other.partner_id)
                self.assertEqual(len(own), 1)

                _response, tree = self.get_page('/groups/subscriptions')
                self.assertEqual(self.texts(tree, '//*[contains(@class, "o_mg_subscription_group")]'),
                                 ['Open Source Talk'], 'his own membership')
                settings = tree.xpath('//a[contains(@class, "o_mg_subscription_settings")]/@href')[0]
                response, page = self.open_form(settings, 'o_mg_delivery_form', {'delivery_mode': 'none'})
                self.assertEqual(response.status_code, 200)
                self.env.invalidate_all()
                self.assertEqual(own.delivery_mode, 'none', 'his own settings changed')
                self.assertEqual(victims.mapped('delivery_mode'), ['every', 'every'], "the subscribers' did not")

                unsubscribe = page.xpath('//form[contains(@class, "o_mg_delivery_form")]//a[contains(@class, "text-danger")]/@href')[0]
                self.opener.cookies.clear()
                response = self.url_open(unsubscribe, data={'List-Unsubscribe': 'One-Click'})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.rows_of(self.group_public) & victims, victims, 'the subscribers stay')
                self.assertFalse(own.exists(), 'his own row is gone')
                self.authenticate('wmg_portal2', 'wmg_portal2')

    def test_logged_in_leave_and_page_never_reach_an_address(self):
        """The subscriptions page of a logged-in user, its Leave button and
        the back office's Leave stay on the user's own rows, whatever
        address the form or the profile names."""
        self.authenticate('wmg_portal2', 'wmg_portal2')
        self.borrow('known@member.example.com')
        _response, tree = self.get_page('/groups/subscriptions')
        self.assertFalse(self.texts(tree, '//*[contains(@class, "o_mg_subscription_group")]'))
        before = self.rows_of(self.group_public)
        response = self.url_open('/groups/subscriptions/leave', data={
            'csrf_token': self.csrf_token(self.get_page('/groups')[1]), 'group_id': self.group_public.id,
            'member_id': self.paula_public.id})
        self.assertEqual(response.status_code, 404, 'not a row of his')
        self.make_jsonrpc_request('/web/dataset/call_kw/mail.group/action_leave', {
            'model': 'mail.group', 'method': 'action_leave', 'args': [[self.group_public.id]], 'kwargs': {}})
        self.assertEqual(self.rows_of(self.group_public), before)

    def test_old_address_links_name_the_address_only_row(self):
        """Footer links of mails sent before links named their row (signed
        for an address, as Odoo's own) still unsubscribe the address-only
        member, and never a partner's row of the same address."""
        group = self.group_public
        borrowed = self.env['mail.group.member'].create(
            {'mail_group_id': group.id, 'partner_id': self.user_portal_other.partner_id.id})
        self.user_portal_other.email = 'known@member.example.com'
        known = self.rows_of(group).filtered(lambda m: not m.partner_id and m.email_normalized == 'known@member.example.com')
        settings = f'/group/{group.id}/delivery?email=known%40member.example.com&token=' \
            + group._generate_delivery_token('known@member.example.com')
        self.open_form(settings, 'o_mg_delivery_form', {'delivery_mode': 'daily'})
        self.env.invalidate_all()
        self.assertEqual((known.delivery_mode, borrowed.delivery_mode), ('daily', 'every'),
                         'an old settings link sets the address-only member only')
        old = f'/group/{group.id}/unsubscribe_oneclick?email=known%40member.example.com&token=' \
              + group._generate_email_access_token('known@member.example.com')
        response = self.url_open(old, data={'List-Unsubscribe': 'One-Click'})
        self.assertEqual((response.status_code, response.text), (200, ''))
        self.assertFalse(known.exists(), 'the address-only member left')
        self.assertTrue(borrowed.exists(), "the partner's row of the same address stays")
        paula = f'/group/{group.id}/unsubscribe_oneclick?email={self.user_portal.email}&token=' \
                + group._generate_email_access_token(self.user_portal.email)
        response = self.url_open(paula, data={'List-Unsubscribe': 'One-Click'})
        self.assertEqual((response.status_code, response.text), (200, ''))
        self.assertTrue(self.paula_public.exists(), 'an address link does not name a partner row')

    # hole 2: a borrowed address skips moderation from the website

    def web_post(self, group, body):
        _response, tree = self.get_page(f'/groups/{slug(group)}')
        before = self.env['mail.group.message'].sudo().search([('mail_group_id', '=', group.id)])
        response = self.url_open(f'/groups/{slug(group)}/new', data={
            'csrf_token': self.csrf_token(tree), 'subject': 'Web post', 'body': body})
        self.env.invalidate_all()
        post = self.env['mail.group.message'].sudo().search([('mail_group_id', '=', group.id)]) - before
        return response, post

    def test_borrowed_address_skips_no_moderation(self):
        """A member of a moderated group borrows the moderator's address, then
        a whitelisted address, and posts from the website: held each time."""
        group = self.group_public
        group.write({'moderation': True})
        self.env['mail.group.member'].create({'mail_group_id': group.id,
                                              'partner_id': self.user_portal_other.partner_id.id})
        self.env['mail.group.moderation'].create(
            {'mail_group_id': group.id, 'email': 'friend@example.com', 'status': 'allow'})
        self.authenticate('wmg_portal2', 'wmg_portal2')
        for address in (self.user_moderator.email, 'friend@example.com'):
            with self.subTest(address=address):
                self.borrow(address)
                response, post = self.web_post(group, f'I am {address}')
                self.assertEqual(response.status_code, 200)
                self.assertIn('waits for a moderator', response.text)
                self.assertEqual(post.moderation_status, 'pending_moderation')

    def test_whitelist_and_ban_follow_the_partner(self):
        """Whitelisting a member's web post allows that member, not whoever
        types the address; a ban of their web post follows them to a new
        address."""
        group = self.group_public
        group.write({'moderation': True})
        Member = self.env['mail.group.member']
        Member.create({'mail_group_id': group.id, 'partner_id': self.user_portal_other.partner_id.id})
        self.authenticate('wmg_portal', 'wmg_portal')
        _response, paula_post = self.web_post(group, 'Paula writes')
        paula_post.with_user(self.user_moderator).action_moderate_allow()
        self.assertEqual(paula_post.moderation_status, 'accepted')
        _response, again = self.web_post(group, 'Paula again')
        self.assertEqual(again.moderation_status, 'accepted', 'the whitelisted member posts freely')

        self.authenticate('wmg_portal2', 'wmg_portal2')
        self.borrow(self.user_portal.email)
        _response, otto_post = self.web_post(group, 'Otto as Paula')
        self.assertEqual(otto_post.moderation_status, 'pending_moderation', "Paula's whitelist is not Otto's")
        self.assertFalse(otto_post.with_user(self.user_moderator).author_moderation,
                         'the moderator is not shown a whitelist that does not apply')
        otto_post.with_user(self.user_moderator).action_moderate_ban()
        self.assertEqual(otto_post.moderation_status, 'rejected')
        self.borrow('otto.new@example.com')
        response, banned = self.web_post(group, 'Otto with a new address')
        self.assertEqual(response.status_code, 403)
        self.assertEqual(banned.moderation_status, 'rejected', 'the ban follows Otto')


@tagged('post_install', '-at_install', 'website_mail_group')
class TestBorrowedAddressSmtp(SmtpListCase, HttpCase):
    """A web post leaves in its author's name, never from the address they typed."""

    DOMAIN, LIST = 'lists.borrowed.example.com', ('Borrowed', 'borrowed')
    MEMBERS = ['bob@members.example.com']

    def test_web_post_never_leaves_from_a_typed_address(self):
        moderator = mail_new_test_user(self.env, login='wmg_borrowed_mod', groups='base.group_user',
                                       name='Mona Moderator', email='mona@moderator.example.com')
        self.group.moderator_ids = moderator
        otto = mail_new_test_user(self.env, login='wmg_borrower', groups='base.group_portal',
                                  name='Otto Outsider', email='otto@portal.example.com')
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'partner_id': otto.partner_id.id})
        self.authenticate('wmg_borrower', 'wmg_borrower')
        self.make_jsonrpc_request('/web/dataset/call_kw/res.users/write', {
            'model': 'res.users', 'method': 'write', 'args': [[otto.id], {'email': moderator.email}], 'kwargs': {}})
        page = lxml.html.fromstring(self.url_open(f'/groups/{slug(self.group)}').content)
        response = self.url_open(f'/groups/{slug(self.group)}/new', data={
            'csrf_token': page.xpath('//input[@name="csrf_token"]/@value')[0], 'subject': 'Hello', 'body': 'Hi all'})
        self.assertIn('sent to the members', response.text)
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        copies = [item['message'] for item in sink.messages if item['rcpt_tos'] == ['bob@members.example.com']]
        self.assertEqual(len(copies), 1)
        sent_from = copies[0]['From']
        self.assertIn('Otto Outsider', str(sent_from))
        self.assertNotIn(moderator.email, str(sent_from), 'never from the typed address')
        self.assertEqual(sent_from.addresses[0].addr_spec, self.group.alias_email)
