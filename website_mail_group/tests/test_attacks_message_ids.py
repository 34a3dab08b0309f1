"""Identity attacks (issue 22): a Message-ID belongs to one mail, and
moderators' facts are read by moderators only. Performed as the real actors:
a moderator of another group over XML-RPC and through the archive import,
members replying by mail through Odoo's gateway, portal users and
employees reading groups over XML-RPC."""
import base64
from email.utils import make_msgid

from odoo.tests import tagged

from .mails import raw_mail
from .mboxes import mbox
from .rpc import ImportAttackCase


class IdentityCase(ImportAttackCase):
    """Groups A and B on an alias domain, one member each; B has a post."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        domain = cls.env.company.alias_domain_id or cls.env['mail.alias.domain'].create(
            {'name': 'identity.example.com', 'bounce_alias': 'bounce', 'catchall_alias': 'catchall'})
        (cls.group_a | cls.group_b).alias_domain_id = domain
        Member = cls.env['mail.group.member']
        Member.create({'mail_group_id': cls.group_a.id, 'email': 'a.member@example.com'})
        Member.create({'mail_group_id': cls.group_b.id, 'email': 'b.member@example.com'})
        Member.create({'mail_group_id': cls.group_b.id, 'email': 'b.other@example.com'})

    def deliver(self, group, email_from, subject, message_id=None, headers=None):
        message_id = message_id or make_msgid(domain='sender.example.com')
        self.env['mail.thread'].message_process(None, raw_mail(
            email_from, group.alias_email, subject, f'{subject} body', message_id=message_id, headers=headers))
        return message_id

    def post_count(self, group):
        return self.env['mail.group.message'].sudo().search_count([('mail_group_id', '=', group.id)])

    def post_of(self, message_id):
        return self.env['mail.group.message'].sudo().search([('mail_message_id.message_id', '=', message_id)])

    def copies_to(self, group):
        return self.env['mail.mail'].sudo().search([
            ('mail_message_id.model', '=', 'mail.group'), ('mail_message_id.res_id', '=', group.id)])

    def assert_reply_stays_in_b(self, b_post):
        """B's member replies to B's address, naming B's post: the reply is
        in B under that post, and A's members receive nothing."""
        a_copies = self.copies_to(self.group_a)
        reply_id = self.deliver(self.group_b, 'b.other@example.com', 'Re: B topic', headers={
            'In-Reply-To': b_post.mail_message_id.message_id, 'References': b_post.mail_message_id.message_id})
        reply = self.post_of(reply_id)
        self.assertEqual(reply.mail_group_id, self.group_b)
        self.assertEqual(reply.group_message_parent_id, b_post)
        self.assertEqual(reply.mail_message_id.parent_id, b_post.mail_message_id)
        self.assertEqual(self.copies_to(self.group_a), a_copies, "A's members receive nothing")


@tagged('post_install', '-at_install', 'website_mail_group')
class TestMessageIdBelongsToOneMail(IdentityCase):

    def test_import_cannot_claim_another_groups_message_id(self):
        """The moderator of A imports a post carrying the Message-ID of B's
        post: it is stored in A under A's own id (a cross-post keeps its
        place in both archives), replies inside the import thread under
        it, and replies mailed to B stay in B."""
        b_id = self.deliver(self.group_b, 'b.member@example.com', 'B topic')
        b_post = self.post_of(b_id)
        archive = mbox([
            raw_mail('old@example.com', self.group_a.alias_email, 'B topic', message_id=b_id),
            raw_mail('old2@example.com', self.group_a.alias_email, 'Re: B topic', message_id='<r1@example.com>',
                     headers={'In-Reply-To': b_id}),
        ])
        for round_ in (1, 2):
            job = self.rpc(self.mod_a, 'mail.group.archive.import', 'create', {
                'mail_group_id': self.group_a.id, 'file': base64.b64encode(archive).decode(), 'filename': 'a.mbox'})
            self.rpc(self.mod_a, 'mail.group.archive.import', 'action_import', [job])
            with self.subTest(round=round_):
                self.assertEqual(self.post_count(self.group_a), 2, 'imported once, then duplicates')
        self.assertEqual(self.post_of(b_id), b_post, 'the Message-ID stays the mail of B')
        imported_reply = self.post_of('<r1@example.com>')
        self.assertEqual(imported_reply.mail_group_id, self.group_a)
        copy = imported_reply.group_message_parent_id
        self.assertEqual((copy.mail_group_id, copy.subject), (self.group_a, 'B topic'), 'threading within the import')
        self.assertNotEqual(copy.mail_message_id.message_id, b_id)
        self.assert_reply_stays_in_b(b_post)

    def test_message_id_not_rewritten_over_rpc(self):
        """The moderator of A cannot give A's post the Message-ID of B's post."""
        b_post = self.post_of(self.deliver(self.group_b, 'b.member@example.com', 'B topic'))
        a_post = self.post_of(self.deliver(self.group_a, 'a.member@example.com', 'A topic'))
        for message in (a_post.mail_message_id, b_post.mail_message_id):
            self.assertRpcDenied(self.mod_a, 'mail.message', 'write', [message.id],
                                 {'message_id': b_post.mail_message_id.message_id})
        self.assertRpcDenied(self.mod_b, 'mail.message', 'write', [b_post.mail_message_id.id],
                             {'message_id': '<other@example.com>'})
        self.assert_reply_stays_in_b(b_post)

    def test_reply_to_b_stays_in_b_whatever_it_names(self):
        """Even with a message of A carrying B's post's Message-ID (the
        database holds it, however it came), B's address decides."""
        b_post = self.post_of(self.deliver(self.group_b, 'b.member@example.com', 'B topic'))
        a_post = self.post_of(self.deliver(self.group_a, 'a.member@example.com', 'A topic'))
        a_post.mail_message_id.sudo().message_id = b_post.mail_message_id.message_id
        self.assert_reply_stays_in_b(b_post)
        self.assertFalse(a_post.group_message_child_ids)


@tagged('post_install', '-at_install', 'website_mail_group')
class TestModeratorFacts(IdentityCase):

    PRIVATE = {
        'mail_group_message_moderation_count': 0, 'moderation_rule_count': 0, 'banned_patterns': False,
        'nonmember_action': False, 'max_message_size_kb': 0, 'max_recipients': 0,
        'moderation_notify_msg': False, 'traffic_pending_count': 0, 'traffic_rejected_count': 0,
    }

    def test_moderators_facts_read_by_moderators_only(self):
        """A portal user, an employee and the moderator of B read public
        group A over XML-RPC (read, search_read): its counts of members and
        posts, never its pending posts, banned addresses or limits; nor may
        they search or group by those. A's moderator reads them."""
        self.group_a.write({
            'moderation': True, 'banned_patterns': '*@spam.example', 'nonmember_action': 'hold',
            'max_message_size_kb': 100, 'max_recipients': 5,
            'moderation_notify': True, 'moderation_notify_msg': '<p>Wait</p>',
        })
        self.env['mail.group.moderation'].create(
            {'mail_group_id': self.group_a.id, 'email': 'friend@example.com', 'status': 'allow'})
        self.deliver(self.group_a, 'a.member@example.com', 'Held post')
        self.assertEqual(self.group_a.mail_group_message_moderation_count, 1)
        fields = list(self.PRIVATE) + ['name', 'member_count']
        for user in (self.portal, self.employee, self.mod_b):
            with self.subTest(user=user.login):
                for values in (self.rpc(user, 'mail.group', 'read', [self.group_a.id], fields)[0],
                               self.rpc(user, 'mail.group', 'search_read', [('id', '=', self.group_a.id)], fields)[0]):
                    self.assertEqual({name: values[name] for name in self.PRIVATE}, self.PRIVATE)
                    self.assertEqual((values['name'], values['member_count']), ('Import A', 1))
                self.assertRpcDenied(user, 'mail.group', 'search_count', [('banned_patterns', 'ilike', 'spam')])
                self.assertRpcDenied(user, 'mail.group', 'read_group', [], ['max_recipients'], ['max_recipients'])
        values = self.rpc(self.mod_a, 'mail.group', 'read', [self.group_a.id], fields)[0]
        self.assertEqual((values['mail_group_message_moderation_count'], values['banned_patterns'],
                          values['max_recipients'], values['moderation_rule_count']), (1, '*@spam.example', 5, 1))

    def test_moderators_facts_hidden_from_a_form_onchange(self):
        """The form's onchange reads a group as a new record (its origin the
        group): the moderator of B learns nothing of A's limits that way;
        a group being created shows its creator its own defaults (the form
        could not save a new group: its required settings read empty)."""
        self.group_a.write({'banned_patterns': '*@spam.example', 'nonmember_action': 'hold', 'max_recipients': 5})
        spec = {name: {} for name in ('banned_patterns', 'nonmember_action', 'max_recipients')}
        result = self.rpc(self.mod_b, 'mail.group', 'onchange', [self.group_a.id], {}, [], spec)
        self.assertEqual(result['value'], {'banned_patterns': False, 'nonmember_action': False, 'max_recipients': 0})
        admin = self.env.ref('base.user_admin')
        self.assertEqual(self.env['mail.group'].with_user(admin).onchange({}, [], spec)['value'],
                         {'banned_patterns': False, 'nonmember_action': 'accept', 'max_recipients': 10})
