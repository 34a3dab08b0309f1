import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..outbound import bounces
from .common import MailGroupCommon
from .mails import raw_mail


@tagged('post_install', '-at_install')
class TestBounces(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.group_public
        cls.member = cls.group.member_ids.filtered(lambda m: m.email_normalized == 'plain@member.example.com')

    def verp(self, member, probe=False):
        """The member's signed bounce address, as its copies (or its probe) carry."""
        secret = self.env['ir.config_parameter'].sudo().get_param('database.secret').encode()
        stamp = fields.Datetime.to_string(member.bounce_probe_date) if probe else None
        return bounces.address(f'{self.alias_bounce}@{self.alias_domain}', secret, member.id, stamp)

    def dsn(self, post_message_id, recipient='plain@member.example.com', to=None, action='failed'):
        """A delivery status notification (RFC 3464) as an MTA sends it back
        to the (VERP) bounce address of the member's copy."""
        raw = raw_mail(
            'MAILER-DAEMON@mx.example.net', to or self.verp(self.member), 'Undelivered Mail Returned to Sender',
            message_id=f'<dsn-{fields.Datetime.now().timestamp()}-{post_message_id.strip("<>")}>',
            headers={'Auto-Submitted': 'auto-replied'},
            content_type='multipart/report; report-type=delivery-status; boundary="DSN"', body=(
            f'--DSN\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n'
            f'--DSN\r\nContent-Type: message/delivery-status\r\n\r\n'
            f'Reporting-MTA: dns; mx.example.net\r\n\r\n'
            f'Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: 5.1.1\r\n\r\n'
            f'--DSN\r\nContent-Type: text/rfc822-headers\r\n\r\n'
            f'Message-ID: {post_message_id}\r\nSubject: Hello list\r\n\r\n'
            f'--DSN--\r\n'))
        self.env['mail.thread'].message_process(None, raw)

    def probes(self):
        return self.env['mail.mail'].sudo().search([('mail_group_member_id', '=', self.member.id),
                                                    ('mail_group_probe', '=', True)])

    @mute_logger('odoo.addons.mail.models.mail_thread', 'odoo.addons.website_mail_group.models.mail_thread',
                 'odoo.addons.website_mail_group.models.mail_thread_routing')
    def test_delivery_report_counts_against_the_member(self):
        post_id = self.post_raw(self.group, 'cathy@customer.example.com')
        self.dsn(post_id)
        self.assertEqual(self.member.bounce_count, 1)
        self.assertTrue(self.member.last_bounce_date)
        other = self.group_moderated.member_ids.filtered(lambda m: m.email_normalized == 'plain@member.example.com')
        self.assertEqual(other.bounce_count, 0, 'only the member the address names')
        self.dsn(post_id, action='delayed')
        self.dsn(post_id, to=self.verp(other).replace('+mg', '+MG'))
        self.assertEqual(self.member.bounce_count, 1, 'a delay is no failure')
        self.assertEqual(other.bounce_count, 1, 'MTAs may change the case of the address')

    @mute_logger('odoo.addons.mail.models.mail_thread', 'odoo.addons.website_mail_group.models.mail_thread',
                 'odoo.addons.website_mail_group.models.mail_thread_routing')
    def test_threshold_probes_then_disables_warns_and_removes(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            for __ in range(4):
                self.member._register_delivery_failure()
            self.assertFalse(self.probes(), 'under the threshold')
            self.member._register_delivery_failure()
            self.member._register_delivery_failure()
        probe = self.probes()
        self.assertEqual(len(probe), 1, 'one probe, not one per failure past the threshold')
        self.assertEqual(probe.email_to, self.member.email)
        self.assertFalse(self.member.delivery_disabled_date, 'nothing is turned off before the probe bounces')
        self.dsn('<probe@x.example>', to=self.verp(self.member))
        self.assertFalse(self.member.delivery_disabled_date, "a copy's bounce is not the probe's")
        with freeze_time(now):
            self.dsn('<probe@x.example>', to=self.verp(self.member, probe=True))
        self.assertEqual(self.member.delivery_disabled_date, now)
        warning = self.env['mail.mail'].sudo().search([('email_to', '=', self.member.email), ('subject', 'ilike', 'on hold')])
        self.assertEqual(len(warning), 1)
        self.assertIn(self.group._get_delivery_settings_url(self.member.email_normalized).replace('&', '&amp;'),
                      warning.body_html)

        message = self.group_message(self.post_raw(self.group, 'cathy@customer.example.com'))
        self.assertNotIn('plain@member.example.com', self.queued_mails(message), 'no mail while delivery is off')

        Member = self.env['mail.group.member']
        with freeze_time(now + datetime.timedelta(days=1)):
            Member._cron_process_bounces()
        self.assertEqual(self.member.bounce_warnings_sent, 1, 'not yet: one warning per interval')
        for week in (1, 2):
            with freeze_time(now + datetime.timedelta(days=7 * week, minutes=1)):
                Member._cron_process_bounces()
            self.assertEqual(self.member.bounce_warnings_sent, 1 + week)
        with freeze_time(now + datetime.timedelta(days=21, minutes=2)):
            Member._cron_process_bounces()
        self.assertFalse(self.member.exists(), 'removed after the last unanswered warning')

    def test_stale_bounces_restart_the_score(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            for __ in range(3):
                self.member._register_delivery_failure()
        with freeze_time(now + datetime.timedelta(days=8)):
            self.member._register_delivery_failure()
        self.assertEqual(self.member.bounce_count, 1)
        self.assertFalse(self.member.delivery_disabled_date)

    @mute_logger('odoo.addons.mail.models.mail_thread', 'odoo.addons.website_mail_group.models.mail_thread',
                 'odoo.addons.website_mail_group.models.mail_thread_routing')
    def test_unanswered_or_old_probe_changes_nothing(self):
        self.env['ir.config_parameter'].set_param('website_mail_group.bounce_score_threshold', 1)
        now = fields.Datetime.now()
        with freeze_time(now):
            self.member._register_delivery_failure()
        old_probe_address = self.verp(self.member, probe=True)
        self.assertEqual(len(self.probes()), 1)
        with freeze_time(now + datetime.timedelta(days=8)):
            self.member._register_delivery_failure()
        self.assertEqual(len(self.probes()), 2, 'a new probe once the previous one is stale')
        self.dsn('<probe@x.example>', to=old_probe_address)
        self.assertFalse(self.member.delivery_disabled_date, "an old probe's address no longer answers")

    def test_turning_delivery_back_on(self):
        self.env['ir.config_parameter'].set_param('website_mail_group.bounce_score_threshold', 1)
        self.member._register_delivery_failure()
        self.member._register_probe_bounce()
        self.assertTrue(self.member.delivery_disabled_date)
        self.member.with_user(self.user_moderator).action_enable_delivery()
        self.assertFalse(self.member.delivery_disabled_date)
        self.assertEqual(self.member.bounce_count, 0)
