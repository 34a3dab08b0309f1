"""DKIM signing by the list's domain, end to end: a key generated on the
alias domain, its record served by a DNS server on 127.0.0.1, every kind of
mail received over real SMTP verified with dkimpy (an implementation that
is not ours) against that record."""
import os
import re
import signal

import dkim

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..inbound import dns_lookup
from ..outbound import signing, signing_process
from .common import SmtpListCase
from .dns_server import DnsServer, dead_dns
from .mails import raw_mail
from .smtp_server import SmtpSink

DOMAIN = 'lists.signed.example.com'


@tagged('post_install', '-at_install')
class TestDkimSigning(SmtpListCase):
    DOMAIN, LIST = DOMAIN, ('Signed List', 'signed')
    MEMBERS = ['ann@readers.example.com', 'bob@readers.example.com']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.publish_dkim_key()

    def verify(self, raw):
        """dkimpy's verdict on received bytes, keys from the test's DNS."""
        lookup = dns_lookup.Lookup(self.dns.address, 5)

        def dnsfunc(name, timeout=5):
            records = lookup.txt(name)
            return records[0] if records else None
        signer = dkim.DKIM(raw)
        return signer.verify(dnsfunc=dnsfunc), signer

    def assertSigned(self, item, covers=()):
        ok, signer = self.verify(item['raw'])
        self.assertTrue(ok, f"signature of {item['message']['Subject']!r} verifies")
        self.assertEqual(signer.domain, DOMAIN.encode())
        signed = set(re.split(r'\s*:\s*', signer.signature_fields[b'h'].decode().strip()))
        self.assertLessEqual({'from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type',
                              *covers}, signed)

    def test_copies_and_digests_are_signed_over_the_one_click_headers(self):
        self.env['mail.thread'].message_process(None, raw_mail(
            'Author <author@example.com>', self.group.alias_email, 'Signed post', 'Hello signed world'))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
            self.assertEqual(len(sink.messages), 2)
            for item in sink.messages:
                self.assertSigned(item, covers={'list-id', 'list-post', 'list-archive', 'list-subscribe',
                                                'list-unsubscribe', 'list-unsubscribe-post', 'archived-at'})
            # what a member receives is what was signed: a change breaks it
            tampered = sink.messages[0]['raw'].replace(b'Subject: Signed post', b'Subject: Forged post')
            self.assertNotEqual(tampered, sink.messages[0]['raw'])
            self.assertFalse(self.verify(tampered)[0])

            self.members[0].delivery_mode = 'daily'
            self.env['mail.thread'].message_process(None, raw_mail(
                'Author <author@example.com>', self.group.alias_email, 'For the digest', 'Digest me'))
            self.env['mail.group'].sudo()._cron_send_digests()
            self.run_queue()
        digests = [item for item in sink.messages[2:] if item['message'].get_content_type() == 'multipart/mixed'
                   or 'digest' in (item['message']['Subject'] or '').lower()]
        self.assertTrue(digests, 'a digest was sent')
        for item in sink.messages[2:]:
            self.assertSigned(item, covers={'list-unsubscribe'})

    def test_every_other_mail_is_signed(self):
        """Confirmations, welcome mails, notices to authors and alerts to
        moderators leave through Odoo's own sending: signed too."""
        moderator = self.env['res.users'].create({
            'name': 'Mo Moderator', 'login': 'mo-dkim', 'email': 'mo@readers.example.com',
            'notification_type': 'email', 'groups_id': [(6, 0, self.env.ref('base.group_user').ids)]})
        self.group.write({'moderation': True, 'moderator_ids': [(4, moderator.id)], 'moderation_notify': True,
                          'moderation_notify_msg': '<p>Your post waits for a moderator.</p>'})
        with SmtpSink(self.mail_server.smtp_port) as sink:
            # some leave at once (Odoo sends small notifications right away)
            self.group._send_subscribe_confirmation_email('new@readers.example.com')
            self.group._join_group('joined@readers.example.com')
            with mute_logger('odoo.addons.mail.models.mail_thread'):
                self.env['mail.thread'].message_process(None, raw_mail(
                    'Stranger <stranger@example.com>', self.group.alias_email, 'Held post', 'Please hold'))
            self.run_queue()
        recipients = sorted(rcpt for item in sink.messages for rcpt in item['rcpt_tos'])
        self.assertEqual(recipients, sorted([
            'joined@readers.example.com', 'mo@readers.example.com', 'new@readers.example.com',
            'stranger@example.com']))
        for item in sink.messages:
            self.assertSigned(item)

    def test_copies_signed_and_sent_when_the_signing_process_dies(self):
        """Copies are signed in a process of their own: killed while idle
        between batches, another one starts; killed with mails waiting,
        those mails are signed in line. None is lost or left unsigned."""
        def post(subject):
            self.env['mail.thread'].message_process(None, raw_mail(
                'Author <author@example.com>', self.group.alias_email, subject, 'Hello signed world'))

        with SmtpSink(self.mail_server.smtp_port) as sink:
            post('First batch')
            self.run_queue()
            idle = [process for process in signing_process._idle if process.signer.domain == DOMAIN]
            self.assertEqual(len(idle), 1, 'the signing process is kept between batches')
            os.kill(idle[0].process.pid, signal.SIGKILL)
            idle[0].process.wait()
            post('After the kill')
            self.run_queue()
        self.assertEqual(len(sink.messages), 4)
        for item in sink.messages:
            self.assertSigned(item)

        signer = self.alias_domain._dkim_signer(self.alias_domain.bounce_email)
        process = signing_process.acquire(signer)
        copies = [re.sub(rb'^DKIM-Signature:.*?\r\n(?![ \t])', b'', item['raw'], count=1, flags=re.S)
                  for item in sink.messages]  # without their signature
        self.assertFalse([data for data in copies if b'DKIM-Signature' in data])
        numbers = [process.submit(data) for data in copies]
        os.kill(process.process.pid, signal.SIGKILL)
        with mute_logger('odoo.addons.website_mail_group.outbound.signing_process'):
            resigned = [process.signed(number) for number in numbers]
        signing_process.release(process)
        for raw in resigned:
            self.assertTrue(self.verify(raw)[0])

    def test_signing_process_signs_with_the_system_openssl(self):
        """The signing process signs through the system's OpenSSL (twice as
        fast here as the one cryptography bundles): the same signature."""
        key = self.alias_domain.sudo().dkim_private_key
        fast = signing.Signer(DOMAIN, 'sel', key, system_openssl=True)
        self.assertIsInstance(fast.rsa, signing.SystemRsa)
        data = b'DKIM-Signature: v=1; a=rsa-sha256; b='
        self.assertEqual(fast.rsa(data), signing.Signer(DOMAIN, 'sel', key).rsa(data))

    def test_no_key_no_signature(self):
        self.alias_domain.sudo().write({'dkim_private_key': False, 'dkim_selector': False})
        self.env['mail.thread'].message_process(None, raw_mail(
            'Author <author@example.com>', self.group.alias_email, 'Unsigned post', 'Hello'))
        self.group._send_subscribe_confirmation_email('new@readers.example.com')
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(len(sink.messages), 3)
        self.assertFalse([item for item in sink.messages if item['message']['DKIM-Signature']])
        self.assertFalse(self.alias_domain.dkim_dns_record)

    def test_only_administrators_see_and_make_keys(self):
        employee = self.env['res.users'].create({
            'name': 'Eve Employee', 'login': 'eve-dkim', 'email': 'eve@example.com',
            'groups_id': [(6, 0, self.env.ref('base.group_user').ids)]})
        domain = self.alias_domain.with_user(employee)
        self.assertNotIn('dkim_private_key', domain.fields_get())
        with self.assertRaises(AccessError):
            domain.action_generate_dkim_key()


@tagged('post_install', '-at_install')
class TestDeliverabilityCheck(SmtpListCase):
    """The alias domain's check reads DNS as receivers do and says what to
    publish; a DNS server that never answers makes it say so."""
    DOMAIN, LIST, MEMBERS = 'lists.check.example.com', ('Checked List', 'checked'), []

    def report(self):
        self.alias_domain.action_check_deliverability()
        rows = {}
        for row in re.findall(r'<tr>(.*?)</tr>', str(self.alias_domain.deliverability_report))[1:]:
            cells = re.findall(r'<td[^>]*>(.*?)</td>', row)
            rows[cells[0]] = cells[1:]
        return rows

    def test_check_says_what_is_missing_and_what_to_publish(self):
        self.alias_domain.action_generate_dkim_key()
        record = self.alias_domain.dkim_dns_record
        selector = record.split('._domainkey.')[0]
        with DnsServer({}) as empty:
            self.env['ir.config_parameter'].sudo().set_param('website_mail_group.dns_nameservers', empty.address)
            rows = self.report()
        self.assertEqual({name: cells[0] for name, cells in rows.items()},
                         {'DKIM': 'missing', 'SPF': 'missing', 'DMARC': 'missing', 'MX': 'missing'})
        self.assertIn(selector, rows['DKIM'][2])
        self.assertIn('v=DMARC1', rows['DMARC'][2])
        dns_lookup.clear_cache()
        with DnsServer({
            f'{selector}._domainkey.lists.check.example.com': [record.split(' TXT ', 1)[1].strip('"')],
            'lists.check.example.com': ['v=spf1 ip4:192.0.2.1 -all', (10, 'mx.check.example.com')],
            '_dmarc.example.com': ['v=DMARC1; p=quarantine'],
        }) as full:
            self.env['ir.config_parameter'].sudo().set_param('website_mail_group.dns_nameservers', full.address)
            rows = self.report()
        self.assertEqual({name: cells[0] for name, cells in rows.items()},
                         {'DKIM': 'ok', 'SPF': 'ok', 'DMARC': 'ok', 'MX': 'ok'})
        self.assertIn('mx.check.example.com', rows['MX'][1])
        self.assertIn('organizational domain', rows['DMARC'][1])

    def test_silent_dns_is_unknown_not_missing(self):
        with dead_dns(self.env):
            rows = self.report()
        self.assertEqual({cells[0] for name, cells in rows.items() if name != 'DKIM'}, {'could not be checked'})
