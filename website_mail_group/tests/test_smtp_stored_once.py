import secrets
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged

from .common import SmtpListCase, run_migration
from .mails import raw_mail
from .smtp_server import SmtpSink

MEMBERS = [f'reader{index}@members.example.com' for index in range(3)]


def html_post(kbytes):
    """An HTML post of about ``kbytes`` KB that PostgreSQL cannot compress
    much (random words), starting and ending with a marker."""
    words = []
    while sum(len(word) + 1 for word in words) < kbytes * 1024:
        words.append(secrets.token_urlsafe(9))
    return f'<p>START-OF-POST {" ".join(words)} END-OF-POST</p>'


@tagged('post_install', '-at_install')
class TestSmtpStoredOnce(SmtpListCase):
    """A post is stored once, not once per member: each queued copy holds
    only what is its own, and members still receive the whole post with
    their own footer."""

    DOMAIN, LIST = 'lists.once.example.com', ('Once List', 'once')
    MEMBERS = MEMBERS

    def post(self, body, subject='Stored once'):
        self.env['mail.thread'].message_process(None, raw_mail(
            'Author <author@example.com>', self.group.alias_email, subject, body,
            content_type='text/html; charset=utf-8'))
        post = self.env['mail.group.message'].search([('subject', '=', subject)])
        self.assertEqual(post.moderation_status, 'accepted')
        return post

    def copies(self, post):
        return self.env['mail.mail'].sudo().search([('mail_message_id', '=', post.mail_message_id.id)])

    def copy_row_bytes(self, post):
        """The largest row stored in mail_mail for one copy of ``post``."""
        self.env.flush_all()
        self.env.cr.execute("SELECT max(pg_column_size(m.*)) FROM mail_mail m WHERE m.mail_message_id = %s",
                            [post.mail_message_id.id])
        return self.env.cr.fetchone()[0]

    def test_copy_row_does_not_grow_with_the_post(self):
        small = self.post(html_post(5), 'Small post')
        large = self.post(html_post(50), 'Large post')
        self.assertEqual(len(self.copies(large)), len(MEMBERS))
        small_bytes, large_bytes = self.copy_row_bytes(small), self.copy_row_bytes(large)
        self.assertLess(large_bytes, 2000, 'a copy of a 50 KB post stores no body of its own')
        self.assertLess(abs(large_bytes - small_bytes), 64, 'a copy is as large for a 50 KB post as for a 5 KB one')

    def test_copy_stores_no_link_but_reads_and_sends_its_member_s(self):
        post = self.post('<p>Links</p>', 'Links made when read')
        self.env.flush_all()
        self.env.cr.execute("SELECT count(*) FROM mail_mail WHERE mail_message_id = %s AND headers IS NOT NULL",
                            [post.mail_message_id.id])
        self.assertEqual(self.env.cr.fetchone()[0], 0, 'no copy stores its one-click link')
        self.env.invalidate_all()
        for mail in self.copies(post):
            url = self.group._get_email_unsubscribe_url(mail.email_to)
            self.assertEqual(mail.headers, repr({'List-Unsubscribe': f'<{url}>',
                                                 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click'}))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(sink.recipients(), MEMBERS)
        for item in sink.messages:
            url = self.group._get_email_unsubscribe_url(item['rcpt_tos'][0])
            self.assertEqual(item['message']['List-Unsubscribe'], f'<{url}>', 'each member their own link')

    def test_members_receive_the_whole_post_with_their_footer(self):
        body = html_post(50)
        self.post(body)
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(sink.recipients(), MEMBERS)
        for item in sink.messages:
            html = item['message'].get_body(('html',)).get_content()
            text = item['message'].get_body(('plain',)).get_content()
            self.assertIn(body[3:-4], html, 'the whole post, as written')
            self.assertIn('END-OF-POST', text)
            unsubscribe_url = self.group._get_email_unsubscribe_url(item['rcpt_tos'][0])
            self.assertIn(unsubscribe_url.replace('&', '&amp;'), html, "the member's own link in the footer")
            self.assertIn(unsubscribe_url, text)

    def test_member_who_leaves_while_their_copy_waits(self):
        """A copy names its member by id, without a foreign key: a member
        removed before their copy leaves reads as no member, the back office
        still shows the copy and every copy is sent."""
        post = self.post('<p>Leaving</p>', 'Leaving while queued')
        leaving = self.group.member_ids.filtered(lambda member: member.email == MEMBERS[0])
        copy = self.copies(post).filtered(lambda mail: mail.email_to == MEMBERS[0])
        self.assertEqual(copy.mail_group_member_id, leaving)
        self.assertEqual(self.env['mail.mail'].sudo().search([('mail_group_member_id', '=', leaving.id)]), copy)
        leaving.unlink()
        self.env.invalidate_all()
        self.assertFalse(copy.mail_group_member_id)
        self.assertEqual(copy.read(['mail_group_member_id'])[0]['mail_group_member_id'], False)
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(sink.recipients(), MEMBERS)

    def test_sending_reads_the_shared_body_once(self):
        self.post(html_post(50))
        statements = []
        execute = Cursor.execute

        def recording(cursor, query, params=None, log_exceptions=True):
            statements.append(str(getattr(query, 'code', query)))
            return execute(cursor, query, params, log_exceptions)

        self.env.invalidate_all()
        with SmtpSink(self.mail_server.smtp_port) as sink, patch.object(Cursor, 'execute', recording):
            self.run_queue()
        self.assertEqual(len(sink.messages), len(MEMBERS))
        reads = [statement for statement in statements if 'mail_group_copy_body' in statement]
        self.assertEqual(len(reads), 1, 'one read of the body for all the copies of the post')

    def test_queued_copy_shows_its_body(self):
        """The back office (and code reading ``body_html``) sees a queued
        copy's whole body: the post, then the footer."""
        post = self.post(html_post(5))
        copy = self.copies(post).filtered(lambda mail: mail.email_to == MEMBERS[1])
        values = copy.read(['body_html', 'body_content'])[0]
        self.assertIn('START-OF-POST', values['body_html'])
        self.assertIn('o_mg_message_footer', values['body_html'])
        self.assertIn(self.group._get_email_unsubscribe_url(MEMBERS[1]).replace('&', '&amp;'),
                      values['body_content'], 'shown with its member\'s links')
        found = self.env['mail.mail'].sudo().search([('body_content', 'ilike', 'START-OF-POST')])
        self.assertEqual(found, self.copies(post), 'searching the contents finds the copies')
        others = self.env['mail.mail'].sudo().search([('body_content', 'not ilike', 'START-OF-POST')])
        self.assertFalse(others & self.copies(post))

    def queued_before_upgrade(self, post):
        """Make the copies of ``post`` as the previous version queued them:
        each with the body in its own row."""
        self.env.flush_all()
        self.env.cr.execute("""
            UPDATE mail_mail m SET body_html = b.body_html, mail_group_body_ref = NULL
              FROM mail_group_copy_body b WHERE b.id = m.mail_group_body_ref AND m.mail_message_id = %s
        """, [post.mail_message_id.id])
        self.env.cr.execute("DELETE FROM mail_group_copy_body WHERE mail_message_id = %s", [post.mail_message_id.id])
        self.env.invalidate_all()
        self.assertGreater(self.copy_row_bytes(post), 50 * 1024)

    def assert_sent_whole(self, sink):
        self.assertEqual(sink.recipients(), MEMBERS)
        for item in sink.messages:
            html = item['message'].get_body(('html',)).get_content()
            self.assertIn('END-OF-POST', html)
            self.assertIn(self.group._get_email_unsubscribe_url(item['rcpt_tos'][0]).replace('&', '&amp;'), html)

    def test_copy_queued_with_its_own_body_is_sent_with_it(self):
        """A copy queued before the body was shared (or one given a body of
        its own) keeps its body and is sent with it, with its footer."""
        self.queued_before_upgrade(self.post(html_post(50)))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assert_sent_whole(sink)

    def test_upgrade_moves_queued_bodies_to_one_shared_body(self):
        post = self.post(html_post(50))
        self.queued_before_upgrade(post)
        run_migration(self.env.cr, '17.0.1.2.0', 'post', '17.0.1.1.0')
        self.env.invalidate_all()
        self.assertLess(self.copy_row_bytes(post), 2000)
        body = self.env['mail.group.copy.body'].search([('mail_message_id', '=', post.mail_message_id.id)])
        self.assertEqual(set(self.copies(post).mapped('mail_group_body_ref')), {body.id})
        self.assertEqual(len(body), 1)
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assert_sent_whole(sink)

    def test_upgrade_drops_the_keys_of_body_and_member(self):
        """Copies queued before 17.0.1.3.0 named their body and member by
        foreign keys: the upgrade keeps the ids, drops keys and indexes,
        and the copies still read their body and member."""
        post = self.post(html_post(5))
        copy = self.copies(post).filtered(lambda mail: mail.email_to == MEMBERS[0])
        member, body_id = copy.mail_group_member_id, copy.mail_group_body_ref
        self.env.flush_all()
        cr = self.env.cr
        for old, new, table in (('mail_group_body_id', 'mail_group_body_ref', 'mail_group_copy_body'),
                                ('mail_group_member_id', 'mail_group_member_ref', 'mail_group_member')):
            cr.execute(f'ALTER TABLE mail_mail RENAME COLUMN {new} TO {old}')
            cr.execute(f'ALTER TABLE mail_mail ADD CONSTRAINT mail_mail_{old}_fkey FOREIGN KEY ({old}) REFERENCES {table}(id)')
            cr.execute(f'CREATE INDEX mail_mail__{old}_index ON mail_mail ({old})')
        run_migration(cr, '17.0.1.3.0', 'pre', '17.0.1.2.0')
        cr.execute("""SELECT conname FROM pg_constraint WHERE conrelid = 'mail_mail'::regclass
                      AND conname LIKE 'mail_mail_mail_group_%%'""")
        self.assertEqual(cr.fetchall(), [])
        cr.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'mail_mail' AND indexname LIKE '%%_id_index'"
                   " AND indexname LIKE 'mail_mail__mail_group%%'")
        self.assertEqual(cr.fetchall(), [])
        self.env.invalidate_all()
        self.assertEqual((copy.mail_group_member_id, copy.mail_group_body_ref), (member, body_id))
        self.assertIn('START-OF-POST', copy.body_html)

    def test_shared_body_is_deleted_with_its_last_copy(self):
        post = self.post(html_post(5))
        Body = self.env['mail.group.copy.body']
        body = Body.search([('mail_message_id', '=', post.mail_message_id.id)])
        self.assertEqual(len(body), 1, 'one body for the copies of a post in one language')
        self.assertEqual(set(self.copies(post).mapped('mail_group_body_ref')), {body.id})
        Body._gc_copy_bodies()
        self.assertTrue(body.exists(), 'kept while copies are queued')
        with SmtpSink(self.mail_server.smtp_port):
            self.run_queue()
        self.assertFalse(self.copies(post), 'sent copies are deleted')
        Body._gc_copy_bodies()
        self.assertFalse(body.exists())
