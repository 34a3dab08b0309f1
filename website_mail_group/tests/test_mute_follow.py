"""Mute or follow a thread: who receives which post, what the footer offers,
what a digest leaves out, and who may change a member's setting."""
import datetime
from email.utils import make_msgid
from urllib.parse import parse_qs, urlsplit

import lxml.html
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug

from .common import MailGroupCommon
from .rpc import RpcAttackCase
from .test_website import WebsiteMailGroupCase


class ThreadCase(MailGroupCommon):
    """``group_public`` with, beside its three members in *every message*
    mode: Muriel (every message, mutes), Fred (daily digest, follows),
    Fiona (first post of each topic), Dina (daily digest)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.group_public
        cls.muriel, cls.fred, cls.fiona, cls.dina = cls.env['mail.group.member'].create([
            {'mail_group_id': cls.group.id, 'email': 'muriel@example.com'},
            {'mail_group_id': cls.group.id, 'email': 'fred@example.com', 'delivery_mode': 'daily'},
            {'mail_group_id': cls.group.id, 'email': 'fiona@example.com', 'delivery_mode': 'first_post'},
            {'mail_group_id': cls.group.id, 'email': 'dina@example.com', 'delivery_mode': 'daily'},
        ])
        cls.everyone = {cls.partner_employee.email_normalized, 'cathy@customer.example.com', 'plain@member.example.com'}

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def post(self, subject, parent_id=None, author='Author <author@example.com>'):
        message_id = make_msgid(domain='example.com')
        headers = {'In-Reply-To': parent_id, 'References': parent_id} if parent_id else None
        self.post_raw(self.group, author, subject=subject, body=f'Body of {subject}', message_id=message_id,
                      extra_headers=headers)
        return self.group_message(message_id)

    def recipients(self, post):
        return set(self.queued_mails(post))


@tagged('post_install', '-at_install', 'website_mail_group')
class TestMuteFollowDelivery(ThreadCase):

    def test_muted_thread_stops_and_followed_thread_reaches(self):
        root = self.post('Release plan')
        self.assertEqual(self.recipients(root), self.everyone | {'muriel@example.com', 'fiona@example.com'},
                         'a first post reaches every-message and first-post members')
        self.muriel._set_thread_setting(root, 'mute')
        self.fred._set_thread_setting(root, 'follow')
        reply = self.post('Re: Release plan', root.mail_message_id.message_id)
        self.assertEqual(reply.group_message_parent_id, root)
        self.assertEqual(self.recipients(reply), self.everyone | {'fred@example.com'},
                         'the muting member gets no reply, the follower does, first-post members neither')
        deeper = self.post('Re: Re: Release plan', reply.mail_message_id.message_id)
        self.assertEqual(self.recipients(deeper), self.everyone | {'fred@example.com'}, 'deeper replies too')
        other = self.post('Another topic')
        self.assertIn('muriel@example.com', self.recipients(other), 'other threads still reach her')
        self.assertNotIn('fred@example.com', self.recipients(other))

        self.muriel._set_thread_setting(root, False)
        self.fred._set_thread_setting(root, False)
        again = self.post('Re: Release plan', root.mail_message_id.message_id)
        self.assertEqual(self.recipients(again), self.everyone | {'muriel@example.com'}, 'unmuted and unfollowed')

    def test_footer_carries_each_members_mute_link(self):
        root = self.post('Footer topic')
        copy = self.queued_mails(root)['muriel@example.com']
        html = self.as_sent(copy).get_body(('html',)).get_content()
        self.assertIn('Mute this topic', html)
        links = [lxml.html.fromstring(html).xpath('//a[text()="Mute this topic"]/@href')]
        self.assertEqual(len(links[0]), 1)
        url = urlsplit(links[0][0])
        query = parse_qs(url.query)
        self.assertEqual(url.path, f'/group/{self.group.id}/topic')
        self.assertEqual(query['member'], [str(self.muriel.id)])
        self.assertEqual(query['thread'], [str(root.id)])
        self.assertEqual(query['token'], [self.group._generate_topic_token(self.muriel.id, root.id)])
        reply = self.post('Re: Footer topic', root.mail_message_id.message_id)
        html = self.as_sent(self.queued_mails(reply)['muriel@example.com']).get_body(('html',)).get_content()
        self.assertIn(f'thread={root.id}&amp;', html, "a reply's link names its thread's first post")

    def test_digest_leaves_out_muted_threads_and_followed_replies(self):
        start = fields.Datetime.now()
        self.group.digest_daily_last_date = start
        with freeze_time(start + datetime.timedelta(hours=1)):
            root = self.post('Noisy thread')
            self.dina._set_thread_setting(root, 'mute')
            self.fred._set_thread_setting(root, 'follow')
            reply = self.post('Re: Noisy thread', root.mail_message_id.message_id)
            self.post('Quiet thread')
        self.assertIn('fred@example.com', self.recipients(reply), 'the follower had the reply by mail')
        with freeze_time(start + datetime.timedelta(days=1)):
            self.env['mail.group']._cron_send_digests()
        digests = {mail.email_to: mail for mail in self.env['mail.mail'].sudo().search(
            [('email_to', 'in', ('fred@example.com', 'dina@example.com')), ('subject', 'like', 'Daily digest')])}
        self.assertEqual(digests['dina@example.com'].subject, 'Public List: Daily digest, 1 message')
        dina = next(self.as_sent(digests['dina@example.com']).iter_parts()).get_body(('html',)).get_content()
        self.assertIn('Quiet thread', dina)
        self.assertNotIn('Noisy thread', dina, 'a muted thread is not in her digest')
        self.assertEqual(digests['fred@example.com'].subject, 'Public List: Daily digest, 2 messages')
        fred = next(self.as_sent(digests['fred@example.com']).iter_parts()).get_body(('html',)).get_content()
        self.assertIn('Noisy thread', fred, 'the first post of the followed thread')
        self.assertNotIn('Re: Noisy thread', fred, 'not the reply he had by mail')

    def test_fan_out_queries_constant_with_mutes(self):
        """Mutes and follows are conditions of the one query per page: the
        queries of a fan-out do not grow with the members muting."""
        def queries(count, tag):
            group = self.env['mail.group'].create({'name': f'Mute cost {tag}', 'alias_name': f'mute-cost-{tag}'})
            members = self.env['mail.group.member'].create([
                {'mail_group_id': group.id, 'email': f'm{n}@{tag}.example.com',
                 'delivery_mode': 'first_post' if n % 7 == 0 else 'every'} for n in range(count)])
            root = self.env['mail.group.message'].sudo().browse(group.message_post(
                body='<p>Root</p>', subject='Root', email_from='author@example.com',
                message_id=make_msgid(domain='cost.example.com')).mail_group_message_ids.ids)
            for member in members[:count // 10]:
                member._set_thread_setting(root, 'mute')
            members[count // 10]._set_thread_setting(root, 'follow')
            reply = self.env['mail.group.message'].sudo().browse(group.message_post(
                body='<p>Reply</p>', subject='Re: Root', email_from='author@example.com',
                parent_id=root.mail_message_id.id,
                message_id=make_msgid(domain='cost.example.com')).mail_group_message_ids.ids)
            reply = reply.filtered(lambda post: post.group_message_parent_id == root)
            self.env['mail.mail'].sudo().search([('mail_message_id', '=', reply.mail_message_id.id)]).unlink()
            self.env.flush_all()
            self.env.invalidate_all()
            self.env.user.company_id  # noqa: B018 (see TestFanOutCost)
            before = self.env.cr.sql_log_count
            group._notify_members(reply)
            self.env.flush_all()
            spent = self.env.cr.sql_log_count - before
            copies = self.env['mail.mail'].sudo().search([('mail_message_id', '=', reply.mail_message_id.id)])
            expected = {f'm{n}@{tag}.example.com' for n in range(count // 10, count) if n % 7 or n == count // 10}
            self.assertEqual(set(copies.mapped('email_to')), expected, 'muted, first-post members left out')
            return spent

        queries(14, 'warm')
        self.assertEqual(queries(40, 'n'), queries(120, '3n'))


@tagged('post_install', '-at_install', 'website_mail_group')
class TestThreadSettingsAccess(RpcAttackCase, ThreadCase):
    """A member sees and changes only their own settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls.env['mail.group.member'].create({'mail_group_id': cls.group.id,
                                                       'partner_id': cls.partner_portal.id})
        cls.root = cls.env['mail.group.message'].sudo().create({
            'mail_group_id': cls.group.id, 'subject': 'Topic', 'body': '<p>x</p>', 'moderation_status': 'accepted'})
        cls.env['mail.group.member.thread'].create([
            {'member_id': cls.own.id, 'thread_id': cls.root.id, 'state': 'mute'},
            {'member_id': cls.muriel.id, 'thread_id': cls.root.id, 'state': 'mute'},
        ])

    def test_portal_member_reaches_only_own_settings(self):
        Setting = self.env['mail.group.member.thread'].with_user(self.user_portal)
        settings = Setting.search([])
        self.assertEqual(settings.member_id, self.own, 'their own setting only')
        settings.state = 'follow'
        self.assertEqual(settings.state, 'follow')
        others = Setting.sudo().search([('member_id', '=', self.muriel.id)]).with_user(self.user_portal)
        with self.assertRaises(AccessError), mute_logger('odoo.addons.base.models.ir_rule'):
            others.write({'state': 'follow'})
        with self.assertRaises(AccessError), mute_logger('odoo.addons.base.models.ir_rule'):
            Setting.create({'member_id': self.fred.id, 'thread_id': self.root.id, 'state': 'mute'})
        self.assertRpcDenied(self.user_portal, 'mail.group.member.thread', 'unlink', others.ids)
        self.assertRpcDenied(self.user_employee, 'mail.group.member.thread', 'write', others.ids, {'state': 'follow'})
        self.assertEqual(others.sudo().state, 'mute', 'nothing changed')


@tagged('post_install', '-at_install', 'website_mail_group')
class TestMuteLinksAndToggle(WebsiteMailGroupCase):
    """The footer's signed link and the thread page's toggle."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paula = cls.env['mail.group.member'].create({'mail_group_id': cls.group_public.id,
                                                         'partner_id': cls.user_portal.partner_id.id})
        cls.known = cls.group_public.member_ids.filtered(lambda m: m.email_normalized == 'known@member.example.com')

    def link(self, member, thread, token=None):
        token = token or self.group_public._generate_topic_token(member.id, thread.id)
        return f'/group/{self.group_public.id}/topic?member={member.id}&thread={thread.id}&token={token}'

    def setting(self, member, thread):
        self.env.invalidate_all()
        return member._thread_setting(thread)

    def test_signed_link_shows_then_acts(self):
        _response, page = self.get_page(self.link(self.known, self.msg_root))
        self.assertIn('Kernel release', page.text_content())
        self.assertFalse(self.setting(self.known, self.msg_root), 'a GET changes nothing (mail scanners)')
        form = page.xpath('//form[contains(@class, "o_mg_topic_form")]')[0]
        data = {field.get('name'): field.get('value') for field in form.xpath('.//input[@type="hidden"]')}
        response = self.url_open(form.get('action'), data={**data, 'action': 'mute'})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.setting(self.known, self.msg_root), 'mute')
        tree = lxml.html.fromstring(response.content)
        self.assertIn('You will no longer receive the messages of “Kernel release”.', tree.text_content())
        self.assertTrue(tree.xpath('//button[@value="clear"]'), 'and may unmute')
        response = self.url_open(form.get('action'), data={**data, 'action': 'clear'})
        self.assertFalse(self.setting(self.known, self.msg_root), 'unmuted')

    def test_forged_or_other_members_link_changes_nothing(self):
        forged = self.link(self.known, self.msg_root, token='0' * 64)
        paulas_token = self.group_public._generate_topic_token(self.paula.id, self.msg_root.id)
        borrowed = self.link(self.known, self.msg_root, token=paulas_token)
        other_thread = self.link(self.known, self.msg_second,
                                 token=self.group_public._generate_topic_token(self.known.id, self.msg_root.id))
        for url in (forged, borrowed, other_thread):
            self.assertEqual(self.url_open(url).status_code, 400, url)
            self.assertEqual(self.url_open(url, data={'action': 'mute'}).status_code, 400, url)
        self.assertFalse(self.setting(self.known, self.msg_root))
        self.assertFalse(self.setting(self.known, self.msg_second))
        self.assertFalse(self.setting(self.paula, self.msg_root))

    def test_member_toggles_on_the_thread_page(self):
        url = f'/groups/{slug(self.group_public)}/{slug(self.msg_reply)}'
        _response, page = self.get_page(url)
        self.assertFalse(page.xpath('//form[contains(@class, "o_mg_topic_toggle")]'), 'visitors get no toggle')
        csrf = self.csrf_token(page)
        response = self.url_open(f'{url}/topic', data={'action': 'mute', 'csrf_token': csrf})
        self.assertEqual(response.status_code, 403, 'a visitor cannot mute')

        self.authenticate('wmg_portal', 'wmg_portal')
        _response, page = self.get_page(url)
        form = page.xpath('//form[contains(@class, "o_mg_topic_toggle")]')[0]
        self.assertEqual(page.xpath('//form[contains(@class, "o_mg_topic_toggle")]//button/@value'), ['mute'],
                         'every-message members may mute, not follow')
        data = {'csrf_token': form.xpath('.//input[@name="csrf_token"]/@value')[0], 'action': 'mute'}
        response = self.url_open(form.get('action'), data=data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.setting(self.paula, self.msg_root), 'mute', "the reply's thread is muted")
        self.assertIn('You will no longer receive the messages', response.text)
        self.assertFalse(self.setting(self.known, self.msg_root), 'nobody else')
        response = self.url_open(form.get('action'), data={**data, 'action': 'clear'})
        self.assertFalse(self.setting(self.paula, self.msg_root))

        self.paula.delivery_mode = 'daily'
        _response, page = self.get_page(url)
        self.assertEqual(page.xpath('//form[contains(@class, "o_mg_topic_toggle")]//button/@value'), ['mute', 'follow'])
        response = self.url_open(form.get('action'), data={**data, 'action': 'follow'})
        self.assertEqual(self.setting(self.paula, self.msg_root), 'follow')
        response = self.url_open(form.get('action'), data={'action': 'mute'})
        self.assertEqual(response.status_code, 400, 'no CSRF token: refused')
        self.assertEqual(self.setting(self.paula, self.msg_root), 'follow')
