import ast
import re
from email.utils import parsedate_to_datetime

import psycopg2

from odoo import fields, tools
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailGroupCommon
from .mails import rfc2822_date


@tagged('post_install', '-at_install', 'mail_gateway')
class TestMailGateway(MailGroupCommon):

    def test_alias_on_company_alias_domain(self):
        self.assertEqual(self.group_public.alias_email, f'public-list@{self.alias_domain}')
        self.assertEqual(self.group_public.alias_id.alias_force_thread_id, self.group_public.id)
        self.assertEqual(self.group_public.alias_id.alias_model_id.model, 'mail.group')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_post_distributed_to_members_but_author(self):
        msg_id = self.post_raw(self.group_public, '"Cathy Customer" <cathy@customer.example.com>',
                               subject='Release notes', body='Version 2 is out.')
        group_message = self.group_message(msg_id)
        self.assertEqual(group_message.moderation_status, 'accepted')
        self.assertEqual(group_message.subject, 'Release notes')
        self.assertEqual(group_message.author_id, self.partner_customer)
        self.assertEqual(group_message.email_from_normalized, 'cathy@customer.example.com')
        mails = self.queued_mails(group_message)
        self.assertEqual(sorted(mails), sorted([self.partner_employee.email, 'plain@member.example.com']),
                         'every member but the author receives the post, once')
        mail = mails['plain@member.example.com']
        self.assertEqual(mail.state, 'outgoing')
        self.assertEqual(mail.subject, 'Release notes')
        self.assertEqual(mail.reply_to, self.group_public.alias_email)
        self.assertEqual(mail.message_id, msg_id, 'copies keep the Message-Id so replies thread')
        self.assertIn('Version 2 is out.', mail.body_html)

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_list_headers_and_personal_footer(self):
        msg_id = self.post_raw(self.group_public, 'cathy@customer.example.com')
        mails = self.queued_mails(self.group_message(msg_id))
        self.assertEqual(sorted(mails), sorted([self.partner_employee.email, 'plain@member.example.com']),
                         'one copy per member but the author')
        base_url = self.group_public.get_base_url()
        for email, mail in mails.items():
            sent = self.as_sent(mail)
            self.assertEqual(sent['List-Id'], f'"Public List" <public-list.{self.alias_domain}>')
            self.assertEqual(sent['List-Post'], f'<mailto:public-list@{self.alias_domain}>')
            self.assertEqual(sent['List-Archive'], f'<{base_url}/groups/{self.group_public.id}>')
            self.assertEqual(sent['List-Subscribe'], f'<{base_url}/groups>, <mailto:public-list+subscribe@{self.alias_domain}>')
            self.assertEqual(sent['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click')
            self.assertEqual(sent['Precedence'], 'list')
            self.assertEqual(sent['X-Auto-Response-Suppress'], 'OOF')
            self.assertEqual(sent['X-Loop'], f'public-list@{self.alias_domain}')
            self.assertNotIn('In-Reply-To', sent)
            unsubscribe_url = self.group_public._get_email_unsubscribe_url(email)
            self.assertEqual(sent['List-Unsubscribe'], f'<{unsubscribe_url}>', 'each member gets their own link')
            self.assertEqual(ast.literal_eval(mail.headers)['List-Unsubscribe'], f'<{unsubscribe_url}>',
                             "read from the queued copy too, where Odoo's mail_group has it")
            html = sent.get_body(('html',)).get_content()
            self.assertIn('id="o_mg_message_footer"', html)
            self.assertIn(unsubscribe_url.replace('&', '&amp;'), html)
            self.assertIn(f'mailto:public-list@{self.alias_domain}', html)
            self.assertIn(f'{base_url}/groups/{self.group_public.id}', html)
            self.assertIn(unsubscribe_url.replace('&', '&amp;'), mail.body_content, 'the back office shows the copy as sent')
        links = {self.as_sent(mail)['List-Unsubscribe'] for mail in mails.values()}
        self.assertEqual(len(links), 2, 'one link per member')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_one_copy_per_address(self):
        """The same address twice (a partner and a plain member) gets one copy."""
        self.env['mail.group.member'].create({
            'mail_group_id': self.group_public.id, 'email': self.partner_employee.email})
        self.assertEqual(self.group_public.member_count, 4)
        msg_id = self.post_raw(self.group_public, 'someone@else.example.com')
        mails = self.env['mail.mail'].sudo().search(
            [('mail_message_id', '=', self.group_message(msg_id).mail_message_id.id)])
        self.assertEqual(sorted(tools.email_normalize(email) for email in mails.mapped('email_to')), sorted([
            self.partner_employee.email, self.partner_customer.email, 'plain@member.example.com']))

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_reply_threads_and_strips_quoted_footer(self):
        first_id = self.post_raw(self.group_public, 'cathy@customer.example.com', subject='Question')
        first = self.group_message(first_id)
        received = self.as_sent(self.queued_mails(first)['plain@member.example.com'])
        quoted_footer = received.get_body(('html',)).get_content()
        reply_body = f'<p>My answer</p><blockquote>{quoted_footer}</blockquote>'
        reply_id = self.post_raw(
            self.group_public, 'plain@member.example.com', subject='Re: Question', body=reply_body,
            content_type='text/html; charset=utf-8', extra_headers=f'In-Reply-To: {first_id}\r\nReferences: {first_id}\r\n')
        reply = self.group_message(reply_id)
        self.assertEqual(reply.group_message_parent_id, first)
        self.assertEqual(first.group_message_child_ids, reply)
        self.assertIn('My answer', reply.body)
        self.assertNotIn('o_mg_message_footer', reply.body, 'our footer is removed from quoted replies')
        self.assertNotIn('unsubscribe_oneclick', reply.body)
        mails = self.queued_mails(reply)
        self.assertNotIn('plain@member.example.com', mails)
        mail = mails['cathy@customer.example.com']
        self.assertEqual(self.as_sent(mail)['In-Reply-To'], first_id)
        self.assertEqual(self.as_sent(mail).get_all('References'), [first_id], 'one References header')

    @mute_logger('odoo.addons.mail.models.mail_thread', 'odoo.addons.mail.models.mail_alias')
    def test_members_only_refuses_non_members(self):
        with self.mock_mail_gateway():
            msg_id = self.post_raw(self.group_members, 'stranger@outside.example.com', subject='Spam')
        self.assertFalse(self.group_message(msg_id), 'nothing is stored for a refused author')
        bounce = [mail for mail in self._mails if 'stranger@outside.example.com' in mail['email_to'][0]]
        self.assertEqual(len(bounce), 1, "the author gets Odoo's alias bounce")
        self.assertIn(f'could not be accepted by the address {self.group_members.alias_email}', bounce[0]['body'])
        self.assertIn('Only members of the mailing list are allowed to contact it.', bounce[0]['body'])

        msg_id = self.post_raw(self.group_members, 'Plain <PLAIN@member.example.com>', subject='Member post')
        self.assertEqual(self.group_message(msg_id).moderation_status, 'accepted', 'members may post, whatever the case')

    @mute_logger('odoo.addons.mail.models.mail_thread', 'odoo.addons.mail.models.mail_alias')
    def test_user_group_refuses_outsiders(self):
        with self.mock_mail_gateway():
            refused_id = self.post_raw(self.group_users, self.partner_portal.email_formatted)
        self.assertFalse(self.group_message(refused_id))
        bounce = [mail for mail in self._mails if self.partner_portal.email in mail['email_to'][0]]
        self.assertEqual(len(bounce), 1)
        self.assertIn('Only users of the group &#34;Internal User&#34; are allowed', bounce[0]['body'])
        accepted_id = self.post_raw(self.group_users, self.partner_employee.email_formatted)
        self.assertEqual(self.group_message(accepted_id).moderation_status, 'accepted')

    @mute_logger('odoo.addons.mail.models.mail_thread', 'odoo.addons.mail.models.mail_alias')
    def test_archived_group_bounces(self):
        self.group_public.active = False
        with self.mock_mail_gateway():
            msg_id = self.post_raw(self.group_public, 'cathy@customer.example.com')
        self.assertFalse(self.group_message(msg_id))
        self.assertEqual(len(self._mails), 1)

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_moderated_post_held_and_author_notified(self):
        msg_id = self.post_raw(self.group_moderated, 'Newcomer <newcomer@example.org>', subject='First post')
        group_message = self.group_message(msg_id)
        self.assertEqual(group_message.moderation_status, 'pending_moderation')
        self.assertFalse(self.queued_mails(group_message), 'nothing reaches members before moderation')
        notification = self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'newcomer@example.org')])
        self.assertEqual(len(notification), 1)
        self.assertIn('Your post waits for a moderator.', notification.body_html)
        self.assertEqual(self.group_moderated.mail_group_message_moderation_count, 1)

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_rules_apply_to_inbound_mail(self):
        self.env['mail.group.moderation'].create([
            {'mail_group_id': self.group_moderated.id, 'email': 'friend@example.org', 'status': 'allow'},
            {'mail_group_id': self.group_moderated.id, 'email': 'foe@example.org', 'status': 'ban'},
            {'mail_group_id': self.group_public.id, 'email': 'foe@example.org', 'status': 'ban'},
        ])
        allowed = self.group_message(self.post_raw(self.group_moderated, 'Friend <FRIEND@example.org>'))
        self.assertEqual(allowed.moderation_status, 'accepted')
        self.assertEqual(len(self.queued_mails(allowed)), 3)
        for group in self.group_moderated | self.group_public:
            banned = self.group_message(self.post_raw(group, 'foe@example.org'))
            self.assertEqual(banned.moderation_status, 'rejected')
            self.assertFalse(self.queued_mails(banned))
        moderator = self.group_message(self.post_raw(self.group_moderated, self.user_moderator.email))
        self.assertEqual(moderator.moderation_status, 'accepted', "moderators' posts need no review")

    @mute_logger('odoo.addons.mail.models.mail_thread', 'odoo.addons.website_mail_group.models.mail_group')
    def test_auto_replies_and_loops_never_distributed(self):
        cases = {
            'auto': 'Auto-Submitted: auto-replied\r\n',
            'bulk': 'Precedence: bulk\r\n',
            'ooo': 'X-Autoreply: yes\r\n',
            'loop': f'List-Id: "Public List" <public-list.{self.alias_domain}>\r\n',
            'xloop': f'X-Loop: public-list@{self.alias_domain}\r\n',
        }
        for name, header in cases.items():
            msg_id = self.post_raw(self.group_public, 'cathy@customer.example.com', subject=name, extra_headers=header)
            self.assertFalse(self.group_message(msg_id), f'{name}: discarded')
            self.assertFalse(self.env['mail.mail'].sudo().search([('subject', '=', name)]), f'{name}: nothing sent')
        human = self.post_raw(self.group_public, 'cathy@customer.example.com', extra_headers='Auto-Submitted: no\r\n')
        self.assertEqual(self.group_message(human).moderation_status, 'accepted')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_duplicate_message_id_stored_once(self):
        msg_id = self.post_raw(self.group_public, 'cathy@customer.example.com')
        self.post_raw(self.group_public, 'cathy@customer.example.com', message_id=msg_id)
        self.assertEqual(len(self.group_message(msg_id)), 1)
        self.assertEqual(len(self.queued_mails(self.group_message(msg_id))), 2)

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_attachments_kept_on_post(self):
        boundary = 'XXBOUNDARY'
        body = (
            f'--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n'
            f'--{boundary}\r\nContent-Type: text/csv; name="data.csv"\r\n'
            f'Content-Disposition: attachment; filename="data.csv"\r\n\r\na,b\r\n1,2\r\n'
            f'--{boundary}--'
        )
        msg_id = self.post_raw(self.group_public, 'cathy@customer.example.com', body=body,
                               content_type=f'multipart/mixed; boundary="{boundary}"')
        group_message = self.group_message(msg_id)
        self.assertEqual(group_message.attachment_ids.mapped('name'), ['data.csv'])
        self.assertEqual(group_message.attachment_ids.res_model, 'mail.group.message')
        self.assertEqual(group_message.attachment_ids.res_id, group_message.id)
        self.assertEqual(group_message.attachment_ids.raw, b'a,b\r\n1,2')
        mail = self.queued_mails(group_message)['plain@member.example.com']
        self.assertEqual(mail.attachment_ids, group_message.attachment_ids)

    def test_post_from_back_office(self):
        """Emails → New → Send: an internal user writes to the group."""
        message = self.env['mail.group.message'].with_user(self.user_employee).create({
            'mail_group_id': self.group_public.id,
            'subject': 'Written in Odoo',
            'body': '<p>Hello from the back office</p>',
        })
        self.assertEqual(message.moderation_status, 'accepted')
        self.assertEqual(message.author_id, self.partner_employee)
        self.assertEqual(message.email_from, self.partner_employee.email_formatted)
        self.assertEqual(message.mail_message_id.model, 'mail.group')
        self.assertEqual(message.mail_message_id.res_id, self.group_public.id)
        mails = self.queued_mails(message)
        self.assertEqual(sorted(mails), sorted([self.partner_customer.email, 'plain@member.example.com']))

    def test_post_from_back_office_moderated(self):
        message = self.env['mail.group.message'].with_user(self.user_employee).create({
            'mail_group_id': self.group_moderated.id,
            'subject': 'Needs review',
            'body': '<p>Hello</p>',
        })
        self.assertEqual(message.moderation_status, 'pending_moderation')
        self.assertFalse(self.queued_mails(message))

    def test_clean_email_body(self):
        Group = self.env['mail.group']
        self.assertEqual(Group._clean_email_body('<p>a</p><div id="o_mg_message_footer"><a>x</a></div>'), '<p>a</p>')
        self.assertEqual(Group._clean_email_body('<p>kept</p>'), '<p>kept</p>')
        self.assertEqual(Group._clean_email_body(False), False)

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_hold_reasons_shown_to_moderators(self):
        self.group_public.write({
            'nonmember_action': 'hold', 'max_message_size_kb': 2, 'max_recipients': 3,
            'banned_patterns': '*@spam.example\n*@casino.*',
        })
        cases = [
            ('stranger@example.org', {}, 'pending_moderation', 'non_member'),
            ('plain@member.example.com', {'body': 'x' * 4000}, 'pending_moderation', 'too_large'),
            ('plain@member.example.com', {'to': 'a@x.com, b@x.com, c@x.com, public-list@%s' % self.alias_domain},
             'pending_moderation', 'too_many_recipients'),
            ('offers@spam.example', {}, 'rejected', 'banned_pattern'),
            ('win@casino.biz', {}, 'rejected', 'banned_pattern'),
            ('plain@member.example.com', {}, 'accepted', False),
        ]
        for email_from, kwargs, status, reason in cases:
            message = self.group_message(self.post_raw(self.group_public, email_from, **kwargs))
            self.assertEqual((message.moderation_status, message.moderation_reason), (status, reason), email_from)
            self.assertEqual(bool(self.queued_mails(message)), status == 'accepted')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_non_member_reject_and_discard(self):
        self.group_public.nonmember_action = 'reject'
        rejected = self.group_message(self.post_raw(self.group_public, 'stranger@example.org', subject='Hi'))
        self.assertEqual(rejected.moderation_status, 'rejected')
        notice = self.env['mail.mail'].sudo().search([('email_to', '=', 'stranger@example.org')])
        self.assertEqual(len(notice), 1)
        self.assertIn('only members of the group may post', notice.body_html)
        self.assertEqual(ast.literal_eval(notice.headers)['Auto-Submitted'], 'auto-replied')
        self.group_public.nonmember_action = 'discard'
        msg_id = self.post_raw(self.group_public, 'other.stranger@example.org')
        self.assertFalse(self.env['mail.message'].sudo().search([('message_id', '=', msg_id)]))

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_moderator_discards_pending_post(self):
        message = self.group_message(self.post_raw(self.group_moderated, 'spammer@example.org'))
        mail_message = message.mail_message_id
        message.with_user(self.user_moderator).action_moderate_discard()
        self.assertFalse(message.exists())
        self.assertFalse(mail_message.exists())
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'spammer@example.org'),
                                                              ('body_html', 'not ilike', 'waits for a moderator')]))

    def test_same_post_stored_once_by_the_database(self):
        """Two deliveries racing past the gateway's duplicate search: the
        database refuses the second copy, so the MTA retries it later."""
        self.group_public.message_post(body='<p>first</p>', email_from='a@example.com', message_id='<race@example.com>')
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'), self.cr.savepoint():
            self.group_public.message_post(body='<p>again</p>', email_from='a@example.com', message_id='<race@example.com>')
        self.group_moderated.message_post(body='<p>cross-post</p>', email_from='a@example.com', message_id='<race@example.com>')
        self.assertEqual(len(self.group_message('<race@example.com>')), 2, 'one copy per group')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_archive_date_from_header_never_in_future(self):
        date = rfc2822_date(hours_ago=30)
        past = self.group_message(self.post_raw(self.group_public, 'cathy@customer.example.com', date=date))
        self.assertEqual(past.date, parsedate_to_datetime(date).replace(tzinfo=None), 'the Date header dates the post')
        future_id = self.post_raw(self.group_public, 'cathy@customer.example.com', date='Fri, 01 Jan 2100 00:00:00 +0000')
        future = self.group_message(future_id)
        self.assertLessEqual(future.date, fields.Datetime.now())
        self.assertEqual(self.env['mail.group.message'].search([('mail_group_id', '=', self.group_public.id)], limit=1),
                         future, 'newest first')

    def test_email_commands(self):
        """<alias>+subscribe@ and +unsubscribe@ answer with a confirmation link."""
        group = self.group_public
        command = f'public-list+subscribe@{self.alias_domain}'
        self.post_raw(group, 'Newbie <newbie@example.org>', subject='subscribe', to=command)
        self.assertFalse(group._find_member('newbie@example.org'), 'only after confirmation')
        self.assertFalse(self.env['mail.group.message'].search([('mail_group_id', '=', group.id)]), 'not a post')
        mail = self.env['mail.mail'].sudo().search([('email_to', '=', 'newbie@example.org')])
        self.assertEqual(len(mail), 1)
        token = re.search(rf'/group/subscribe-confirm\?group_id={group.id}&amp;email=newbie%40example.org&amp;token=([\w.]+)"',
                          mail.body_html).group(1)
        self.assertEqual(group._check_action_token('newbie@example.org', 'subscribe', token), 'valid')

        self.post_raw(group, 'plain@member.example.com', subject='bye', to=f'public-list+unsubscribe@{self.alias_domain}')
        mail = self.env['mail.mail'].sudo().search([('email_to', '=', 'plain@member.example.com')])
        self.assertIn('/group/unsubscribe-confirm?', mail.body_html)
        self.assertTrue(group._find_member('plain@member.example.com'), 'nothing changes before confirmation')

        self.post_raw(self.group_members, 'outsider@example.org', subject='let me in',
                      to=f'members-only+subscribe@{self.alias_domain}')
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', '=', 'outsider@example.org')]),
                         'private groups take no subscription by email')

    def test_post_from_back_office_discarded_says_why(self):
        self.group_public.nonmember_action = 'discard'
        self.group_public.member_ids.filtered(lambda m: m.partner_id == self.partner_employee).unlink()
        with self.assertRaises(UserError):
            self.env['mail.group.message'].with_user(self.user_employee).create({
                'mail_group_id': self.group_public.id, 'subject': 'Not a member', 'body': '<p>x</p>'})
