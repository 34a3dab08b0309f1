"""Citing a post: its page by Message-ID, and the Archived-At header
(RFC 5064) of every copy members receive."""
from email.utils import make_msgid
from urllib.parse import quote, urlparse

from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from .common import SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestPermalinks(WebsiteMailGroupCase):

    def permalink(self, group, post, **params):
        message_id = post.mail_message_id.message_id.strip('<>')
        query = '&'.join(f'{key}={value}' for key, value in params.items())
        return f"/groups/{group.id}/message-id/{quote(message_id, safe='@/')}" + (f'?{query}' if query else '')

    def opens(self, path):
        response = self.url_open(path, allow_redirects=False)
        self.assertEqual(response.status_code, 302, path)
        return urlparse(response.headers['Location'])

    def test_permalink_opens_the_accepted_post(self):
        self.msg_root.mail_message_id.message_id = '<release/2.0+rc1@kernel.example.org>'
        location = self.opens(self.permalink(self.group_public, self.msg_root))
        self.assertEqual(location.path, f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}')
        _response, tree = self.get_page(location.path)
        self.assertEqual(self.texts(tree, '//h1[contains(@class, "o_mg_subject")]'), ['Kernel release'])
        # with its angle brackets, percent-encoded, as copied from a header
        self.opens(f'/groups/{self.group_public.id}/message-id/%3Crelease/2.0+rc1@kernel.example.org%3E')

    def test_posts_not_shown_are_not_found(self):
        """Waiting, rejected, unknown, of another group, or of a group the
        visitor may not read: the same 404."""
        for post in (self.msg_reply_pending, self.msg_reply_rejected, self.msg_pending):
            self.get_page(self.permalink(self.group_public, post), 404)
        self.get_page(f'/groups/{self.group_public.id}/message-id/unknown@example.org', 404)
        self.get_page(f"/groups/{self.group_public.id}/message-id/{'x' * 2000}", 404)
        self.get_page(self.permalink(self.group_public, self.msg_secret), 404)
        for group, post in ((self.group_members, self.msg_secret), (self.group_users, self.msg_staff)):
            self.get_page(self.permalink(group, post), 404)
        self.get_page(self.permalink(self.group_members, self.msg_secret, group_access_token='forged'), 404)

        token = self.group_members._generate_group_access_token()
        location = self.opens(self.permalink(self.group_members, self.msg_secret, group_access_token=token))
        self.assertEqual(location.path, f'/groups/{slug(self.group_members)}/{slug(self.msg_secret)}')
        self.assertEqual(location.query, f'group_access_token={token}')
        self.authenticate('wmg_portal', 'wmg_portal')
        self.opens(self.permalink(self.group_members, self.msg_secret))
        self.authenticate('wmg_portal2', 'wmg_portal2')
        self.get_page(self.permalink(self.group_members, self.msg_secret), 404)

    def test_archived_at_url_opens_the_post(self):
        """The URL the Archived-At header gives (group and post ids) leads to the post."""
        response = self.url_open(f'/groups/{self.group_public.id}/{self.msg_root.id}')
        self.assertEqual(urlparse(response.url).path, f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}')


@tagged('post_install', '-at_install')
class TestArchivedAtOverSmtp(SmtpListCase):

    DOMAIN, LIST = 'lists.permalink.example.com', ('Permalinks', 'permalinks')
    MEMBERS = ['bob@members.example.com', 'carol@members.example.com']

    def test_every_copy_names_its_post_and_the_archive(self):
        message_id = make_msgid(domain='example.com')
        self.env['mail.thread'].message_process(None, raw_mail(
            'Alice <alice@example.com>', self.group.alias_email, 'Cite me', 'Hello', message_id=message_id))
        post = self.env['mail.group.message'].search([('mail_message_id.message_id', '=', message_id)])
        self.assertEqual(post.moderation_status, 'accepted')
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        base_url = self.group.get_base_url()
        received = {item['rcpt_tos'][0]: item['message'] for item in sink.messages}
        self.assertEqual(sorted(received), self.MEMBERS)
        for message in received.values():
            self.assertEqual(message['Archived-At'], f'<{base_url}/groups/{self.group.id}/{post.id}>')
            self.assertEqual(message['List-Archive'], f'<{base_url}/groups/{self.group.id}>')
