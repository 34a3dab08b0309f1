"""Moderation rules for busy lists, as moderators, members and strangers
notice them through the real mail gateway: new members' first posts held,
held posts expiring, header rules, the emergency hold, the list's address
required in To or Cc."""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import BaseCase, Form, tagged
from odoo.tools import mute_logger

from ..inbound import reasons, rules
from ..models import mail_group_expiry
from .common import MailGroupCommon

MUTED = ('odoo.addons.mail.models.mail_thread', 'odoo.addons.website_mail_group.models.mail_group_expiry')


class RulesModeratorsCase(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.group_public
        cls.member_emails = sorted(cls.group.member_ids.mapped('email_normalized'))

    def post(self, email_from, **kwargs):
        with mute_logger(*MUTED):
            return self.group_message(self.post_raw(self.group, email_from, **kwargs))

    def assert_held(self, post, reason_display, msg=None):
        self.assertEqual(post.moderation_status, 'pending_moderation', msg)
        self.assertEqual(post.moderation_reasons_display, reason_display, msg)
        self.assertFalse(self.queued_mails(post), f'{msg or reason_display}: no member gets it')

    def assert_distributed(self, post, msg=None):
        self.assertEqual(post.moderation_status, 'accepted', msg)
        recipients = set(self.queued_mails(post))
        self.assertTrue(recipients and recipients <= set(self.member_emails), f'{msg}: the members get it')

    def alerts(self, post):
        return self.env['mail.message'].sudo().search([
            ('model', '=', 'mail.group.message'), ('res_id', '=', post.id), ('message_type', '=', 'user_notification')])

    def backdate(self, records, **delta):
        """Make ``records`` created ``delta`` ago (the ORM never writes create_date)."""
        records.flush_recordset()
        self.env.cr.execute(f'UPDATE {records._table} SET create_date = create_date - %s WHERE id IN %s',
                            (timedelta(**delta), tuple(records.ids)))
        records.invalidate_recordset(['create_date'])


@tagged('post_install', '-at_install')
class TestNewMemberModeration(RulesModeratorsCase):

    def setUp(self):
        super().setUp()
        self.group.new_member_moderation = 2
        self.backdate(self.group.member_ids, days=30)  # they joined long before
        self.newbie = self.env['mail.group.member'].create(
            {'mail_group_id': self.group.id, 'email': 'Nina Newbie <nina@newbie.example.com>'})
        self.member_emails = sorted(self.group.member_ids.mapped('email_normalized'))

    def test_first_posts_held_until_accepted(self):
        first = self.post('Nina Newbie <nina@newbie.example.com>', subject='Hi all')
        self.assert_held(first, 'New member')
        self.assertEqual(first.moderation_reason, reasons.NEW_MEMBER)
        alert = self.alerts(first)
        self.assertEqual(len(alert), 1, 'the moderator is alerted')
        self.assertIn('New member', alert.body)

        first.with_user(self.user_moderator).action_moderate_accept()
        self.assert_distributed(first, 'accepted by the moderator')
        second = self.post('nina@newbie.example.com', subject='Second')
        self.assert_held(second, 'New member', 'one accepted post of two: still new')
        second.with_user(self.user_moderator).action_moderate_accept()
        self.assert_distributed(self.post('nina@newbie.example.com', subject='Third'), 'two accepted: no longer new')

    def test_rejected_posts_do_not_count(self):
        first = self.post('nina@newbie.example.com', subject='Spammy')
        first.with_user(self.user_moderator).action_moderate_reject()
        self.assert_held(self.post('nina@newbie.example.com', subject='Again'), 'New member')

    def test_whitelisting_ends_it(self):
        held = self.post('nina@newbie.example.com')
        held.with_user(self.user_moderator).action_moderate_allow()
        self.assert_distributed(held, 'the held post is accepted with the whitelist')
        self.assert_distributed(self.post('nina@newbie.example.com', subject='Next'), 'whitelisted: not held')

    def test_members_before_the_setting_and_off(self):
        self.assert_distributed(self.post('plain@member.example.com'), 'a member who joined before is not new')
        self.assert_distributed(self.post('cathy@customer.example.com', subject='Cathy'), 'nor a partner member')
        self.group.new_member_moderation = 0
        self.assertFalse(self.group.new_member_moderation_date)
        self.assert_distributed(self.post('nina@newbie.example.com', subject='Off'), 'off: nobody is new')

    def test_turned_on_again_dates_anew(self):
        self.group.new_member_moderation = 0
        self.group.new_member_moderation = 1
        self.assertEqual(self.group.new_member_moderation_date, self.env.cr.now())
        self.group.new_member_moderation = 3
        self.assertEqual(self.group.new_member_moderation_date, self.env.cr.now(), 'a new count keeps the date')
        with self.assertRaises(ValidationError):
            self.group.new_member_moderation = -1

    def test_posts_from_odoo_count_by_partner(self):
        """A member who joins anew from their account is new: their posts
        from Odoo are held too, and accepted ones count."""
        self.group.member_ids.filtered(lambda m: m.partner_id == self.partner_employee).unlink()
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'partner_id': self.partner_employee.id})
        self.group.new_member_moderation = 1
        message = self.group.with_user(self.user_employee).message_post(body='<p>Hello</p>', subject='From Odoo')
        post = self.env['mail.group.message'].sudo().search([('mail_message_id', '=', message.id)])
        self.assert_held(post, 'New member')
        post.with_user(self.user_moderator).action_moderate_accept()
        message = self.group.with_user(self.user_employee).message_post(body='<p>Again</p>', subject='Again')
        post = self.env['mail.group.message'].sudo().search([('mail_message_id', '=', message.id)])
        self.assert_distributed(post, 'one accepted post of one')

    def test_strangers_are_not_new_members(self):
        self.assert_distributed(self.post('stranger@elsewhere.example.com'), 'an open group: strangers post')


@tagged('post_install', '-at_install')
class TestHeldPostsExpire(RulesModeratorsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.group_moderated
        cls.group.moderation_notify = False

    def setUp(self):
        super().setUp()
        self.old = self.post('Olga Old <olga@old.example.com>', subject='Old one')
        self.recent = self.post('rita@recent.example.com', subject='Recent one')
        self.backdate(self.old, days=15)
        self.group.held_expiry_start = fields.Datetime.now() - timedelta(days=60)

    def expire(self):
        with mute_logger(*MUTED):
            self.env['mail.group']._cron_expire_held_posts()

    def test_defaults(self):
        group = self.env['mail.group'].create({'name': 'Fresh', 'alias_name': 'fresh'})
        self.assertEqual((group.held_expiry_days, group.held_expiry_action), (14, 'discard'))

    def test_expired_posts_are_discarded(self):
        old_message = self.old.mail_message_id
        self.expire()
        self.assertFalse(self.old.exists(), 'discarded')
        self.assertFalse(old_message.exists())
        self.assertEqual(self.recent.moderation_status, 'pending_moderation', 'a recent post waits')
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'olga@old.example.com')]),
                         'nobody is told')

    def test_expired_posts_are_rejected_with_a_notice(self):
        self.group.held_expiry_action = 'reject'
        self.expire()
        self.assertEqual(self.old.moderation_status, 'rejected')
        self.assertEqual(self.recent.moderation_status, 'pending_moderation')
        notice = self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'olga@old.example.com')])
        self.assertEqual(len(notice), 1, 'the author is told')
        self.assertEqual(notice.subject, 'Your message to Moderated List')
        self.assertIn('no moderator reviewed it within 14 days', notice.body_html)
        self.assertFalse(self.queued_mails(self.old), 'no member gets it')

    def test_never_and_turned_on_anew(self):
        self.group.held_expiry_days = 0
        self.expire()
        self.assertEqual(self.old.moderation_status, 'pending_moderation', '0: never')
        self.group.held_expiry_days = 14
        self.expire()
        self.assertEqual(self.old.moderation_status, 'pending_moderation',
                         'turned on again: posts held before get the whole delay from now')
        self.group.held_expiry_days = 30
        self.group.held_expiry_start = fields.Datetime.now() - timedelta(days=60)
        self.expire()
        self.assertEqual(self.old.moderation_status, 'pending_moderation', 'within 30 days')
        self.group.held_expiry_days = 10
        self.expire()
        self.assertFalse(self.old.exists(), 'a shorter delay applies at once')

    def test_batches_trigger_the_cron_again(self):
        cron = self.env.ref('website_mail_group.ir_cron_mail_group_expire_held')
        self.backdate(self.recent, days=15)

        def triggers():
            return self.env['ir.cron.trigger'].sudo().search_count([('cron_id', '=', cron.id)])
        before = triggers()
        with patch.object(mail_group_expiry, 'EXPIRY_BATCH', 1):
            self.expire()
            self.assertEqual((self.old.exists(), self.recent.moderation_status), (self.env['mail.group.message'],
                                                                               'pending_moderation'), 'oldest first')
            self.assertEqual(triggers(), before + 1, 'a full batch: the cron runs again')
            self.expire()
            self.assertFalse(self.recent.exists())
            self.expire()
        self.assertEqual(triggers(), before + 2, 'nothing left: not triggered again')

    def test_reminder_says_what_expires(self):
        self.backdate(self.recent, days=13, hours=12)
        with self.mock_mail_gateway():
            self.env['mail.group']._cron_notify_moderators()
        reminder = self.env['mail.message'].sudo().search(
            [('model', '=', 'mail.group'), ('res_id', '=', self.group.id), ('message_type', '=', 'user_notification')])
        self.assertEqual(len(reminder), 1)
        self.assertIn('Held messages not reviewed within 14 days are discarded.', reminder.body)
        self.assertIn('2 of them will expire within a day.', reminder.body)
        self.assertIn('expires on', reminder.body)

    def test_unmoderated_groups_are_reminded_too(self):
        self.group_public.max_message_size_kb = 1
        with mute_logger(*MUTED):
            post = self.group_message(self.post_raw(self.group_public, 'x@big.example.com', body='x' * 2048,
                                                    subject='Big'))
        self.assertEqual(post.moderation_status, 'pending_moderation')
        with self.mock_mail_gateway():
            self.env['mail.group']._cron_notify_moderators()
        self.assertTrue(self.env['mail.message'].sudo().search(
            [('model', '=', 'mail.group'), ('res_id', '=', self.group_public.id),
             ('message_type', '=', 'user_notification')]), 'a held post of an unmoderated group is reminded')


@tagged('post_install', '-at_install')
class TestHeaderRules(RulesModeratorsCase):

    def setUp(self):
        super().setUp()
        self.group.action_add_spam_filter_rules()

    def test_spam_filter_rules(self):
        self.assertEqual([(r.header, r.pattern, r.action) for r in self.group.header_rule_ids],
                         [('X-Spam-Flag', 'YES', 'hold'), ('X-Spam', 'Yes', 'hold')])
        self.group.action_add_spam_filter_rules()
        self.assertEqual(len(self.group.header_rule_ids), 2, 'added once')

        held = self.post('cathy@customer.example.com', subject='Flagged', extra_headers='X-Spam-Flag: YES\r\n')
        self.assert_held(held, 'Header rule: X-Spam-Flag')
        self.assertIn('Header rule: X-Spam-Flag', self.alerts(held).body, 'the moderators read why')
        held = self.post('cathy@customer.example.com', subject='rspamd', extra_headers='X-Spam: yes\r\n')
        self.assert_held(held, 'Header rule: X-Spam', 'any case')
        self.assert_distributed(self.post('cathy@customer.example.com', subject='Clean',
                                          extra_headers='X-Spam-Flag: NO\r\nX-Spam-Status: Yes, score=9\r\n'))

    def test_any_occurrence_and_every_author(self):
        """An added header only hurts the mail of whoever added it: any
        occurrence counts, whitelisted authors' and moderators' mail too."""
        self.env['mail.group.moderation'].create(
            {'mail_group_id': self.group.id, 'email': 'cathy@customer.example.com', 'status': 'allow'})
        held = self.post('cathy@customer.example.com', extra_headers='X-Spam-Flag: NO\r\nX-Spam-Flag:  YES \r\n')
        self.assert_held(held, 'Header rule: X-Spam-Flag', 'a whitelisted author')
        held = self.post('mona.moderator@test.example.com', subject='Mod', extra_headers='X-Spam-Flag: YES\r\n')
        self.assert_held(held, 'Header rule: X-Spam-Flag', 'a moderator')

    def test_reject_discard_and_decoded_values(self):
        self.group.header_rule_ids = [
            fields.Command.create({'header': 'X-Mailer', 'pattern': '*bulkblaster*', 'action': 'reject'}),
            fields.Command.create({'header': 'Subject', 'pattern': 'casino tr?uvé*', 'action': 'discard'}),
        ]
        rejected = self.post('cathy@customer.example.com', subject='Offer', extra_headers='X-Mailer: BulkBlaster 3\r\n')
        self.assertEqual((rejected.moderation_status, rejected.moderation_reasons_display),
                         ('rejected', 'Header rule: X-Mailer'))
        self.assertFalse(self.queued_mails(rejected))
        with mute_logger(*MUTED):
            msg_id = self.post_raw(self.group, 'cathy@customer.example.com', subject='=?utf-8?q?Casino_trouv=C3=A9_!?=')
        self.assertFalse(self.group_message(msg_id), 'an encoded header is matched decoded: discarded')

    def test_web_posts_are_not_matched(self):
        self.group.header_rule_ids = [fields.Command.create({'header': 'Subject', 'pattern': '*', 'action': 'hold'})]
        message = self.group.with_user(self.user_employee).message_post(body='<p>From Odoo</p>', subject='Web')
        post = self.env['mail.group.message'].sudo().search([('mail_message_id', '=', message.id)])
        self.assert_distributed(post, 'header rules read mail only')
        self.assert_held(self.post('cathy@customer.example.com', subject='Mail'), 'Header rule: Subject')

    def test_rule_validation(self):
        for header in ('X Spam', 'X-Spam:', 'a,b', ''):
            with self.assertRaises(ValidationError, msg=header), self.cr.savepoint():
                self.env['mail.group.header.rule'].create(
                    {'mail_group_id': self.group.id, 'header': header or ' ', 'pattern': 'x'})

    def test_only_moderators_read_and_write_rules(self):
        Rule = self.env['mail.group.header.rule']
        self.assertFalse(Rule.with_user(self.user_employee).search([('mail_group_id', '=', self.group.id)]))
        self.assertEqual(len(Rule.with_user(self.user_moderator).search([('mail_group_id', '=', self.group.id)])), 2)
        with self.assertRaises(AccessError):
            self.group.with_user(self.user_employee).action_add_spam_filter_rules()

    def test_failed_authentication(self):
        self.env['ir.config_parameter'].sudo().set_param('website_mail_group.authserv_id', 'mx.test.example')
        failed = 'Authentication-Results: mx.test.example; dmarc=fail header.from=customer.example.com\r\n'
        self.assert_distributed(self.post('cathy@customer.example.com', subject='Before', extra_headers=failed),
                                'by default, an open group takes it as from a stranger')
        self.group.auth_fail_action = 'reject'
        rejected = self.post('cathy@customer.example.com', subject='Forged', extra_headers=failed)
        self.assertEqual((rejected.moderation_status, rejected.moderation_reasons_display),
                         ('rejected', 'Sender authentication failed'))
        self.group.auth_fail_action = 'hold'
        self.assert_held(self.post('cathy@customer.example.com', subject='Held', extra_headers=failed),
                         'Sender authentication failed')
        passed = 'Authentication-Results: mx.test.example; dmarc=pass header.from=customer.example.com\r\n'
        self.assert_distributed(self.post('cathy@customer.example.com', subject='Good', extra_headers=passed))


@tagged('post_install', '-at_install')
class TestEmergencyHold(RulesModeratorsCase):

    def setUp(self):
        super().setUp()
        self.group.emergency_hold = True

    def test_every_mail_is_held(self):
        self.env['mail.group.moderation'].create(
            {'mail_group_id': self.group.id, 'email': 'cathy@customer.example.com', 'status': 'allow'})
        for author in ('plain@member.example.com', 'cathy@customer.example.com', 'mona.moderator@test.example.com',
                       'stranger@elsewhere.example.com'):
            post = self.post(author, subject=author)
            self.assert_held(post, 'Emergency hold', author)
            self.assertTrue(self.alerts(post), f'{author}: the moderator is alerted')

    def test_moderators_post_from_odoo(self):
        message = self.group.with_user(self.user_moderator).message_post(body='<p>Calm down</p>', subject='Mod')
        post = self.env['mail.group.message'].sudo().search([('mail_message_id', '=', message.id)])
        self.assert_distributed(post, "a moderator's post from Odoo")
        message = self.group.with_user(self.user_employee).message_post(body='<p>Hi</p>', subject='Emp')
        post = self.env['mail.group.message'].sudo().search([('mail_message_id', '=', message.id)])
        self.assert_held(post, 'Emergency hold', "a member's post from Odoo")

    def test_bans_and_loops_still_apply_and_off_again(self):
        self.group.banned_patterns = '*@spam.example'
        banned = self.post('joe@spam.example', subject='Banned')
        self.assertEqual(banned.moderation_status, 'rejected')
        self.group.emergency_hold = False
        self.assert_distributed(self.post('plain@member.example.com', subject='After'), 'turned off')

    def test_form(self):
        arch = self.env['mail.group'].get_views([(False, 'form')])['views']['form']['arch']
        self.assertIn('o_mg_emergency_hold', arch)
        self.assertIn('invisible="not emergency_hold"', arch)
        self.assertIn('Only headers your own mail server writes can be trusted', arch)
        with Form(self.group.with_user(self.user_moderator)) as form:
            form.emergency_hold = False
            form.new_member_moderation = 3
            form.held_expiry_days = 7
            form.held_expiry_action = 'reject'
            form.accepted_addresses = 'old-list@example.net'
            form.auth_fail_action = 'hold'
            with form.header_rule_ids.new() as line:
                line.header = 'X-Virus'
                line.pattern = 'infected*'
                line.action = 'discard'
        self.assertEqual((self.group.emergency_hold, self.group.new_member_moderation, self.group.held_expiry_days,
                          self.group.held_expiry_action, self.group.auth_fail_action),
                         (False, 3, 7, 'reject', 'hold'), 'a moderator sets them on the form')
        self.assertEqual(self.group.header_rule_ids.mapped('header'), ['X-Virus'])
        self.assertEqual(self.group.with_user(self.user_employee).read(['emergency_hold', 'new_member_moderation']),
                         [{'id': self.group.id, 'emergency_hold': False, 'new_member_moderation': 0}],
                         'other employees do not read them')


@tagged('post_install', '-at_install')
class TestExplicitDestination(RulesModeratorsCase):

    def test_bcc_is_held(self):
        delivered = f'Delivered-To: {self.group.alias_email}\r\n'
        post = self.post('cathy@customer.example.com', to='someone@elsewhere.example.com', extra_headers=delivered)
        self.assert_held(post, 'List address not in To or Cc')
        self.assertTrue(self.alerts(post))
        post = self.post('cathy@customer.example.com', to='undisclosed-recipients:;', subject='No To',
                         extra_headers=delivered)
        self.assert_held(post, 'List address not in To or Cc', 'no To at all')

    def test_list_addresses(self):
        domain = self.env['mail.alias.domain'].create({'name': 'lists.example.org'})
        self.group.accepted_addresses = 'Old List <old-list@example.net>\n'
        delivered = f'Delivered-To: {self.group.alias_email}\r\n'
        for label, to, cc in [
            ('the alias', self.group.alias_email, ''),
            ('the alias, named and upper-cased', f'"The List" <{self.group.alias_email.upper()}>', ''),
            ('in Cc', 'someone@elsewhere.example.com', f'Cc: {self.group.alias_email}\r\n'),
            ('another alias domain', f'public-list@{domain.name}', ''),
            ('an accepted address', 'OLD-LIST@example.net', ''),
        ]:
            self.assert_distributed(self.post('cathy@customer.example.com', to=to, subject=label,
                                              extra_headers=cc + delivered), label)
        self.group.require_explicit_destination = False
        self.assert_distributed(self.post('cathy@customer.example.com', to='someone@elsewhere.example.com',
                                          subject='off', extra_headers=delivered), 'off')
        with self.assertRaises(ValidationError):
            self.group.accepted_addresses = 'not an address'

    def test_default_and_web_posts(self):
        self.assertTrue(self.env['mail.group'].create({'name': 'N', 'alias_name': 'n'}).require_explicit_destination)
        message = self.group.with_user(self.user_employee).message_post(body='<p>Web</p>', subject='Web')
        post = self.env['mail.group.message'].sudo().search([('mail_message_id', '=', message.id)])
        self.assert_distributed(post, 'posts from Odoo have no To')


class TestRuleChain(BaseCase):
    """The order of the new rules in the chain (inbound/rules.py)."""

    def test_order(self):
        gateway = rules.Post(email_from='a@example.com', via_gateway=True)
        member = rules.GroupPolicy(author_is_member=True)
        self.assertEqual(rules.decide(gateway, member), rules.Decision(rules.ACCEPT, reasons.OPEN))
        emergency = rules.GroupPolicy(emergency_hold=True, banned_patterns=('*@example.com',))
        self.assertEqual(rules.decide(gateway, emergency).action, rules.REJECT, 'a ban still refuses')
        both = rules.decide(gateway, rules.GroupPolicy(emergency_hold=True, list_addresses=('list@example.com',)))
        self.assertEqual(both.reasons, (reasons.IMPLICIT_DESTINATION, reasons.EMERGENCY), 'every reason is given')
        new = rules.GroupPolicy(author_is_new_member=True, author_rule='allow')
        self.assertEqual(rules.decide(gateway, new).action, rules.ACCEPT, 'whitelisted: not new')
        unproven = rules.Post(email_from='a@example.com', via_gateway=True, authenticated=False)
        self.assertEqual(rules.decide(unproven, rules.GroupPolicy(author_is_new_member=True, author_rule='allow')),
                         rules.Decision(rules.ACCEPT, reasons.OPEN), 'unproven: a stranger of an open group')
        self.assertEqual(rules.decide(unproven, rules.GroupPolicy(author_is_new_member=True)).reason, reasons.NEW_MEMBER,
                         'unproven and new: held all the same')
        header = rules.GroupPolicy(header_rules=(('X-Spam', 'y*', rules.DISCARD),))
        flagged = rules.Post(email_from='a@example.com', via_gateway=True, header_values=(('x-spam', 'Yes'),))
        self.assertEqual(rules.decide(flagged, header).action, rules.DISCARD)
        self.assertEqual(rules.decide(rules.Post(email_from='a@example.com', header_values=(('x-spam', 'Yes'),)),
                                      header).action, rules.ACCEPT, 'not from the gateway: not matched')
