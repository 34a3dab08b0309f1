"""The ``wrap`` From mode, end to end: a post DKIM-signed by its author's
domain (key published on a DNS server on 127.0.0.1) comes through the real
gateway, each member receives over real SMTP a copy from the group, signed
by the list's domain, with the mail as received attached whole; dkimpy
verifies the author's signature on the attached bytes. Posts without those
bytes leave "via" the group; the bytes are read by nobody who may not read
the post."""
import base64
import email
import email.policy

import dkim

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from ..inbound import dns_lookup
from .common import SmtpListCase
from .mails import raw_mail
from .rpc import RpcAttackCase
from .smtp_server import SmtpSink
from .test_sender_authentication import dkim_keys

DOMAIN = 'lists.wrap.example.com'
AUTHOR_DOMAIN = 'strict.wrap-author.example.net'  # publishes p=reject and signs its mail
VIA = f'Ann Author via Wrap List <wrap@{DOMAIN}>'
ATTACHED = (
    '--part\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe release is out, notes attached.\r\n'
    '--part\r\nContent-Type: text/plain; name="notes.txt"\r\nContent-Disposition: attachment; filename="notes.txt"'
    '\r\n\r\nRelease notes.\r\n--part--\r\n')


def author_mail(private_key, to, subject='Release notes', message_id=None):
    """A post from Ann at a domain that signs its mail, as the MTA hands it over."""
    raw = raw_mail(f'Ann Author <ann@{AUTHOR_DOMAIN}>', to, subject, ATTACHED, message_id=message_id,
                   content_type='multipart/mixed; boundary="part"')
    return dkim.sign(raw, b'sel', AUTHOR_DOMAIN.encode(), private_key,
                     include_headers=[b'from', b'to', b'subject', b'date', b'message-id', b'content-type']) + raw


def attached_original(raw):
    """The bytes of the ``message/rfc822`` part of a received mail, as they
    were on the wire."""
    boundary = email.message_from_bytes(raw, policy=email.policy.default).get_boundary()
    parts = [part.split(b'\r\n\r\n', 1) for part in raw.split(b'\r\n--' + boundary.encode())[1:-1]]
    originals = [body for head, body in parts if b'content-type: message/rfc822' in head.lower()]
    return originals[0] if len(originals) == 1 else None


@tagged('post_install', '-at_install')
class TestWrap(SmtpListCase):
    DOMAIN, LIST = DOMAIN, ('Wrap List', 'wrap')
    MEMBERS = ['reader@readers.example.com', 'other@readers.example.com']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group.from_policy = 'wrap'
        cls.author_key, author_record = dkim_keys()
        cls.publish_dkim_key({
            f'sel._domainkey.{AUTHOR_DOMAIN}': [author_record],
            f'_dmarc.{AUTHOR_DOMAIN}': ['v=DMARC1; p=reject'],
        })

    def setUp(self):
        super().setUp()
        dns_lookup.clear_cache()

    def dkim_verifies(self, raw):
        lookup = dns_lookup.Lookup(self.dns.address, 5)

        def dnsfunc(name, timeout=5):
            records = lookup.txt(name)
            return records[0] if records else None
        return dkim.verify(raw, dnsfunc=dnsfunc)

    def receive(self, raw):
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw)

    def post_of(self, message_id):
        return self.env['mail.group.message'].search([('mail_message_id.message_id', '=', message_id)])

    def sent(self):
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        return sink.messages

    def test_copies_come_from_the_group_with_the_signed_original_attached(self):
        raw = author_mail(self.author_key, self.group.alias_email)
        self.assertTrue(self.dkim_verifies(raw), 'the author signed the post')
        self.receive(raw)
        copies = self.sent()
        self.assertEqual(sorted(rcpt for item in copies for rcpt in item['rcpt_tos']), sorted(self.MEMBERS))
        for item in copies:
            message, rcpt = item['message'], item['rcpt_tos'][0]
            self.assertEqual(message['From'], VIA)
            self.assertEqual(message.get_content_type(), 'multipart/mixed')
            self.assertEqual([part.get_content_type() for part in message.iter_parts()],
                             ['multipart/alternative', 'message/rfc822'], "the post, then the original alone")
            original = attached_original(item['raw'])
            self.assertEqual(original, raw, 'the mail as received, byte for byte')
            self.assertTrue(self.dkim_verifies(original), "the author's signature verifies in the attachment")
            inner = next(message.iter_attachments()).get_content()
            self.assertEqual(inner['From'], f'Ann Author <ann@{AUTHOR_DOMAIN}>')
            self.assertEqual([part.get_filename() for part in inner.iter_attachments()], ['notes.txt'])
            # the member's own links are in the outer copy, signed by the list's domain
            unsubscribe_url = self.group._get_email_unsubscribe_url(rcpt)
            self.assertEqual(message['List-Unsubscribe'], f'<{unsubscribe_url}>')
            self.assertIn(unsubscribe_url, message.get_body(('plain',)).get_content())
            self.assertNotIn(b'o_mg_message_footer', original)
            self.assertTrue(self.dkim_verifies(item['raw']), 'the copy is signed by the list')
            self.assertIn(b'd=' + DOMAIN.encode(), item['raw'].split(b'\r\n\r\n', 1)[0])
            tampered = item['raw'].replace(b'Release notes.', b'Forged notes.')
            self.assertNotEqual(tampered, item['raw'])
            self.assertFalse(self.dkim_verifies(tampered), "the list's signature covers the attached original")

    def test_mail_piped_by_the_mta_is_attached_as_smtp_carries_it(self):
        """An MTA pipes mail with Unix line ends, some with an mbox From_
        line on top: the attached mail has CRLF line ends and no From_ line,
        and the author's signature verifies."""
        raw = author_mail(self.author_key, self.group.alias_email)
        mbox_line = b'From ann@' + AUTHOR_DOMAIN.encode() + b' Sat Dec  5 10:00:00 2026\n'
        self.receive(mbox_line + raw.replace(b'\r\n', b'\n'))
        copies = self.sent()
        self.assertEqual(len(copies), 2)
        for item in copies:
            self.assertEqual(attached_original(item['raw']), raw)
            self.assertTrue(self.dkim_verifies(attached_original(item['raw'])))

    def test_held_post_keeps_its_original_until_accepted(self):
        moderator = mail_new_test_user(self.env, login='wrap-mod', groups='base.group_user', email='mod@example.com')
        self.group.write({'moderation': True, 'moderator_ids': [(4, moderator.id)]})
        raw = author_mail(self.author_key, self.group.alias_email, message_id='<held@wrap-author.example.net>')
        self.receive(raw)
        post = self.post_of('<held@wrap-author.example.net>')
        self.assertEqual(post.moderation_status, 'pending_moderation')
        self.assertFalse([item for item in self.sent() if item['rcpt_tos'][0] in self.MEMBERS])
        post.with_user(moderator).action_moderate_accept()
        copies = [item for item in self.sent() if item['rcpt_tos'][0] in self.MEMBERS]
        self.assertEqual(len(copies), 2)
        self.assertEqual({attached_original(item['raw']) for item in copies}, {raw})

    def test_posts_without_the_mail_as_received_leave_via_the_group(self):
        """Posts written in Odoo, and mail that came while the group did not
        wrap, leave "via" the group without an attachment; groups that do
        not wrap keep no mail."""
        self.group.from_policy = 'group'
        self.receive(author_mail(self.author_key, self.group.alias_email,
                                 message_id='<before@wrap-author.example.net>'))
        before = self.post_of('<before@wrap-author.example.net>')
        self.assertEqual(before.moderation_status, 'accepted')
        self.assertFalse(before.raw_message, 'a group that does not wrap keeps no mail')
        self.group.from_policy = 'wrap'  # before its copies leave
        self.assertIn('attached', self.group.copies_from_display)
        self.group.message_post(body='<p>Written in Odoo</p>', subject='From Odoo',
                                email_from=f'Ann Author <ann@{AUTHOR_DOMAIN}>')
        copies = self.sent()
        self.assertEqual(len(copies), 4)
        for item in copies:
            self.assertEqual(item['message']['From'], VIA)
            self.assertNotIn('message/rfc822', [part.get_content_type() for part in item['message'].walk()])
            self.assertTrue(self.dkim_verifies(item['raw']))


@tagged('post_install', '-at_install')
class TestWrapAccess(RpcAttackCase):
    """The mail as received over RPC and /web/content: its group's readers
    among employees, and moderators of held posts; nobody writes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups='base.group_user'):
            return mail_new_test_user(cls.env, login=login, groups=groups, name=login, email=f'{login}@example.com')

        cls.portal, cls.employee, cls.moderator = user('wrap_portal', 'base.group_portal'), user('wrap_emp'), \
            user('wrap_mod')
        domain = cls.env['mail.alias.domain'].create(
            {'name': 'wrap-access.example.com', 'bounce_alias': 'bounce', 'catchall_alias': 'catchall'})
        Group = cls.env['mail.group'].with_context(mail_create_nolog=True)
        shared = {'from_policy': 'wrap', 'alias_domain_id': domain.id, 'moderator_ids': [(4, cls.moderator.id)]}
        cls.public = Group.create({'name': 'Wrap Public', 'alias_name': 'wrap-public', **shared})
        cls.private = Group.create({'name': 'Wrap Members', 'alias_name': 'wrap-members', 'access_mode': 'members',
                                    **shared})
        cls.held = Group.create({'name': 'Wrap Held', 'alias_name': 'wrap-held', 'moderation': True, **shared})
        cls.env['mail.group.member'].create([{'mail_group_id': cls.private.id, 'email': 'ann@example.org'},
                                            {'mail_group_id': cls.private.id, 'partner_id': cls.portal.partner_id.id}])
        cls.raw, cls.posts = {}, {}
        for group in (cls.public, cls.private, cls.held):
            cls.raw[group] = raw_mail('Ann <ann@example.org>', group.alias_email, f'Secret of {group.name}', 'Hi')
            with mute_logger('odoo.addons.mail.models.mail_thread'):
                cls.env['mail.thread'].message_process(None, cls.raw[group])
            cls.posts[group] = cls.env['mail.group.message'].search([('mail_group_id', '=', group.id)])

    def attachment(self, group):
        return self.env['ir.attachment'].sudo().search([
            ('res_model', '=', 'mail.group.message'), ('res_field', '=', 'raw_message'),
            ('res_id', '=', self.posts[group].id)])

    def test_readers_only(self):
        self.assertEqual(self.posts[self.held].moderation_status, 'pending_moderation')
        for group in (self.public, self.private, self.held):
            self.assertEqual(len(self.attachment(group)), 1, 'every post by mail to a wrapping group keeps its mail')
            read = self.rpc(self.moderator, 'mail.group.message', 'read', [self.posts[group].id], ['raw_message'])
            self.assertEqual(base64.b64decode(read[0]['raw_message']), self.raw[group], 'its moderator reads it')
        self.assertTrue(self.rpc(self.employee, 'mail.group.message', 'read', [self.posts[self.public].id],
                                 ['raw_message'])[0]['raw_message'], 'an employee reads that of a public post')
        self.authenticate(self.moderator.login, self.moderator.login)
        self.assertEqual(self.url_open(f'/web/content/mail.group.message/{self.posts[self.held].id}/raw_message')
                         .content, self.raw[self.held], 'its moderator downloads it')
        denied = [(self.portal, self.public), (self.portal, self.private),
                  (self.employee, self.private), (self.employee, self.held)]
        for user, group in denied:
            post_id, attachment_id = self.posts[group].id, self.attachment(group).id
            self.assertRpcDenied(user, 'mail.group.message', 'read', [post_id], ['raw_message'])
            self.assertRpcDenied(user, 'ir.attachment', 'read', [attachment_id], ['raw', 'datas'])
            self.authenticate(user.login, user.login)
            with mute_logger('odoo.http'):
                response = self.url_open(f'/web/content/mail.group.message/{post_id}/raw_message')
            self.assertNotIn(b'Secret of', response.content, f'{user.login} downloads nothing of {group.name}')
        found = self.rpc(self.employee, 'ir.attachment', 'search_read',
                         [('res_model', '=', 'mail.group.message'), ('res_field', '=', 'raw_message')], ['res_id'])
        self.assertEqual([row['res_id'] for row in found], [self.posts[self.public].id],
                         "an employee finds the mail of the public post only")

    def test_nobody_writes_it_over_rpc(self):
        forged = base64.b64encode(b'From: ceo@example.org\r\nSubject: Forged\r\n\r\nPay now\r\n').decode()
        self.assertRpcDenied(self.moderator, 'mail.group.message', 'write', [self.posts[self.public].id],
                             {'raw_message': forged})
        self.assertRpcDenied(self.moderator, 'ir.attachment', 'write', [self.attachment(self.public).id],
                             {'datas': forged})
        self.assertRpcDenied(self.moderator, 'ir.attachment', 'create', {
            'name': 'original.eml', 'datas': forged, 'res_model': 'mail.group.message',
            'res_field': 'raw_message', 'res_id': self.posts[self.public].id})
        self.assertEqual(len(self.attachment(self.public)), 1)
        self.assertEqual(base64.b64decode(self.posts[self.public].sudo().raw_message), self.raw[self.public])
