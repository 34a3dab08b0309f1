"""Attacks by mail: a stranger writing to the list or to its bounce
address, a hostile SMTP server, a careless banned pattern, the mailgate
script facing a broken Odoo. Each performs the attack through the real
interface (the mail gateway, a real SMTP session, XML-RPC)."""
import datetime
import logging
import subprocess
import sys
import xmlrpc.client
from email.utils import make_msgid
from pathlib import Path

from odoo import fields, tools
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from ..inbound import patterns
from .common import MailGroupCommon, SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink, free_port

MEMBERS = [f'member{index}@members.example.com' for index in range(3)]
FAKE_UNSUBSCRIBE = 'https://unsubscribe.placeholder.invalid/'
FAKE_SETTINGS = 'https://settings.placeholder.invalid/'
MAILGATE = Path(__file__).resolve().parents[2] / 'scripts' / 'mailgate.py'
MUTE_GATEWAY = ('odoo.addons.mail.models.mail_thread', 'odoo.addons.website_mail_group.models.mail_thread',
                'odoo.addons.website_mail_group.models.mail_thread_routing')


class _RefusingSink(SmtpSink):
    """A server answering 5xx to MAIL FROM or to DATA (not to a recipient)."""

    def __init__(self, port, mail_from_reply=None, data_reply=None):
        super().__init__(port)
        handler = self.handler

        async def handle_MAIL(server, session, envelope, address, mail_options):
            if mail_from_reply:
                return mail_from_reply
            envelope.mail_from = address
            return '250 OK'

        async def handle_DATA(server, session, envelope):
            return data_reply or '250 OK'
        handler.handle_MAIL = handle_MAIL
        handler.handle_DATA = handle_DATA


@tagged('post_install', '-at_install')
class TestAttacksMailDelivery(SmtpListCase):
    """Posts go out through a real SMTP session to a local server."""

    DOMAIN, LIST = 'lists.attack.example.com', ('Attack List', 'attack')
    MEMBERS = MEMBERS

    def post_harvester(self):
        """A stranger's post carrying the public footer placeholders."""
        raw = raw_mail(
            'Stranger <stranger@evil.example>', self.group.alias_email, 'Nice pictures',
            message_id=make_msgid(domain="evil.example"), content_type='multipart/alternative; boundary="B"', body=(
            f'--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee {FAKE_UNSUBSCRIBE} and {FAKE_SETTINGS}\r\n'
            f'--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Look<img src="{FAKE_UNSUBSCRIBE}">'
            f'<a href="{FAKE_SETTINGS}">here</a> and {FAKE_SETTINGS}</p>\r\n--B--\r\n'))
        self.env['mail.thread'].message_process(None, raw)

    def personal_tokens(self, email):
        return [(url, url.rsplit('token=', 1)[1]) for url in (
            self.group._get_email_unsubscribe_url(email), self.group._get_delivery_settings_url(email))]

    def assert_links_only_in_footer(self, html, text, email):
        footer_at = html.index('id="o_mg_message_footer"')
        for url, token in self.personal_tokens(email):
            self.assertNotIn(token, html[:footer_at], 'a personal link went into the post body')
            self.assertIn(url.replace('&', '&amp;'), html[footer_at:], 'the footer keeps the personal link')
            self.assertEqual(html.count(token), 1)
            if text is not None:
                self.assertIn(url, text, 'the text footer keeps the personal link')
                self.assertEqual(text.count(token), 1, 'the personal link only once: in the footer')

    def test_placeholders_in_a_post_harvest_no_personal_link(self):
        self.post_harvester()
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(sink.recipients(), MEMBERS)
        for item in sink.messages:
            message = item['message']
            html = message.get_body(('html',)).get_content()
            text = message.get_body(('plain',)).get_content()
            self.assert_links_only_in_footer(html, text, item['rcpt_tos'][0])
            self.assertIn(FAKE_UNSUBSCRIBE, html, "the stranger's URL stays as written, pointing nowhere")
            self.assertIn(FAKE_SETTINGS, text)

    def test_placeholders_in_a_digest_harvest_no_personal_link(self):
        self.members.delivery_mode = 'daily'
        self.post_harvester()
        self.group._send_digest('daily', fields.Datetime.now() + datetime.timedelta(minutes=1))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        digests = [item for item in sink.messages if item['message'].get_content_type() == 'multipart/mixed']
        self.assertEqual(sorted(item['rcpt_tos'][0] for item in digests), MEMBERS)
        for item in digests:
            summary = next(item['message'].iter_parts())
            html = summary.get_body(('html',)).get_content()
            text = summary.get_body(('plain',)).get_content()
            self.assert_links_only_in_footer(html, text, item['rcpt_tos'][0])

    def test_server_refusing_sender_or_data_penalises_nobody(self):
        for replies in ({'mail_from_reply': '550 5.7.1 sender rejected'},
                        {'data_reply': '554 5.6.0 message content rejected'}):
            self.env['mail.mail'].sudo().search([('mail_group_post', '=', True)]).unlink()
            for __ in range(6):
                raw = raw_mail('author@example.com', self.group.alias_email, 'Hello', 'Hello',
                               message_id=make_msgid(domain="example.com"))
                self.env['mail.thread'].message_process(None, raw)
            with _RefusingSink(self.mail_server.smtp_port, **replies) as sink:
                self.run_queue()
            self.assertFalse(sink.messages)
            self.assertEqual(self.members.mapped('bounce_count'), [0] * len(MEMBERS), f'{replies}: nobody penalised')
            self.assertFalse(any(self.members.mapped('delivery_disabled_date')))
            failed = self.env['mail.mail'].sudo().search([('mail_group_post', '=', True)])
            self.assertEqual(set(failed.mapped('state')), {'exception'}, 'a visible failure, nothing silently lost')


@tagged('post_install', '-at_install')
class TestAttacksMailGateway(MailGroupCommon):
    """A stranger writing to the gateway."""

    def bounce_mail(self, to, kind='plain', recipient='plain@member.example.com', post_id='<post@x.example>'):
        message_id = make_msgid(domain="mx.evil.example")
        if kind == 'plain':
            raw = raw_mail('stranger@mx.evil.example', to, 'Undelivered Mail', 'Your mail bounced.',
                           message_id=message_id, content_type='text/plain')
        else:
            raw = raw_mail('MAILER-DAEMON@mx.evil.example', to, 'Undelivered Mail', message_id=message_id,
                           content_type='multipart/report; report-type=delivery-status; boundary="DSN"', body=(
                '--DSN\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n'
                '--DSN\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.evil.example\r\n\r\n'
                f'Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n'
                f'--DSN\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {post_id}\r\n\r\n--DSN--\r\n'))
        with mute_logger(*MUTE_GATEWAY):
            self.env['mail.thread'].message_process(None, raw)

    def test_forged_bounces_move_no_score(self):
        members = self.group_public.member_ids
        post_id = self.post_raw(self.group_public, 'cathy@customer.example.com')
        domain = self.alias_domain
        for member in members:
            for __ in range(6):
                self.bounce_mail(f'{self.alias_bounce}+mg{member.id}@{domain}')
                self.bounce_mail(f'{self.alias_bounce}+mg{member.id}@{domain}', kind='dsn', recipient=member.email)
                self.bounce_mail(f'{self.alias_bounce}+mg{member.id}-0123456789abcdef@{domain}', kind='dsn',
                                 recipient=member.email)
                # Odoo's own route: a report naming the member and a post's (public) Message-ID
                self.bounce_mail(f'{self.alias_bounce}@{domain}', kind='dsn', recipient=member.email_normalized,
                                 post_id=post_id)
        self.assertEqual(members.mapped('bounce_count'), [0] * len(members))
        self.assertFalse(any(members.mapped('delivery_disabled_date')))
        self.env['mail.group.member']._cron_process_bounces()
        self.assertEqual(len(members.exists()), 3, 'nobody removed')
        post = self.group_message(post_id).mail_message_id
        self.assertFalse(self.env['mail.mail'].sudo().search(
            [('email_to', 'in', members.mapped('email')), ('mail_message_id', '!=', post.id)]), 'no probe, no warning')
        self.assertEqual(len(self.group_public.mail_group_message_ids), 1, 'a bounce is never posted')

    def test_forged_sender_gets_few_notices_without_the_forged_subject(self):
        self.group_public.nonmember_action = 'reject'
        victim = 'victim@target.example'
        for index in range(8):
            for group in (self.group_moderated, self.group_public):
                self.post_raw(group, victim, subject=f'BUY PILLS at pills.example {index}')
        notices = self.env['mail.mail'].sudo().search([('email_to', '=', victim)])
        self.assertTrue(notices, 'a few notices still reach a real author')
        self.assertLessEqual(len(notices), 3, 'at most a few per address and hour, not one per forged post')
        for notice in notices:
            self.assertNotIn('PILLS', notice.subject)
            self.assertIn(notice.subject, ('Your message to Moderated List', 'Your message to Public List'))
            self.assertIn('@sender.example.com>', notice.references, 'threaded with the post')

    def test_cc_spray_to_a_public_group_is_held(self):
        cc = ', '.join(f'target{index}@spray.example' for index in range(1000))
        message_id = self.post_raw(self.group_public, 'spammer@spam.example', extra_headers=f'Cc: {cc}\r\n')
        group_message = self.group_message(message_id)
        self.assertEqual(group_message.moderation_status, 'pending_moderation')
        self.assertEqual(group_message.moderation_reason, 'too_many_recipients')
        self.assertFalse(self.queued_mails(group_message), 'not distributed')
        self.assertEqual(self.env['mail.group'].create({'name': 'New'}).max_recipients, 10)

    def test_stored_regex_pattern_is_not_run(self):
        # a pattern saved before the validation existed (the ORM refuses it now)
        self.env.cr.execute('UPDATE mail_group SET banned_patterns = %s WHERE id = %s',
                            ['^(a+)+$\n^(a+)+@x\\.example$\n*@spam.example', self.group_public.id])
        self.group_public.invalidate_recordset(['banned_patterns'])
        with self.assertLogs('odoo.addons.website_mail_group.inbound.patterns', 'WARNING') as logs:
            crafted = self.group_message(self.post_raw(self.group_public, 'a' * 20 + '!@x.example'))
            legacy = self.group_message(self.post_raw(self.group_public, 'aaaa@x.example'))
        self.assertIn('^(a+)+$', logs.output[0])
        self.assertEqual(crafted.moderation_status, 'accepted')
        self.assertEqual(legacy.moderation_status, 'accepted', 'the regular expression is ignored, not run')
        self.assertEqual(self.group_message(self.post_raw(self.group_public, 'x@spam.example')).moderation_reason,
                         'banned_pattern', 'wildcards still ban')
        self.assertFalse(patterns.matches_pattern('aaaa', '^(a+)+$'))


@tagged('post_install', '-at_install')
class TestAttacksMailRpc(HttpCase):
    """Saving a pattern over XML-RPC; the mailgate script against Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = mail_new_test_user(cls.env, login='wmg_list_admin', groups='base.group_user,website_mail_group.group_mail_group_manager')
        cls.group = cls.env['mail.group'].create({'name': 'RPC List', 'alias_name': 'rpc-list',
                                                  'banned_patterns': '*@spam.example'})

    def test_catastrophic_pattern_refused_at_save(self):
        for bad in ('^(a+)+$', '*@x.example\n^(.*a){20}$', '*' * 300, '\n'.join(f'*@s{i}.example' for i in range(600))):
            with self.assertRaises(xmlrpc.client.Fault) as raised, mute_logger('odoo.http'):
                self.xmlrpc_object.execute(self.env.cr.dbname, self.manager.id, 'wmg_list_admin', 'mail.group',
                                           'write', [self.group.id], {'banned_patterns': bad})
            self.assertEqual(raised.exception.faultCode, 2, 'a ValidationError, not a crash')
            if '^' in bad:
                self.assertIn(bad.splitlines()[-1], raised.exception.faultString, 'names the bad line')
        self.group.invalidate_recordset()
        self.assertEqual(self.group.banned_patterns, '*@spam.example')
        with self.assertRaises(ValidationError):
            self.group.banned_patterns = '^.*@casino\\..*$'
        self.group.banned_patterns = '*@casino.*\nspam?@*'
        self.assertTrue(patterns.matches_pattern('spam1@x.example', 'spam?@*'))
        self.assertFalse(patterns.matches_pattern('spam12@x.example', 'spam?@*'))

    def mailgate(self, *args, raw=b'', port=None):
        command = [sys.executable, str(MAILGATE), '-d', self.env.cr.dbname, '--host', '127.0.0.1',
                   '--port', str(port or tools.config['http_port']), *args]
        return subprocess.run(command, input=raw, capture_output=True, timeout=120, check=False)

    def test_mailgate_retries_transient_faults_and_bounces_routing_refusals(self):
        raw = raw_mail('someone@example.com', 'nobody@nowhere.example', 'Hi', 'Hello', message_id=make_msgid())
        down = self.mailgate('-u', '2', '-p', 'admin', raw=raw, port=free_port())
        with mute_logger('odoo.http', 'odoo.addons.mail.models.mail_thread'):
            refused = self.mailgate('-u', '2', '-p', 'admin', raw=raw)
            bad_login = self.mailgate('-u', str(self.manager.id), '-p', 'wrong password', raw=raw)
        bad_option = self.mailgate('-u', 'UID', '-p', 'admin', raw=raw)
        for result, code in ((down, 75), (refused, 1), (bad_login, 75), (bad_option, 75)):
            stderr = result.stderr.decode()
            self.assertEqual(result.returncode, code, stderr)
            self.assertNotIn('Traceback', stderr)
            self.assertEqual(len(stderr.strip().splitlines()), 1, f'one line for the MTA: {stderr}')
        self.assertIn('No possible route', refused.stderr.decode())
        self.assertIn(f'Odoo refused the login of user id {self.manager.id} on database {self.env.cr.dbname}: '
                      'wrong password or API key', bad_login.stderr.decode())

    def test_mailgate_says_what_became_of_the_mail(self):
        """A post is delivered; the same mail again is dropped as a duplicate,
        and the script says so (exit 0: nothing for the MTA to bounce); a mail
        to an address nobody takes is refused (exit 1, the MTA bounces it)
        with one line in Odoo's log, no traceback."""
        post = raw_mail('someone@example.com', self.group.alias_email, 'Hi', 'Hello', message_id=make_msgid())
        first = self.mailgate('-u', '2', '-p', 'admin', raw=post)
        self.assertEqual((first.returncode, first.stdout.decode().strip()), (0, f'delivered: record id {self.group.id}'))
        again = self.mailgate('-u', '2', '-p', 'admin', raw=post)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn('duplicate of a message already received: dropped', again.stdout.decode())
        self.assertNotIn('record id False', again.stdout.decode())
        stray = raw_mail('someone@example.com', 'nobody@nowhere.example', 'Hi', 'Hello', message_id=make_msgid())
        with self.assertLogs('odoo', level='DEBUG') as logs:
            refused = self.mailgate('-u', '2', '-p', 'admin', raw=stray)
        self.assertEqual(refused.returncode, 1, refused.stderr)
        shown = [record for record in logs.records if record.levelno >= logging.INFO and (
            'nobody@nowhere.example' in record.getMessage() or record.exc_info)]
        self.assertEqual(len(shown), 1, [record.getMessage() for record in shown])
        self.assertLess(shown[0].levelno, logging.ERROR)
        self.assertFalse(shown[0].exc_info, 'no traceback')
        self.assertIn('no alias or group', shown[0].getMessage())
