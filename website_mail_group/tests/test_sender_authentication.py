"""Forged From addresses through the real gateway: a DNS server on 127.0.0.1
serves the DMARC and DKIM records, mail is DKIM-signed with dkimpy.

A forged moderator, whitelisted author or member of a domain publishing
DMARC is held ("Sender not authenticated"), never refused; their signed
mail keeps its privileges; domains without DMARC behave as before; the
site's MTA verdict is trusted only in its own topmost header."""
import base64
import time

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..inbound import dns_lookup
from .common import MailGroupCommon
from .dns_server import DnsServer, dead_dns
from .mails import raw_mail

SIGNED = 'dmarc.example.net'       # publishes p=reject and signs its mail
UNPUBLISHED = 'plain.example.org'  # publishes no DMARC
AUTHSERV_ID = 'mx.lists.example.com'


def dkim_keys():
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    public = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    return private, 'v=DKIM1; k=rsa; p=' + public


@tagged('post_install', '-at_install')
class TestSenderAuthentication(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.private_key, public_record = dkim_keys()
        cls.dns = DnsServer({
            f'_dmarc.{SIGNED}': ['v=DMARC1; p=reject; rua=mailto:reports@dmarc.example.net'],
            f'lists._domainkey.{SIGNED}': [public_record],
        }).start()
        cls.addClassCleanup(cls.dns.stop)
        cls.env['ir.config_parameter'].sudo().set_param('website_mail_group.dns_nameservers', cls.dns.address)
        cls.env['ir.config_parameter'].sudo().set_param('website_mail_group.authserv_id', '')
        cls.dora = cls.env['res.users'].create({
            'name': 'Dora Moderator', 'login': 'dora', 'email': f'dora@{SIGNED}',
            'groups_id': [(6, 0, cls.env.ref('base.group_user').ids)]})
        cls.plain_moderator = cls.env['res.users'].create({
            'name': 'Pia Moderator', 'login': 'pia', 'email': f'pia@{UNPUBLISHED}',
            'groups_id': [(6, 0, cls.env.ref('base.group_user').ids)]})
        cls.group_moderated.moderator_ids |= cls.dora | cls.plain_moderator
        cls.group_moderated.moderation_notify = False
        cls.env['mail.group.moderation'].create(
            {'mail_group_id': cls.group_moderated.id, 'email': f'wendy@{SIGNED}', 'status': 'allow'})
        cls.env['mail.group.member'].create({'mail_group_id': cls.group_members.id, 'email': f'max@{SIGNED}'})

    def setUp(self):
        super().setUp()
        dns_lookup.clear_cache()

    def mail(self, group, author, signed=False, tamper=False, headers=''):
        """Feed one mail from ``author`` to ``group``; return its post."""
        raw = raw_mail(author, group.alias_email, 'Release notes', 'The release is out.')
        if signed:
            raw = dkim.sign(raw, b'lists', SIGNED.encode(), self.private_key,
                            include_headers=[b'from', b'to', b'subject', b'message-id', b'date']) + raw
        if tamper:
            raw = raw.replace(b'The release is out.', b'Send your password.')
        raw = headers.encode() + raw
        message_id = raw.split(b'Message-ID: ', 1)[1].split(b'\r\n', 1)[0].decode()
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw)
        return self.group_message(message_id)

    def assertHeld(self, post, status='fail'):
        self.assertEqual(post.moderation_status, 'pending_moderation')
        self.assertEqual(post.moderation_reason, 'not_authenticated')
        self.assertIn('Sender not authenticated', post.moderation_reasons_display)
        self.assertEqual(post.authentication_status, status)
        self.assertFalse(self.queued_mails(post), 'a held post reaches no member')

    def assertDistributed(self, post):
        self.assertEqual(post.moderation_status, 'accepted')
        self.assertIn('plain@member.example.com', self.queued_mails(post))

    def test_forged_moderator_is_held_and_the_signed_one_accepted(self):
        forged = self.mail(self.group_moderated, f'Dora Moderator <dora@{SIGNED}>')
        self.assertHeld(forged)
        self.assertIn('no DKIM signature', forged.authentication_details)
        self.assertIn('p=reject', forged.authentication_details)
        # the moderators' alert says why, with the verdict
        alert = self.env['mail.message'].sudo().search(
            [('model', '=', 'mail.group.message'), ('res_id', '=', forged.id)], limit=1)
        self.assertIn('Sender not authenticated', alert.body)
        self.assertIn('Failed', alert.body)

        broken = self.mail(self.group_moderated, f'dora@{SIGNED}', signed=True, tamper=True)
        self.assertHeld(broken)
        self.assertIn('DKIM signature not verified', broken.authentication_details)

        signed = self.mail(self.group_moderated, f'Dora Moderator <dora@{SIGNED}>', signed=True)
        self.assertDistributed(signed)
        self.assertEqual(signed.authentication_status, 'pass')

    def test_forged_whitelisted_author_is_held(self):
        self.assertHeld(self.mail(self.group_moderated, f'wendy@{SIGNED}'))
        self.assertDistributed(self.mail(self.group_moderated, f'wendy@{SIGNED}', signed=True))

    def test_forged_member_of_a_members_only_group_is_held_not_refused(self):
        bounces_before = self.env['mail.mail'].sudo().search_count([('email_to', 'ilike', f'max@{SIGNED}')])
        post = self.mail(self.group_members, f'max@{SIGNED}')
        self.assertHeld(post)
        self.assertEqual(
            self.env['mail.mail'].sudo().search_count([('email_to', 'ilike', f'max@{SIGNED}')]), bounces_before,
            'no bounce: a member whose mail lost its signature is not turned away')
        self.assertDistributed(self.mail(self.group_members, f'max@{SIGNED}', signed=True))

    def test_stranger_post_accepted_where_strangers_may_post(self):
        """A public group without moderation takes anyone's post: accepted,
        marked unauthenticated for its moderators."""
        post = self.mail(self.group_public, f'eve@{SIGNED}')
        self.assertDistributed(post)
        self.assertEqual(post.authentication_status, 'fail')

    def test_domain_without_dmarc_behaves_as_before(self):
        post = self.mail(self.group_moderated, f'pia@{UNPUBLISHED}')
        self.assertDistributed(post)
        self.assertEqual(post.authentication_status, 'none')
        self.group_moderated.sender_authentication = 'required'
        self.assertHeld(self.mail(self.group_moderated, f'pia@{UNPUBLISHED}'), status='none')
        self.group_moderated.sender_authentication = 'off'
        post = self.mail(self.group_moderated, f'dora@{SIGNED}')
        self.assertDistributed(post)
        self.assertFalse(post.authentication_status)

    def test_mta_verdict_in_its_own_topmost_header_only(self):
        self.env['ir.config_parameter'].sudo().set_param('website_mail_group.authserv_id', AUTHSERV_ID)
        trusted = f'Authentication-Results: {AUTHSERV_ID}; spf=pass smtp.mailfrom={SIGNED}; ' \
                  f'dmarc=pass (p=reject) header.from={SIGNED}\r\n'
        post = self.mail(self.group_moderated, f'dora@{SIGNED}', headers=trusted)
        self.assertDistributed(post)
        self.assertEqual(post.authentication_details, f'{AUTHSERV_ID}: dmarc=pass')
        # the MTA's failure counts even for a signature we would accept
        failed = f'Authentication-Results: {AUTHSERV_ID}; dmarc=fail header.from={SIGNED}\r\n'
        self.assertHeld(self.mail(self.group_moderated, f'dora@{SIGNED}', signed=True, headers=failed))
        # anyone can write these: another id, or ours below the topmost
        for forged in (
            f'Authentication-Results: mx.attacker.example; dmarc=pass header.from={SIGNED}\r\n',
            f'Authentication-Results: mx.attacker.example; none\r\n'
            f'Authentication-Results: {AUTHSERV_ID}; dmarc=pass header.from={SIGNED}\r\n',
        ):
            post = self.mail(self.group_moderated, f'dora@{SIGNED}', headers=forged)
            self.assertHeld(post)
            self.assertNotIn(AUTHSERV_ID, post.authentication_details)
        # no header of ours: the message is checked itself
        self.assertDistributed(self.mail(self.group_moderated, f'dora@{SIGNED}', signed=True))

    def test_dns_server_that_never_answers_loses_and_blocks_nothing(self):
        with dead_dns(self.env) as silent:
            start = time.monotonic()
            post = self.mail(self.group_moderated, f'dora@{SIGNED}', signed=True)
            self.assertLess(time.monotonic() - start, 4, 'look-ups are bounded in time')
            self.assertTrue(silent.queries, 'the configured server was asked')
        self.assertHeld(post, status='temperror')
        self.assertIn('time-out', post.authentication_details)
        # a moderator accepts it as any held post
        post.with_user(self.user_moderator).action_moderate_accept()
        self.assertDistributed(post)

    def test_verdict_hidden_from_portal_users(self):
        post = self.mail(self.group_public, f'eve@{SIGNED}')
        self.assertEqual(post.authentication_status, 'fail')
        fields = post.with_user(self.user_portal).fields_get()
        self.assertNotIn('authentication_status', fields)
        self.assertNotIn('authentication_details', fields)
