import re

import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailGroupCommon


@tagged('post_install', '-at_install')
class TestMembers(MailGroupCommon):

    def test_find_member_preferences(self):
        group = self.group_public
        partner_member = group.member_ids.filtered(lambda m: m.partner_id == self.partner_customer)
        plain = self.env['mail.group.member'].create({'mail_group_id': group.id, 'email': self.partner_customer.email})
        other_partner = self.env['res.partner'].create({'name': 'Other', 'email': self.partner_customer.email})
        self.assertEqual(group._find_member(self.partner_customer.email, self.partner_customer.id), partner_member)
        self.assertEqual(group._find_member(self.partner_customer.email), plain, 'no partner given: partner-less member')
        self.assertEqual(group._find_member(self.partner_customer.email, other_partner.id), plain,
                         "another partner's address falls back on the partner-less member")
        self.assertEqual(group._find_member('CATHY@customer.example.com'), plain, 'addresses are normalized')
        self.assertFalse(group._find_member('nobody@example.com'))
        self.assertEqual(len(group._find_members(self.partner_customer.email, self.partner_customer.id)), 2)

    def test_join_twice_adds_nobody(self):
        group = self.group_moderated
        count = group.member_count
        member = group._join_group('New <new@example.com>')
        self.assertEqual(member.email_normalized, 'new@example.com')
        self.assertFalse(group._join_group('NEW@example.com'))
        group.invalidate_recordset(['member_count'])
        self.assertEqual(group.member_count, count + 1)
        with self.assertRaises(UserError):
            group._join_group('not an email')

    def test_partner_member_follows_partner_email(self):
        member = self.group_public.member_ids.filtered(lambda m: m.partner_id == self.partner_customer)
        self.partner_customer.email = 'new.address@customer.example.com'
        self.assertEqual(member.email, 'new.address@customer.example.com')
        self.assertEqual(member.email_normalized, 'new.address@customer.example.com')

    def test_unique_address_without_partner_is_a_database_constraint(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'), self.cr.savepoint():
            self.env['mail.group.member'].create({'mail_group_id': self.group_public.id, 'email': 'plain@member.example.com'})
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'), self.cr.savepoint():
            self.env['mail.group.member'].create({'mail_group_id': self.group_public.id, 'partner_id': self.partner_customer.id})

    def test_invalid_member_email(self):
        """Rows with an unusable address are kept, as Odoo's mail_group keeps
        them, and receive nothing; joining with one is refused."""
        member = self.env['mail.group.member'].create({'mail_group_id': self.group_public.id, 'email': 'nope'})
        self.assertFalse(member.email_normalized)
        self.assertNotIn(member.id, [target['id'] for page in self.group_public._delivery_pages('every') for target in page])
        with self.assertRaises(UserError):
            self.group_public._join_group('nope')

    def test_leave_group(self):
        group = self.group_public
        self.env['mail.group.member'].create({'mail_group_id': group.id, 'email': self.partner_customer.email})
        group._leave_group(self.partner_customer.email, self.partner_customer.id)
        self.assertEqual(len(group._find_members(self.partner_customer.email, None)), 1, 'only the best match left')
        group._leave_group(self.partner_customer.email, all_members=True)
        self.assertFalse(group._find_members(self.partner_customer.email, self.partner_customer.id))

    def test_join_and_leave_buttons(self):
        group = self.group_public.with_user(self.user_admin)
        self.assertFalse(group.is_member)
        group.action_join()
        group.invalidate_recordset(['is_member'])
        self.assertTrue(group.is_member)
        self.assertIn(self.partner_admin, group.member_partner_ids)
        self.assertIn(group, self.env['mail.group'].with_user(self.user_admin).search([('is_member', '=', True)]))
        group.action_leave()
        group.invalidate_recordset(['is_member'])
        self.assertFalse(group.is_member)

    def test_join_restricted_to_authorized_group(self):
        restricted = self.env['mail.group'].create({
            'name': 'Admins', 'alias_name': 'admins', 'access_mode': 'groups',
            'access_group_id': self.env.ref('base.group_system').id,
        })
        with self.assertRaises(AccessError):
            restricted.with_user(self.user_employee).action_join()

    def test_member_partner_search_follows_partner_link(self):
        """A partner is a member through its member rows, not its address: a
        member added by address is not the partner having that address."""
        partner = self.env['res.partner'].create({'name': 'Plain', 'email': 'PLAIN@member.example.com'})
        Group = self.env['mail.group']
        self.assertFalse(Group.search([('member_partner_ids', 'in', [partner.id])]))
        member_groups = self.group_public | self.group_moderated | self.group_members
        self.assertEqual(Group.search([('member_partner_ids', 'in', [self.partner_customer.id])]), member_groups)
        self.assertEqual(Group.search([('member_partner_ids', 'not in', [self.partner_customer.id]),
                                       ('id', 'in', (member_groups | self.group_users).ids)]), self.group_users)
        self.assertEqual(Group.search([('member_partner_ids', 'ilike', 'cathy cust')]), member_groups,
                         'the "Member" field of the search view finds partners by name')

    def test_guidelines_sent_on_join_when_enabled(self):
        self.group_public.write({
            'moderation_guidelines': True,
            'moderation_guidelines_msg': '<p>Be nice to each other.</p>',
        })
        self.group_public._join_group('newbie@example.com')
        mail = self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'newbie@example.com')])
        self.assertEqual(len(mail), 1)
        self.assertIn('Be nice to each other.', mail.body_html)
        self.assertEqual(mail.subject, 'Guidelines of group Public List',
                         "one mail: Odoo's guidelines mail, carrying the welcome")
        self.assertIn(self.group_public._get_email_unsubscribe_url('newbie@example.com').replace('&', '&amp;'),
                      mail.body_html, 'with the welcome links')

    def test_send_guidelines_to_every_member(self):
        self.group_public.write({'moderation_guidelines': True, 'moderation_guidelines_msg': '<p>Rules</p>'})
        self.group_public.with_user(self.user_moderator).action_send_guidelines()
        mails = self.env['mail.mail'].sudo().search([('subject', '=', 'Guidelines of group Public List')])
        self.assertEqual(sorted(mails.mapped('email_to')), sorted(self.group_public.member_ids.mapped('email')))
        with self.assertRaises(AccessError):
            self.group_public.with_user(self.user_employee).action_send_guidelines()

    def test_group_constraints(self):
        with self.assertRaises(ValidationError):
            self.env['mail.group'].create({'name': 'M', 'alias_name': 'm1', 'moderation': True})
        with self.assertRaises(ValidationError):
            self.group_public.write({'moderation_notify': True, 'moderation_notify_msg': False})
        with self.assertRaises(ValidationError):
            self.group_public.write({'moderation_guidelines': True, 'moderation_guidelines_msg': '<p><br></p>'})
        with self.assertRaises(ValidationError):
            self.group_public.write({'access_mode': 'groups', 'access_group_id': False})
        no_email = self.env['res.users'].create({'name': 'No Mail', 'login': 'nomail'})
        with self.assertRaises(ValidationError):
            self.group_public.write({'moderator_ids': [(4, no_email.id)]})

    def test_counts(self):
        self.post_raw(self.group_public, 'cathy@customer.example.com')
        self.post_raw(self.group_moderated, 'unknown@example.com')
        self.env['mail.group.moderation'].create({'mail_group_id': self.group_public.id, 'email': 'x@example.com'})
        (self.group_public | self.group_moderated).invalidate_recordset()
        self.assertEqual(self.group_public.member_count, 3)
        self.assertEqual(self.group_public.mail_group_message_count, 1)
        self.assertEqual(self.group_public.mail_group_message_last_month_count, 1)
        self.assertEqual(self.group_public.moderation_rule_count, 1)
        self.assertEqual(self.group_moderated.mail_group_message_count, 0)
        self.assertEqual(self.group_moderated.mail_group_message_moderation_count, 1)

    def test_subscription_confirmation_emails_carry_signed_links(self):
        group = self.group_public
        for action, sender in (('subscribe', group._send_subscribe_confirmation_email),
                               ('unsubscribe', group._send_unsubscribe_confirmation_email)):
            sender('Visitor <Visitor@Example.com>')
            mail = self.env['mail.mail'].sudo().search([('email_to', '=', 'visitor@example.com')], order='id desc', limit=1)
            token = re.search(rf'/group/{action}-confirm\?group_id={group.id}&amp;email=visitor%40example.com&amp;token=([\w.]+)"',
                              mail.body_html).group(1)
            self.assertEqual(group._check_action_token('visitor@example.com', action, token), 'valid')
            self.assertIn('Public List', mail.subject)
            self.assertFalse(mail.recipient_ids, 'the address alone receives it, no partner is created')
        self.assertFalse(self.env['res.partner'].search([('email_normalized', '=', 'visitor@example.com')]))
        self.assertFalse(group._find_member('visitor@example.com'), 'nothing changes before confirmation')
        with self.assertRaises(UserError):
            group._send_subscribe_confirmation_email('not-an-address')

    def test_confirmation_mails_are_rate_limited_per_address(self):
        """/groups cannot be used to mail-bomb someone."""
        sent = [self.group_public._send_subscribe_confirmation_email('victim@example.com') for __ in range(5)]
        self.assertEqual(sent, [True, True, True, False, False])
        self.assertEqual(self.env['mail.mail'].sudo().search_count([('email_to', '=', 'victim@example.com')]), 3)
        self.assertFalse(self.group_moderated._send_unsubscribe_confirmation_email('victim@example.com'),
                         'the limit is per address, across groups and actions')
        self.assertTrue(self.group_public._send_subscribe_confirmation_email('other@example.com'))
        self.env['ir.config_parameter'].set_param('website_mail_group.confirmation_limit_email', 10)
        self.assertTrue(self.group_public._send_subscribe_confirmation_email('victim@example.com'))

    def test_confirmation_rate_limit_per_client(self):
        Throttle = self.env['mail.group.throttle']
        allowed = [Throttle._allow({'email': f'a{index}@example.com', 'client': '203.0.113.7'}) for index in range(21)]
        self.assertEqual(allowed, [True] * 20 + [False], 'one client cannot mail-bomb many addresses')
        self.assertTrue(Throttle._allow({'email': 'z@example.com', 'client': '203.0.113.8'}), 'other clients are not affected')
