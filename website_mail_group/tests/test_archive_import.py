"""Archive import (mbox → accepted posts): dialects, dates, authors, files,
threads, duplicates, broken messages, batches and the cron; nothing mailed."""
import base64
from datetime import timezone
from email.utils import make_msgid, parsedate_to_datetime
from unittest.mock import patch

from .common import MailGroupCommon, SmtpListCase
from .mails import raw_mail, rfc2822_date
from .mboxes import mbox
from .smtp_server import SmtpSink

WIZARD = 'odoo.addons.website_mail_group.wizard.mail_group_archive_import'
OLD = 24 * 400  # hours: the archive is older than a year


def utc(date_header):
    return parsedate_to_datetime(date_header).astimezone(timezone.utc).replace(tzinfo=None)


def multipart_with_file(message_id, date):
    body = (
        '--SEP\r\nContent-Type: text/html; charset=utf-8\r\n\r\n'
        '<p>Minutes <b>attached</b></p><script>alert(1)</script>\r\n'
        '--SEP\r\nContent-Type: application/pdf; name="minutes.pdf"\r\n'
        'Content-Disposition: attachment; filename="minutes.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        f'{base64.b64encode(b"%PDF-1.4 minutes").decode()}\r\n--SEP--\r\n')
    return raw_mail('Bob <bob@old-list.example.com>', 'list@old.example.com', 'Minutes', body,
                    message_id=message_id, date=date, content_type='multipart/mixed; boundary="SEP"')


class ArchiveImportCase(MailGroupCommon):

    def import_mbox(self, data, group=None, user=None):
        job = self.env['mail.group.archive.import'].with_user(user or self.user_moderator).create({
            'mail_group_id': (group or self.group_public).id,
            'file': base64.b64encode(data), 'filename': 'archive.mbox'})
        job.action_import()
        return job.sudo()

    def post(self, message_id, group=None):
        return self.env['mail.group.message'].sudo().search([
            ('mail_group_id', '=', (group or self.group_public).id),
            ('mail_message_id.message_id', '=', message_id)])

    def posts(self, group=None):
        return self.env['mail.group.message'].sudo().search([('mail_group_id', '=', (group or self.group_public).id)])


class TestArchiveImport(ArchiveImportCase):

    def test_mailman_archive_posts_keep_date_author_thread_and_mail_nobody(self):
        root_id, reply_id = make_msgid(domain='old.example.com'), make_msgid(domain='old.example.com')
        root_date, reply_date = rfc2822_date(hours_ago=OLD), rfc2822_date(hours_ago=OLD - 5)
        data = mbox([
            raw_mail('Alice <alice@old-list.example.com>', 'list@old.example.com', 'Welcome',
                     'First post.\r\nFrom here on, we talk.\r\n', message_id=root_id, date=root_date),
            raw_mail('Cathy Customer <cathy@customer.example.com>', 'list@old.example.com', 'Re: Welcome',
                     'Agreed.', message_id=reply_id, date=reply_date,
                     headers={'In-Reply-To': root_id, 'References': root_id}),
        ], dialect='mailman', quoting='o')
        notifications = self.env['mail.notification'].sudo().search_count([])
        with self.mock_mail_gateway():
            job = self.import_mbox(data)
        self.assertFalse(self._new_mails, 'an imported post is mailed to nobody')
        self.assertFalse(self._mails)
        self.assertEqual(self.env['mail.notification'].sudo().search_count([]), notifications)

        self.assertEqual((job.state, job.imported_count, job.duplicate_count, job.skipped_count), ('done', 2, 0, 0))
        root, reply = self.post(root_id), self.post(reply_id)
        self.assertEqual(self.posts(), root | reply)
        self.assertEqual(set((root | reply).mapped('moderation_status')), {'accepted'})
        self.assertEqual((root.date, reply.date), (utc(root_date), utc(reply_date)))
        self.assertEqual((root.subject, root.email_from), ('Welcome', '"Alice" <alice@old-list.example.com>'))
        self.assertFalse(root.author_id, 'no partner has that address: the address alone')
        self.assertEqual(reply.author_id, self.partner_customer)
        self.assertIn('From here on, we talk.', root.body, 'the mboxo quoting is undone')
        self.assertNotIn('&gt;From', root.body)
        self.assertEqual(reply.group_message_parent_id, root)
        self.assertEqual(reply.mail_message_id.parent_id, root.mail_message_id)
        self.assertEqual(job.summary, 'Imported 2 of 2 messages, 0 already in the archive, 0 skipped')
        self.assertFalse(job._file_attachment(), 'the uploaded file is dropped once imported')
        self.group_public.invalidate_recordset()
        self.assertEqual((self.group_public.mail_group_message_count,
                          self.group_public.mail_group_message_last_month_count), (2, 0),
                         'an old archive is not this month\'s traffic')

    def test_takeout_crlf_mboxrd_with_attachment(self):
        file_id, text_id = make_msgid(domain='gmail.example.com'), make_msgid(domain='gmail.example.com')
        data = mbox([
            multipart_with_file(file_id, rfc2822_date(hours_ago=OLD)),
            raw_mail('dan@old-list.example.com', 'list@old.example.com', 'Quoting',
                     'From the start\r\n>From a quote\r\nend', message_id=text_id, date=rfc2822_date(hours_ago=OLD)),
        ], dialect='takeout', crlf=True, quoting='rd')
        self.assertIn(b'\r\n>>From a quote\r\n', data)
        job = self.import_mbox(data)
        self.assertEqual((job.imported_count, job.skipped_count), (2, 0))
        with_file, quoting = self.post(file_id), self.post(text_id)
        self.assertIn('<b>attached</b>', with_file.body)
        self.assertNotIn('script', with_file.body, 'the HTML is sanitized')
        attachment = with_file.attachment_ids
        self.assertEqual((attachment.name, attachment.raw), ('minutes.pdf', b'%PDF-1.4 minutes'))
        self.assertEqual((attachment.res_model, attachment.res_id), ('mail.group.message', with_file.id))
        self.assertIn('From the start<br>&gt;From a quote<br>end', quoting.body,
                      'plain text becomes HTML and one level of quoting is undone')
        self.assertEqual(quoting.body_text, 'From the start\n>From a quote\nend')

    def test_import_twice_adds_nothing_even_without_message_id(self):
        no_id = b'From: eve@old-list.example.com\nSubject: No id\nDate: %s\n\nNo Message-ID here\n' % (
            rfc2822_date(hours_ago=OLD).encode())
        with_id = raw_mail('eve@old-list.example.com', 'list@old.example.com', 'With id',
                           message_id=make_msgid(), date=rfc2822_date(hours_ago=OLD))
        data = mbox([no_id, with_id, no_id], dialect='bare')
        first = self.import_mbox(data)
        self.assertEqual((first.imported_count, first.duplicate_count), (2, 1),
                         'the same message without Message-ID twice in a file is one post')
        posts = self.posts()
        self.assertTrue(posts.filtered(lambda post: post.subject == 'No id').mail_message_id.message_id.endswith(
            '@mbox-import.invalid>'))
        second = self.import_mbox(mbox([no_id, with_id], dialect='thunderbird', crlf=True))
        self.assertEqual((second.imported_count, second.duplicate_count, second.skipped_count), (0, 2, 0))
        self.assertEqual(self.posts(), posts)

    def test_post_received_by_mail_is_not_imported_again(self):
        message_id = self.post_raw(self.group_public, 'cathy@customer.example.com', subject='Live post')
        job = self.import_mbox(mbox([raw_mail('cathy@customer.example.com', 'x@example.com', 'Live post',
                                              message_id=message_id)]))
        self.assertEqual((job.imported_count, job.duplicate_count), (0, 1))
        self.assertEqual(len(self.post(message_id)), 1)

    def test_malformed_messages_are_reported_and_skipped(self):
        good = [make_msgid() for _i in range(2)]
        data = mbox([
            raw_mail('a@old-list.example.com', 'l@example.com', 'Good 1', message_id=good[0]),
            b'this is not an email at all\nnot even a header\n',
            b'Subject: nobody wrote this\nMessage-ID: <nobody@example.com>\n\nno From\n',
            raw_mail('b@old-list.example.com', 'l@example.com', 'Good 2', message_id=good[1]),
        ])
        job = self.import_mbox(data)
        self.assertEqual((job.imported_count, job.skipped_count), (2, 2))
        self.assertEqual(self.posts().mapped('subject'), ['Good 2', 'Good 1'])
        self.assertRegex(job.report, r'Message 2 \(byte \d+\): no header section')
        self.assertRegex(job.report, r'Message 3 \(byte \d+\): no sender address')

    def test_hostile_input_is_cleaned_or_skipped(self):
        overlong = '<%s@example.com>' % ('x' * 2000)
        hostile = (b'From: =?x-unknown?q?M=E9chant?= <bad@old-list.example.com>\n'
                   b'Subject: Two =?utf-8?q?lines=0D=0Ahere?=\x07\nMessage-ID: ' + overlong.encode() + b'\n'
                   b'Content-Type: text/plain; charset=x-unknown\n\nBody \xff\xfe\x00 end\n')
        job = self.import_mbox(mbox([hostile]))
        self.assertEqual((job.imported_count, job.skipped_count), (1, 0))
        post = self.posts()
        self.assertEqual(post.subject, 'Two lines here', 'one line, no control characters')
        self.assertTrue(post.mail_message_id.message_id.endswith('@overlong-message-id.invalid>'))
        self.assertIn('Body', post.body)
        binary = self.import_mbox(b'\x89PNG\r\n\x1a\n' + bytes(range(256)) * 40, group=self.group_moderated)
        self.assertEqual((binary.state, binary.imported_count, binary.skipped_count), ('done', 0, 1))

    def test_too_large_message_is_skipped_without_loading_it(self):
        small = raw_mail('a@old-list.example.com', 'l@example.com', 'Small')
        big = raw_mail('b@old-list.example.com', 'l@example.com', 'Big', 'x' * 5000)
        with patch('odoo.addons.website_mail_group.inbound.mbox.MAX_MESSAGE_SIZE', 2000):
            job = self.import_mbox(mbox([small, big, raw_mail('c@old-list.example.com', 'l@example.com', 'Third')]))
        self.assertEqual((job.imported_count, job.skipped_count), (2, 1))
        self.assertRegex(job.report, r'Message 2 \(byte \d+\): larger than 0 MB')
        self.assertEqual(self.posts().mapped('subject'), ['Third', 'Small'])

    def test_batches_through_the_cron_thread_replies_that_come_first(self):
        root_id, reply_id = make_msgid(), make_msgid()
        data = mbox([
            raw_mail('r@old-list.example.com', 'l@example.com', 'Re: Topic', message_id=reply_id,
                     date=rfc2822_date(hours_ago=OLD - 1), headers={'References': f'<unknown@x> {root_id}'}),
            raw_mail('m@old-list.example.com', 'l@example.com', 'Middle', date=rfc2822_date(hours_ago=OLD)),
            raw_mail('t@old-list.example.com', 'l@example.com', 'Topic', message_id=root_id,
                     date=rfc2822_date(hours_ago=OLD)),
        ], dialect='public-inbox')
        cron = self.env.ref('website_mail_group.ir_cron_mail_group_archive_import')
        Trigger = self.env['ir.cron.trigger'].sudo()
        Trigger.search([('cron_id', '=', cron.id)]).unlink()
        with patch(f'{WIZARD}.BATCH_SIZE', 1):
            job = self.import_mbox(data)
            self.assertEqual((job.state, job.imported_count), ('running', 1), 'one batch in the request')
            self.assertTrue(Trigger.search([('cron_id', '=', cron.id)]), 'the rest is queued for the cron')
            self.assertIn('Imported 1 of ~3 messages', job.summary)
            self.assertTrue(0 < job.progress < 100)
            self.env['mail.group.archive.import']._cron_import_archives()
        self.assertEqual((job.state, job.imported_count, job.progress), ('done', 3, 100.0))
        self.assertEqual(self.post(reply_id).group_message_parent_id, self.post(root_id),
                         'a reply imported before its parent is threaded at the end')

    def test_imported_posts_are_in_no_digest(self):
        member = self.env['mail.group.member'].sudo().search(
            [('mail_group_id', '=', self.group_public.id), ('email', 'ilike', 'plain@')])
        member.delivery_mode = 'daily'
        self.import_mbox(mbox([raw_mail('a@old-list.example.com', 'l@example.com', 'Recent',
                                        date=rfc2822_date(hours_ago=2))]))
        with self.mock_mail_gateway():
            self.group_public._send_digest('daily')
        self.assertFalse(self._new_mails)


class TestArchiveImportSmtp(SmtpListCase):
    DOMAIN = 'import.example.com'
    LIST = ('Imported', 'imported')
    MEMBERS = ('one@member.example.com', 'two@member.example.com')

    def test_nothing_reaches_smtp(self):
        data = mbox([raw_mail(f'p{index}@old-list.example.com', 'l@example.com', f'Post {index}')
                     for index in range(3)])
        with SmtpSink(self.mail_server.smtp_port) as sink:
            job = self.env['mail.group.archive.import'].create({
                'mail_group_id': self.group.id, 'file': base64.b64encode(data), 'filename': 'a.mbox'})
            job.action_import()
            self.run_queue()
            self.env['mail.group']._cron_send_digests()
            self.run_queue()
        self.assertEqual(job.imported_count, 3)
        self.assertEqual(sink.messages, [])
