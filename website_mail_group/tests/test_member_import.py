"""Bringing members over: the member import wizard on everyday and hostile
input, its rights (attacked over RPC in test_attacks_member_import.py), its cost,
and Odoo's standard export of members."""
import re

from odoo import tools
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailGroupCommon


@tagged('post_install', '-at_install')
class TestMemberImport(MailGroupCommon):

    def run_import(self, text, mode='add', group=None, user=None):
        group = group or self.group_public
        Wizard = self.env['mail.group.member.import'].with_user(user or self.user_moderator)
        wizard = Wizard.create({'mail_group_id': group.id, 'emails': text, 'mode': mode})
        action = wizard.action_import()
        self.assertEqual((action['res_model'], action['res_id']), (wizard._name, wizard.id), 'the result is shown')
        return wizard

    def counts(self, wizard):
        return {name: wizard[f'{name}_count'] for name in ('added', 'invited', 'existing', 'repeated', 'invalid')}

    def members(self, group=None):
        self.env.invalidate_all()
        return {member.email_normalized: member for member in (group or self.group_public).member_ids}

    def confirmation_mails(self):
        return self.env['mail.mail'].sudo().search([('subject', '=like', 'Confirm your subscription%')])

    def test_import_lines_and_commas(self):
        text = '\n'.join([
            'jane@example.com',
            'John Doe <john@example.com>, "Doe, Ann" <ann@example.com>; bob@example.org',
            '   ',
            'JANE@Example.com',  # repeated, in another case
            'plain@member.example.com, cathy@customer.example.com',  # members (by address, by partner)
            'not an address, @example.com, x@@example.com, a@b.c x@y.z',
        ])
        wizard = self.run_import(text)
        self.assertEqual(self.counts(wizard), {'added': 4, 'invited': 0, 'existing': 2, 'repeated': 1, 'invalid': 4})
        self.assertEqual(wizard.invalid_lines.splitlines(), ['not an address', '@example.com', 'x@@example.com',
                                                             'a@b.c x@y.z'])
        members = self.members()
        self.assertEqual(members['john@example.com'].email, '"John Doe" <john@example.com>')
        self.assertEqual(members['ann@example.com'].email, '"Doe, Ann" <ann@example.com>')
        self.assertEqual(members['jane@example.com'].email, 'jane@example.com')
        self.assertEqual(len(members), 3 + 4)
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'jane@example.com')]),
                         'members added directly get no mail, as rows created in the Members list')

    def test_hostile_input(self):
        long_entry = 'x' * 10_000 + '@example.com'
        many = ', '.join(f'many{index}@example.com' for index in range(500))  # a 12 kB line of addresses
        text = '\n'.join([
            long_entry,
            many,
            '"Evil\rBcc: victim@example.com" <evil@example.com>',  # a line break splits it: both halves refused
            'Bcc: victim@example.com <real@example.com>',  # a name that reads like a header
            'Tab\tNull\x00Name <ctl@example.com>',
            'a@b.c, <x@y>',
            'Ünï Cödé <unicode@bücher.example>',
            '<script>alert(1)</script>@example.com',
        ])
        wizard = self.run_import(text)
        members = self.members()
        self.assertEqual(wizard.added_count, 500 + 4)
        self.assertEqual(wizard.invalid_count, 1 + 2 + 1 + 1)
        self.assertTrue(all(len(line) <= 80 for line in wizard.invalid_lines.splitlines()), 'long lines are cut')
        self.assertNotIn('evil@example.com', members)
        self.assertNotIn('victim@example.com', members)
        real = members['real@example.com']
        self.assertEqual(tools.email_split(real.email), ['real@example.com'], 'the name stays a name')
        self.assertEqual(members['ctl@example.com'].email, '"TabNullName" <ctl@example.com>')
        self.assertIn('a@b.c', members)
        self.assertNotIn('x@y', members, 'a domain without a dot is refused')
        self.assertIn('Ünï Cödé', members['unicode@bücher.example'].email)

        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.post_raw(self.group_public, 'cathy@customer.example.com', subject='To everyone')
        copy = self.queued_mails(self.env['mail.group.message'].sudo().search([('subject', '=', 'To everyone')]))
        self.assertEqual(tools.email_split(copy['real@example.com'].email_to), ['real@example.com'])
        self.assertNotIn('victim@example.com', copy)

    def test_invite_sends_each_their_confirmation(self):
        wizard = self.run_import('new1@example.com\nNew Two <new2@example.com>\nplain@member.example.com\nbad@', 'invite')
        self.assertEqual(self.counts(wizard), {'added': 0, 'invited': 2, 'existing': 1, 'repeated': 0, 'invalid': 1})
        self.assertEqual(len(self.members()), 3, 'nobody joins before confirming')
        mails = {mail.email_to: mail for mail in self.confirmation_mails()}
        self.assertEqual(set(mails), {'new1@example.com', 'new2@example.com'})
        links = {}
        for email, mail in mails.items():
            self.assertFalse(mail.model or mail.res_id, 'on no record: only the recipient reads the link')
            self.assertNotIn('placeholder.invalid', mail.body_html)
            link = re.search(r'href="([^"]*/group/subscribe-confirm\?[^"]*)"', mail.body_html).group(1)
            links[email] = link.replace('&amp;', '&')
            self.assertIn(f'email={email.replace("@", "%40")}', links[email])
            token = re.search(r'token=([^&]+)', links[email]).group(1)
            self.assertEqual(self.group_public._check_action_token(email, 'subscribe', token), 'valid')
        self.assertNotEqual(links['new1@example.com'], links['new2@example.com'])

    def test_invite_respects_the_hourly_limit_per_address(self):
        for _attempt in range(3):
            self.run_import('again@example.com', 'invite')
        with mute_logger('odoo.addons.website_mail_group.models.mail_group_invitations'):
            wizard = self.run_import('again@example.com, fresh@example.com', 'invite')
        self.assertEqual(wizard.invited_count, 1)
        self.assertEqual(len(self.confirmation_mails().filtered(lambda m: m.email_to == 'again@example.com')), 3)

    def test_import_button_on_the_group_form(self):
        arch = self.env['mail.group'].with_user(self.user_moderator).get_views([(False, 'form')])['views']['form']['arch']
        action = self.env.ref('website_mail_group.mail_group_member_import_action')
        self.assertIn(f'name="{action.id}"', arch)
        self.assertIn('string="Import Members"', arch)
        self.assertEqual((action.res_model, action.target), ('mail.group.member.import', 'new'))

    def test_only_managers_import(self):
        with self.assertRaises(AccessError):
            self.run_import('x@example.com', user=self.user_employee)
        other = self.env['mail.group'].create({'name': 'Other', 'alias_name': 'other-list'})
        with self.assertRaises(AccessError):
            self.run_import('x@example.com', group=other)  # not among its moderators
        wizard = self.env['mail.group.member.import'].with_user(self.user_moderator).create(
            {'mail_group_id': self.group_public.id, 'emails': 'x@example.com'})
        with self.assertRaises(AccessError):
            wizard.write({'mail_group_id': other.id})
        self.group_public.moderator_ids -= self.user_moderator
        self.group_public.moderator_ids |= self.user_admin
        with self.assertRaises(AccessError):
            wizard.action_import()
        self.assertNotIn('x@example.com', self.members())

    def test_queries_do_not_grow_with_the_list(self):
        def queries(count, mode, prefix):
            text = '\n'.join(f'{prefix}{index}@example.com' for index in range(count))
            start = self.env.cr.sql_log_count
            self.run_import(text, mode)
            return self.env.cr.sql_log_count - start
        small, large = queries(10, 'add', 'a'), queries(1000, 'add', 'b')
        # one create call: Odoo inserts its rows 100 at a time
        self.assertLessEqual(large, small + 1000 // 100, f'add: {small} queries for 10, {large} for 1,000')
        small, large = queries(10, 'invite', 'c'), queries(300, 'invite', 'd')
        self.assertLessEqual(large, small + 10, f'invite: {small} queries for 10, {large} for 300')


@tagged('post_install', '-at_install')
class TestMemberExport(MailGroupCommon):

    def test_standard_export_of_members(self):
        """A moderator exports the members of their groups with Odoo's export
        (which Odoo 17 grants with "Access to export feature")."""
        self.user_moderator.groups_id |= self.env.ref('base.group_allow_export')
        fields = ['email', 'email_normalized', 'partner_id', 'mail_group_id', 'delivery_mode', 'create_date']
        Member = self.env['mail.group.member'].with_user(self.user_moderator)
        rows = Member.search([('mail_group_id', '=', self.group_public.id)]).export_data(fields)['datas']
        by_email = {row[1]: row for row in rows}
        self.assertEqual(set(by_email), {'plain@member.example.com', 'cathy@customer.example.com',
                                         self.partner_employee.email_normalized})
        plain = by_email['plain@member.example.com']
        self.assertEqual(plain[0], 'Plain Member <plain@member.example.com>')
        self.assertEqual((plain[2], plain[3], plain[4]), ('', 'Public List', 'Every message'))
        self.assertTrue(plain[5], 'member since')
        self.assertEqual(by_email['cathy@customer.example.com'][2], 'Cathy Customer')
        other = self.env['mail.group'].create({'name': 'Not Mine', 'alias_name': 'not-mine'})
        self.env['mail.group.member'].create({'mail_group_id': other.id, 'email': 'hidden@example.com'})
        exported = Member.search([]).export_data(['email_normalized'])['datas']
        self.assertNotIn(['hidden@example.com'], exported, 'only the members of their own groups')
