"""The From of copies follows the author's domain (``from_policy`` ``dmarc``,
the default of new groups): "via" the group when the domain publishes DMARC
quarantine or reject, or is a provider that rejects failing mail anyway;
the author's own address otherwise. DMARC records come from a DNS server
on 127.0.0.1; posts go through the real gateway and real SMTP."""
import time

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..inbound import dns_lookup
from .common import SmtpListCase
from .dns_server import DnsServer, dead_dns
from .mails import raw_mail
from .smtp_server import SmtpSink

DOMAIN = 'lists.dmarc-from.example.com'
VIA = f'<dmarc-from@{DOMAIN}>'


@tagged('post_install', '-at_install')
class TestDmarcFrom(SmtpListCase):
    DOMAIN, LIST = DOMAIN, ('DMARC List', 'dmarc-from')
    MEMBERS = ['reader@readers.example.com']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dns = DnsServer({
            '_dmarc.strict.example.net': ['v=DMARC1; p=reject'],
            '_dmarc.quarantined.example.net': ['v=DMARC1; p=quarantine; pct=100'],
            '_dmarc.relaxed.example.org': ['v=DMARC1; p=none; rua=mailto:dmarc@relaxed.example.org'],
            '_dmarc.parentorg.test': ['v=DMARC1; p=none; sp=reject'],
        }).start()
        cls.addClassCleanup(cls.dns.stop)
        cls.env['ir.config_parameter'].sudo().set_param('website_mail_group.dns_nameservers', cls.dns.address)
        # a relay that may send from the authors' addresses: the From is the policy's alone
        cls.mail_server.from_filter = ','.join([DOMAIN, 'strict.example.net', 'quarantined.example.net',
                                                'mail.parentorg.test', 'parentorg.test', 'gmail.com',
                                                'yahoo.com', 'relaxed.example.org', 'nodmarc.example.org',
                                                'unknown.example.org'])

    def setUp(self):
        super().setUp()
        dns_lookup.clear_cache()

    def from_of_copy(self, author):
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw_mail(
                f'Ann Author <{author}>', self.group.alias_email, f'From {author}', 'Hello'))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(len(sink.messages), 1)
        return str(sink.messages[0]['message']['From'])

    def test_new_groups_rewrite_only_where_the_domain_requires_it(self):
        self.assertEqual(self.group.from_policy, 'dmarc')
        for author in ('ann@strict.example.net', 'ann@quarantined.example.net', 'ann@mail.parentorg.test',
                       'ann@gmail.com', 'ann@yahoo.com'):
            self.assertEqual(self.from_of_copy(author), f'Ann Author via DMARC List {VIA}', author)
        for author in ('ann@relaxed.example.org', 'ann@nodmarc.example.org', 'ann@parentorg.test'):
            self.assertEqual(self.from_of_copy(author), f'Ann Author <{author}>', author)
        self.assertIn('gmail.com', self.group.copies_from_display)

    def test_rewritten_domains_are_a_setting(self):
        self.env['ir.config_parameter'].sudo().set_param('website_mail_group.dmarc_rewrite_domains',
                                                         'nodmarc.example.org')
        self.assertEqual(self.from_of_copy('ann@nodmarc.example.org'), f'Ann Author via DMARC List {VIA}')
        self.assertEqual(self.from_of_copy('ann@gmail.com'), 'Ann Author <ann@gmail.com>')

    def test_author_policy_keeps_the_author_and_group_policy_always_rewrites(self):
        self.group.from_policy = 'author'
        self.assertEqual(self.from_of_copy('ann@strict.example.net'), 'Ann Author <ann@strict.example.net>')
        self.group.from_policy = 'group'
        self.assertEqual(self.from_of_copy('ann@relaxed.example.org'), f'Ann Author via DMARC List {VIA}')

    def test_dns_that_never_answers_rewrites_without_holding_copies_back(self):
        with dead_dns(self.env):
            started = time.monotonic()
            self.assertEqual(self.from_of_copy('ann@unknown.example.org'), f'Ann Author via DMARC List {VIA}')
            self.assertLess(time.monotonic() - started, 5, 'posting and sending took at most the look-up budget')
