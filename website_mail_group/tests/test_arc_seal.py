"""ARC seals by the list's domain, end to end: posts come through the real
gateway (signed by their author's domain, or forged), copies leave over
real SMTP, and dkimpy's ``arc_verify`` checks the chain against the keys
served by a DNS server on 127.0.0.1."""
import re

import dkim

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..inbound import dns_lookup
from .common import SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink
from .test_sender_authentication import dkim_keys

DOMAIN = 'lists.sealed.example.com'
AUTHOR_DOMAIN = 'signed.arc-author.example.net'  # publishes p=reject and signs its mail


@tagged('post_install', '-at_install')
class TestArcSeal(SmtpListCase):
    DOMAIN, LIST = DOMAIN, ('Sealed List', 'sealed')
    MEMBERS = ['reader@readers.example.com', 'other@readers.example.com']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group.from_policy = 'author'  # the author's From: the seal is what vouches for the copies
        cls.mail_server.from_filter = f'{DOMAIN},{AUTHOR_DOMAIN}'
        cls.alias_domain.arc_seal = True
        cls.author_key, author_record = dkim_keys()
        cls.publish_dkim_key({
            f'sel._domainkey.{AUTHOR_DOMAIN}': [author_record],
            f'_dmarc.{AUTHOR_DOMAIN}': ['v=DMARC1; p=reject'],
        })
        cls.env['ir.config_parameter'].sudo().set_param('website_mail_group.authserv_id', '')

    def setUp(self):
        super().setUp()
        dns_lookup.clear_cache()
        # the cursor, and the sealers it caches, outlive each test's rollback
        self.env.cr.cache.pop('mail_group_arc_sealers', None)

    def dnsfunc(self, name, timeout=5):
        records = dns_lookup.Lookup(self.dns.address, 5).txt(name)
        return records[0] if records else None

    def copies_of(self, subject, signed=True, headers=b''):
        raw = raw_mail(f'Ann Author <ann@{AUTHOR_DOMAIN}>', self.group.alias_email, subject, 'Sealed news')
        if signed:
            raw = dkim.sign(raw, b'sel', AUTHOR_DOMAIN.encode(), self.author_key,
                            include_headers=[b'from', b'to', b'subject', b'date', b'message-id']) + raw
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, headers + raw)
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(sorted(rcpt for item in sink.messages for rcpt in item['rcpt_tos']), sorted(self.MEMBERS))
        return sink.messages

    def assertSealed(self, raw, verdict):
        """One ARC set, i=1, by the list's domain, verifying; its
        ARC-Authentication-Results say ``verdict``."""
        cv, sets, reason = dkim.arc_verify(raw, dnsfunc=self.dnsfunc)
        self.assertEqual(cv, dkim.CV_Pass, reason)
        self.assertEqual([(item['instance'], item['as-domain'], item['cv']) for item in sets],
                         [(1, DOMAIN.encode(), b'none')])
        self.assertIn(f'; {DOMAIN};'.encode(), sets[0]['aar-value'])
        self.assertIn(f'dmarc={verdict}'.encode(), sets[0]['aar-value'])
        self.assertIn(f'header.from={AUTHOR_DOMAIN}'.encode(), sets[0]['aar-value'])
        head = raw.split(b'\r\n\r\n', 1)[0]
        self.assertNotIn(b'\r\nAuthentication-Results:', b'\r\n' + head, 'our own results stay out of the copy')
        self.assertTrue(dkim.verify(raw, dnsfunc=self.dnsfunc), "the list's DKIM signature still verifies")

    def test_copies_of_an_authenticated_post_carry_a_verifying_seal(self):
        for item in self.copies_of('Signed news'):
            self.assertEqual(item['message']['From'], f'Ann Author <ann@{AUTHOR_DOMAIN}>')
            self.assertSealed(item['raw'], 'pass')
            self.assertIn(f'reason="{AUTHOR_DOMAIN}: dkim=pass {AUTHOR_DOMAIN}, DMARC p=reject"'.encode(),
                          item['raw'], 'what was found, for the receiver to read')
            tampered = item['raw'].replace(b'Subject: Signed news', b'Subject: Forged news')
            self.assertNotEqual(tampered, item['raw'])
            self.assertEqual(dkim.arc_verify(tampered, dnsfunc=self.dnsfunc)[0], dkim.CV_Fail)

    def test_seal_says_what_was_found_of_a_forged_post(self):
        for item in self.copies_of('Forged news', signed=False):
            self.assertSealed(item['raw'], 'fail')

    def test_incoming_arc_sets_start_no_broken_chain(self):
        """A mail sealed on its way here: the copy is a new message, its
        chain starts at i=1 and verifies."""
        upstream = raw_mail(f'Ann Author <ann@{AUTHOR_DOMAIN}>', self.group.alias_email, 'Via a forwarder', 'Hi')
        ours = b'Authentication-Results: fwd.example.org; dmarc=pass header.from=' + AUTHOR_DOMAIN.encode() + b'\r\n'
        arc_set = dkim.arc_sign(ours + upstream, b'sel', AUTHOR_DOMAIN.encode(), self.author_key, b'fwd.example.org')
        self.assertEqual(len(arc_set), 3)
        for item in self.copies_of('Forwarded news', headers=b''.join(arc_set)):
            self.assertSealed(item['raw'], 'pass')

    def test_no_seal_when_off_or_not_by_mail(self):
        self.group.message_post(body='<p>From Odoo</p>', subject='Odoo news',
                                email_from=f'Ann Author <ann@{AUTHOR_DOMAIN}>')
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(len(sink.messages), 2)
        self.alias_domain.arc_seal = False
        sink_messages = sink.messages + self.copies_of('Unsealed news')
        for item in sink_messages:
            self.assertFalse(re.search(rb'^ARC-', item['raw'].split(b'\r\n\r\n', 1)[0], re.MULTILINE | re.IGNORECASE))
            self.assertTrue(dkim.verify(item['raw'], dnsfunc=self.dnsfunc))
