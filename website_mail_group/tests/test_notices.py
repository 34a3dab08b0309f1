"""Special notices: a moderator's post that reaches every member whatever
their delivery mode and mutes, once, marked in the archive; nobody else can
make one (RPC, HTTP)."""
import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug

from .rpc import RpcAttackCase
from .test_mute_follow import ThreadCase
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestNoticeDelivery(RpcAttackCase, ThreadCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nora, cls.sam, cls.bouncing = cls.env['mail.group.member'].create([
            {'mail_group_id': cls.group.id, 'email': 'nora@example.com', 'delivery_mode': 'none'},
            {'mail_group_id': cls.group.id, 'email': 'sam@example.com', 'delivery_mode': 'summary'},
            {'mail_group_id': cls.group.id, 'email': 'bouncing@example.com',
             'delivery_disabled_date': fields.Datetime.now()},
        ])

    def test_accept_as_notice_reaches_every_member_once(self):
        start = fields.Datetime.now()
        self.group.write({'digest_daily_last_date': start, 'digest_summary_last_date': start})
        with freeze_time(start + datetime.timedelta(hours=1)):
            root = self.post('Topic')
            self.muriel._set_thread_setting(root, 'mute')
            self.group.write({'moderation': True})
            held = self.post('Re: Topic', root.mail_message_id.message_id)
            self.assertEqual(held.moderation_status, 'pending_moderation')
            with self.assertRaises(AccessError), mute_logger('odoo.addons.base.models.ir_rule'):
                held.with_user(self.user_employee).action_moderate_accept_notice()
            self.assertFalse(held.is_notice)
            held.with_user(self.user_moderator).action_moderate_accept_notice()
        self.assertTrue(held.is_notice)
        self.assertEqual(held.moderation_status, 'accepted')
        self.assertEqual(self.recipients(held), self.everyone | {
            'muriel@example.com', 'fred@example.com', 'fiona@example.com', 'dina@example.com', 'nora@example.com',
            'sam@example.com'}, 'every member, whatever their mode and mutes, but a disabled delivery and the author')
        self.assertEqual(len(self.queued_mails(held)), len(self.recipients(held)), 'once each')

        with freeze_time(start + datetime.timedelta(days=1)):
            self.env['mail.group']._cron_send_digests()
        digests = self.env['mail.mail'].sudo().search([('email_to', 'in', ('dina@example.com', 'sam@example.com')),
                                                       ('mail_message_id.message_type', '=', 'email_outgoing')])
        self.assertEqual(sorted(digests.mapped('subject')), ['Public List: Daily digest, 1 message',
                                                             'Public List: Daily summary, 1 message'],
                         'the notice is in no digest: only the first post')

    def test_only_moderators_mark_a_notice_over_rpc(self):
        post = self.post('Plain post')
        member_post = self.env['mail.group.message'].sudo().browse(post.id)
        self.assertRpcDenied(self.user_portal, 'mail.group.message', 'write', member_post.ids, {'is_notice': True})
        self.assertRpcDenied(self.user_employee, 'mail.group.message', 'write', member_post.ids, {'is_notice': True})
        self.assertRpcDenied(self.user_employee, 'mail.group.message', 'create',
                             {'mail_group_id': self.group.id, 'subject': 'Fake notice', 'body': 'x', 'is_notice': True})
        self.assertRpcDenied(self.user_portal, 'mail.group.message', 'action_moderate_accept_notice', member_post.ids)
        self.env.invalidate_all()
        self.assertFalse(member_post.is_notice)
        self.assertFalse(self.env['mail.group.message'].sudo().search([('subject', '=', 'Fake notice')]))

        # a moderator's notice from the back office goes out as one
        self.rpc(self.user_moderator, 'mail.group.message', 'create',
                 {'mail_group_id': self.group.id, 'subject': 'Office closed', 'body': '<p>Monday</p>', 'is_notice': True})
        notice = self.env['mail.group.message'].sudo().search([('subject', '=', 'Office closed')])
        self.assertTrue(notice.is_notice)
        self.assertIn('nora@example.com', self.recipients(notice))


@tagged('post_install', '-at_install', 'website_mail_group')
class TestNoticeFromTheWebsite(WebsiteMailGroupCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['mail.group.member'].create([
            {'mail_group_id': cls.group_public.id, 'partner_id': cls.user_moderator.partner_id.id},
            {'mail_group_id': cls.group_public.id, 'partner_id': cls.user_portal.partner_id.id},
            {'mail_group_id': cls.group_public.id, 'email': 'nomail@example.com', 'delivery_mode': 'none'},
        ])

    def new_topic_form(self):
        _response, page = self.get_page(f'/groups/{slug(self.group_public)}')
        form = page.xpath('//form[contains(@class, "o_mg_new_topic_form")]')[0]
        return form, {field.get('name'): field.get('value') for field in form.xpath('.//input[@type="hidden"]')}

    def test_moderator_sends_a_notice(self):
        self.authenticate(self.user_moderator.login, self.user_moderator.login)
        form, data = self.new_topic_form()
        self.assertTrue(form.xpath('.//input[@name="notice"]'), 'moderators get the checkbox')
        response = self.url_open(form.get('action'), data={**data, 'subject': 'Maintenance tonight',
                                                           'body': 'The list pauses at 22:00.', 'notice': '1'})
        self.assertEqual(response.status_code, 200)
        notice = self.env['mail.group.message'].sudo().search([('subject', '=', 'Maintenance tonight')])
        self.assertTrue(notice.is_notice)
        copies = self.env['mail.mail'].sudo().search([('mail_message_id', '=', notice.mail_message_id.id)])
        self.assertIn('nomail@example.com', copies.mapped('email_to'), 'even a no-mail member')
        _response, page = self.get_page(f'/groups/{slug(self.group_public)}')
        self.assertEqual(self.texts(page, f'//li[@data-id="{notice.id}"]//span[contains(@class, "o_mg_notice_badge")]'),
                         ['Special notice'], 'marked in the archive')
        _response, page = self.get_page(f'/groups/{slug(self.group_public)}/{slug(notice)}')
        self.assertEqual(self.texts(page, '//span[contains(@class, "o_mg_notice_badge")]'), ['Special notice'])

    def test_member_cannot_send_a_notice(self):
        self.authenticate('wmg_portal', 'wmg_portal')
        form, data = self.new_topic_form()
        self.assertFalse(form.xpath('.//input[@name="notice"]'), 'members get no checkbox')
        before = self.env['mail.group.message'].sudo().search_count([])
        response = self.url_open(form.get('action'), data={**data, 'subject': 'Fake', 'body': 'x', 'notice': '1'})
        self.assertEqual(response.status_code, 403)
        self.assertIn('Only the moderators of this group can send special notices.', response.text)
        self.assertEqual(self.env['mail.group.message'].sudo().search_count([]), before, 'nothing stored')
        reply_url = f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}/reply'
        response = self.url_open(reply_url, data={'csrf_token': data['csrf_token'], 'body': 'x', 'notice': '1'})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.env['mail.group.message'].sudo().search_count([]), before, 'nothing stored')
