"""Mail that the gateway must neither lose nor mistake: another list's post
is not our loop, a post copied to a command address is still a post, and a
mail without sender waits for a moderator."""
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailGroupCommon

MUTED = ('odoo.addons.mail.models.mail_thread',)


@tagged('post_install', '-at_install', 'mail_gateway')
class TestSilentLosses(MailGroupCommon):

    def confirmations_to(self, email):
        return self.env['mail.mail'].sudo().search([('email_to', '=', email), ('body_html', 'ilike', '-confirm?')])

    def assert_distributed(self, msg_id, label):
        message = self.group_message(msg_id)
        self.assertEqual(message.moderation_status, 'accepted', label)
        self.assertEqual(sorted(self.queued_mails(message)), sorted([self.partner_employee.email, 'plain@member.example.com']),
                         f'{label}: the members receive it')

    @mute_logger(*MUTED)
    def test_another_lists_post_is_not_our_loop(self):
        """A list whose id or address merely contains ours is another list."""
        domain = self.alias_domain
        cases = {
            'list-id containing ours': f'List-Id: "Core" <core-public-list.{domain}>\r\n',
            'list-id extending ours': f'List-Id: <public-list.{domain}.mirror.example.org>\r\n',
            'x-loop containing ours': f'X-Loop: core-public-list@{domain}\r\n',
            'list-id phrase naming ours': f'List-Id: "public-list.{domain}" <other.example.org>\r\n',
        }
        for label, header in cases.items():
            msg_id = self.post_raw(self.group_public, 'cathy@customer.example.com', subject=label, extra_headers=header)
            self.assert_distributed(msg_id, label)

    @mute_logger(*MUTED, 'odoo.addons.website_mail_group.models.mail_group')
    def test_our_list_id_in_another_case_is_a_loop(self):
        domain = self.alias_domain.upper()
        cases = {
            'upper-cased list-id': f'List-Id: "Public List" <PUBLIC-LIST.{domain}>\r\n',
            'bare list-id': f'List-Id: public-list.{self.alias_domain}\r\n',
            'upper-cased x-loop': f'X-Loop: PUBLIC-LIST@{domain}\r\n',
            'named x-loop': f'X-Loop: "Public List" <public-list@{self.alias_domain}>\r\n',
        }
        for label, header in cases.items():
            msg_id = self.post_raw(self.group_public, 'cathy@customer.example.com', subject=label, extra_headers=header)
            self.assertFalse(self.group_message(msg_id), f'{label}: discarded')
            self.assertFalse(self.env['mail.mail'].sudo().search([('subject', '=', label)]), f'{label}: nothing sent')

    @mute_logger(*MUTED)
    def test_post_copied_to_the_subscribe_address_stays_a_post(self):
        group = self.group_public
        command = f'public-list+subscribe@{self.alias_domain}'
        for label, to, cc in [
            ('to both', f'{group.alias_email}, {command}', ''),
            ('cc the command', group.alias_email, f'Cc: {command}\r\n'),
            ('command first', f'{command}, {group.alias_email}', ''),
        ]:
            msg_id = self.post_raw(group, 'cathy@customer.example.com', subject=label, to=to, extra_headers=cc)
            self.assert_distributed(msg_id, label)
        self.assertFalse(self.confirmations_to('cathy@customer.example.com'),
                         'a post is not a subscription request')

    @mute_logger(*MUTED)
    def test_command_by_envelope_recipient(self):
        """With one pipe per alias, the MTA hands each envelope recipient its
        own copy: the one delivered to the command address is the command."""
        group = self.group_public
        command = f'public-list+subscribe@{self.alias_domain}'
        for header in ('Delivered-To', 'X-Original-To'):
            email = f'{header.lower()}@example.org'
            msg_id = self.post_raw(group, email, to=f'{group.alias_email}, {command}',
                                   extra_headers=f'{header}: {command}\r\n')
            self.assertFalse(self.group_message(msg_id), f'{header}: not a post')
            self.assertEqual(len(self.confirmations_to(email)), 1, f'{header}: the sender gets the confirmation link')
            self.assertFalse(group._find_member(email), f'{header}: only after confirmation')
        email = 'alone@example.org'
        self.post_raw(group, email, to=command)
        self.assertEqual(len(self.confirmations_to(email)), 1, 'a mail to the command address alone is a command')
        self.assertFalse(self.env['mail.group.message'].search([('mail_group_id', '=', group.id)]))

    @mute_logger(*MUTED)
    def test_mail_without_sender_is_held(self):
        """README: mail without a sender is held for a moderator."""
        for label, email_from in (('no From header', None), ('empty From', ''), ('From without address', 'Nobody')):
            self.assert_held_without_sender(self.post_raw(self.group_public, email_from, subject=label), label)

    def assert_held_without_sender(self, msg_id, label):
        message = self.group_message(msg_id)
        self.assertEqual((message.moderation_status, message.moderation_reason), ('pending_moderation', 'no_sender'),
                         label)
        self.assertFalse(self.queued_mails(message), f'{label}: nobody receives it before a moderator decides')
        root = self.env.ref('base.partner_root')
        self.assertNotEqual(message.author_id, root, f'{label}: not published as OdooBot')
        self.assertIn(message, self.group_public.with_user(self.user_moderator).mail_group_message_ids,
                      f'{label}: the moderator sees it waiting')
