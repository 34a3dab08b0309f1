"""mbox downloads: the archive, a month, a thread, as mail clients read
them (Python's mailbox), for whoever may read the archive."""
import email
import email.policy
import gzip
import mailbox
import os
import tempfile
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestArchiveMbox(WebsiteMailGroupCase):

    def download(self, url, expected_status=200, **headers):
        response = self.url_open(url, headers=headers or None)
        self.assertEqual(response.status_code, expected_status, f'{url} answered {response.status_code}')
        return response

    def read_mbox(self, data):
        """The messages Python's mailbox.mbox reads from ``data``."""
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, 'archive.mbox')
            with open(path, 'wb') as f:
                f.write(data)
            box = mailbox.mbox(path, create=False)
            try:
                return [box.get_message(key) for key in box.keys()]
            finally:
                box.close()

    def test_whole_archive_in_mboxrd(self):
        self.msg_second.mail_message_id.body = '<p>From here on, I disagree.</p><p>&gt;From a quote</p>'
        attachment = self.env['ir.attachment'].create({'name': 'notes.txt', 'raw': b'release notes\n'})
        with_file = self._post(self.group_public, 'Slides', '<p>Attached</p>', days=1, attachments=attachment)
        url = f'/groups/{slug(self.group_public)}/mbox'
        response = self.download(url, **{'Accept-Encoding': 'identity'})
        self.assertEqual(response.headers['Content-Type'], 'application/mbox')
        self.assertNotIn('Content-Encoding', response.headers)
        self.assertNotIn('Content-Length', response.headers, 'streamed: its size is not known beforehand')
        self.assertEqual(response.headers['Content-Disposition'],
                         f"attachment; filename*=UTF-8''{slug(self.group_public)}.mbox")
        self.assertIn(b'\n>From here on', response.content, 'mboxrd: a "From " line is quoted')
        self.assertIn(b'\n>>From a quote', response.content, 'mboxrd: a ">From " line gets one more ">"')

        messages = self.read_mbox(response.content)
        self.assertEqual([message['Subject'] for message in messages],
                         ['Kernel release', 'Re: Kernel release', 'Conference next week', 'Slides'],
                         'accepted posts only, oldest first')
        root, reply, second, slides = messages
        root_id = self.msg_root.mail_message_id.message_id
        self.assertEqual(root['Message-ID'], root_id)
        self.assertEqual((reply['In-Reply-To'], reply['References']), (root_id, root_id))
        self.assertIsNone(root['In-Reply-To'])
        self.assertEqual(root['From'], f'Linus <{self.group_public.alias_email}>', 'the name, not the address')
        self.assertNotIn(b'linus@example.org', response.content)
        self.assertTrue(root['Date'])
        self.assertIn('The new kernel is out.', root.get_payload(0).get_payload(decode=True).decode())
        self.assertEqual(slides.get_content_type(), 'multipart/mixed')
        files = [part for part in slides.walk() if part.get_filename()]
        self.assertEqual([(part.get_filename(), part.get_payload(decode=True)) for part in files],
                         [('notes.txt', b'release notes\n')])
        self.assertTrue(with_file.attachment_ids)

        # a client accepting gzip gets the same mbox compressed
        compressed = self.download(url)
        self.assertEqual(compressed.headers.get('Content-Encoding'), 'gzip')
        self.assertEqual([m['Message-ID'] for m in self.read_mbox(compressed.content)],
                         [m['Message-ID'] for m in messages])
        # ?gzip=1: a .mbox.gz file
        archive = self.download(f'{url}?gzip=1', **{'Accept-Encoding': 'identity'})
        self.assertEqual(archive.headers['Content-Type'], 'application/gzip')
        self.assertIn('.mbox.gz', archive.headers['Content-Disposition'])
        self.assertEqual([m['Message-ID'] for m in self.read_mbox(gzip.decompress(archive.content))],
                         [m['Message-ID'] for m in messages])

    def test_streamed_in_batches(self):
        """Posts are read BATCH at a time (fewer past BATCH_BYTES), after the
        last one read: same dates and batch boundaries lose and repeat nothing."""
        date = fields.Datetime.now() - timedelta(days=40)
        for index in range(5):
            post = self._post(self.group_public, f'Same second {index}', '<p>x</p>')
            post.mail_message_id.date = date
        for patched, value in (('BATCH', 2), ('BATCH_BYTES', 1)):
            with patch(f'odoo.addons.website_mail_group.controllers.mbox.{patched}', value):
                messages = self.read_mbox(self.download(f'/groups/{slug(self.group_public)}/mbox').content)
            self.assertEqual([message['Subject'] for message in messages][:5], [f'Same second {i}' for i in range(5)])
            self.assertEqual(len(messages), 8)

    def test_month_and_thread(self):
        old = self._post(self.group_public, 'An old story', '<p>Long ago</p>', days=70)
        month = old.date.strftime('%Y-%m')
        response = self.download(f'/groups/{slug(self.group_public)}/mbox?month={month}')
        self.assertIn(f'{slug(self.group_public)}-{month}.mbox', response.headers['Content-Disposition'])
        self.assertEqual([message['Subject'] for message in self.read_mbox(response.content)], ['An old story'])

        nested = self._post(self.group_public, 'Re: Kernel release', '<p>Thanks Greg</p>', parent=self.msg_reply,
                            days=8)
        response = self.download(f'/groups/{slug(self.group_public)}/{slug(nested)}/mbox')
        self.assertIn(f'{slug(self.group_public)}-{slug(self.msg_root)}.mbox', response.headers['Content-Disposition'])
        messages = self.read_mbox(response.content)
        self.assertEqual([message['Message-ID'] for message in messages],
                         [post.mail_message_id.message_id for post in (self.msg_root, self.msg_reply, nested)],
                         'the whole thread from any of its posts, without its pending and rejected replies')
        self.assertEqual(messages[2]['In-Reply-To'], self.msg_reply.mail_message_id.message_id)

    def test_malformed_month_is_a_page(self):
        for month in ('2024-13', '2024-00', 'abc', '99999-01', '2024-1', '0000-01', '2024-01%0A'):
            response = self.download(f'/groups/{slug(self.group_public)}/mbox?month={month}', 400)
            self.assertIn('Invalid month', response.text)

    def test_hostile_headers_stay_in_their_header(self):
        post = self._post(self.group_public, 'Hello\r\nBcc: victim@example.com', '<p>body</p>',
                          email_from='"Eve\r\nX-Evil: 1" <eve@example.org>')
        post.mail_message_id.message_id = '<a b>\r\nX-Injected: 1'
        messages = self.read_mbox(self.download(f'/groups/{slug(self.group_public)}/mbox').content)
        last = messages[-1]
        self.assertEqual(last['Subject'], 'Hello Bcc: victim@example.com')
        self.assertIsNone(last['Bcc'])
        self.assertIsNone(last['X-Evil'])
        self.assertIsNone(last['X-Injected'])
        self.assertIsNone(last['Message-ID'], 'a malformed Message-ID is left out')

    def test_non_ascii_survives(self):
        attachment = self.env['ir.attachment'].create({'name': 'résumé "final".pdf', 'raw': b'%PDF-1.4 \xff',
                                                       'mimetype': 'application/pdf'})
        self._post(self.group_public, 'Café ☕ à Zürich', '<p>Grüße aus Köln — 東京</p>',
                   email_from='Zoë Ünal <zoe@example.org>', attachments=attachment)
        data = self.download(f'/groups/{slug(self.group_public)}/mbox').content
        last = email.message_from_bytes(bytes(self.read_mbox(data)[-1]), policy=email.policy.default)
        self.assertEqual(last['Subject'], 'Café ☕ à Zürich')
        self.assertEqual(last['From'].addresses[0].display_name, 'Zoë Ünal')
        self.assertEqual(last.get_body(('plain',)).get_content().strip(), 'Grüße aus Köln — 東京')
        self.assertIn('<p>Grüße aus Köln — 東京</p>', last.get_body(('html',)).get_content())
        files = list(last.iter_attachments())
        self.assertEqual([(part.get_filename(), part.get_content_type(), part.get_content()) for part in files],
                         [('résumé "final".pdf', 'application/pdf', b'%PDF-1.4 \xff')])

    def test_mbox_access_is_the_archive_access(self):
        public = slug(self.group_public)
        self.download(f'/groups/{public}/{slug(self.msg_pending)}/mbox', 404)
        self.download(f'/groups/{public}/{slug(self.msg_reply_rejected)}/mbox', 404)
        secret = slug(self.group_members)
        for url in (f'/groups/{secret}/mbox', f'/groups/{secret}/{slug(self.msg_secret)}/mbox',
                    f'/groups/{slug(self.group_users)}/mbox', f'/groups/{secret}/mbox?group_access_token=forged'):
            self.download(url, 404)
        self.authenticate('wmg_portal2', 'wmg_portal2')
        self.download(f'/groups/{secret}/mbox', 404)

        self.authenticate('wmg_portal', 'wmg_portal')
        messages = self.read_mbox(self.download(f'/groups/{secret}/mbox').content)
        self.assertEqual([message['Subject'] for message in messages], ['Secret plans'])

        self.authenticate(None, None)
        token = self.group_members._generate_group_access_token()
        messages = self.read_mbox(self.download(f'/groups/{secret}/mbox?group_access_token={token}').content)
        self.assertEqual([message['Subject'] for message in messages], ['Secret plans'])
