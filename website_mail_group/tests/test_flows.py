"""Whole paths as a user lives them: the demo pages, a mail thread from the
gateway to the archive, email commands sent to groups that take none, and
the cost of queueing a post."""
import base64
from email.utils import make_msgid

import lxml.html

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug

from .common import MailGroupCommon
from .mails import raw_mail, rfc2822_date


@tagged('post_install', '-at_install', 'website_mail_group')
class TestDemoAndArchiveFlows(HttpCase):

    def page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return lxml.html.fromstring(response.content)

    @staticmethod
    def texts(tree, css_class):
        return [' '.join(node.text_content().split()) for node in
                tree.xpath(f'.//*[contains(concat(" ", @class, " "), " {css_class} ")]')]

    def test_demo_pages_for_a_visitor(self):
        developers = self.env.ref('website_mail_group.group_developers')
        release = self.env.ref('website_mail_group.gmsg_dev_release')
        groups = self.page('/groups')
        names = self.texts(groups, 'o_mg_group_name')
        self.assertIn('Developers', names)
        self.assertIn('Community', names)
        self.assertNotIn('Staff Announcements', names, 'an employees-only group stays hidden from visitors')
        archive = self.page(f'/groups/{slug(developers)}')
        self.assertEqual(self.texts(archive, 'o_mg_group_title'), ['Developers'])
        self.assertIn('Release 2.0 planning', self.texts(archive, 'o_mg_message_link'))
        post = self.page(f'/groups/{slug(developers)}/{slug(release)}')
        self.assertEqual(self.texts(post, 'o_mg_subject'), ['Release 2.0 planning'])
        self.assertIn('Release 2.0 is planned for the end of the month.', post.text_content())
        pending = self.env.ref('website_mail_group.gmsg_community_pending')
        self.assertEqual(pending.moderation_reasons_display, 'Non-member post, Moderated group',
                         'the held demo post says why it waits')
        self.assertEqual(self.url_open(f'/groups/{slug(pending.mail_group_id)}/{slug(pending)}').status_code, 404,
                         'the pending demo post is not public')

    @mute_logger('odoo.addons.mail.models.mail_thread')
    def test_threaded_reply_with_attachment_from_gateway_to_archive(self):
        group = self.env.ref('website_mail_group.group_developers')
        root_id, reply_id = make_msgid(domain='flows.example.com'), make_msgid(domain='flows.example.com')
        self.env['mail.thread'].message_process(None, raw_mail(
            'Tess Tester <tess@flows.example.com>', group.alias_email, 'Flows thread', 'Where are the minutes?',
            message_id=root_id, date=rfc2822_date(hours_ago=2), content_type='text/plain'))
        content = b'minutes of the meeting\r\n'
        self.env['mail.thread'].message_process(None, raw_mail(
            'Bob Builder <bob@flows.example.com>', group.alias_email, 'Re: Flows thread', message_id=reply_id,
            date=rfc2822_date(hours_ago=1), headers={'In-Reply-To': root_id, 'References': root_id},
            content_type='multipart/mixed; boundary="B"', body=(
            '--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere they are.\r\n'
            '--B\r\nContent-Type: text/plain; name="minutes.txt"\r\nContent-Disposition: attachment; filename="minutes.txt"\r\n'
            f'Content-Transfer-Encoding: base64\r\n\r\n{base64.b64encode(content).decode()}\r\n--B--\r\n')))
        Message = self.env['mail.group.message']
        root = Message.search([('mail_message_id.message_id', '=', root_id)])
        reply = Message.search([('mail_message_id.message_id', '=', reply_id)])
        self.assertEqual(reply.group_message_parent_id, root)

        archive = self.page(f'/groups/{slug(group)}')
        item = archive.xpath(f'//li[@data-id="{root.id}"]')
        self.assertEqual(len(item), 1, 'the thread is listed')
        self.assertEqual(self.texts(item[0], 'o_mg_reply_count'), ['1 reply'])
        self.assertNotIn(str(reply.id), archive.xpath('//li[contains(@class, "o_mg_message_item")]/@data-id'),
                         'a reply is listed inside its thread, not on its own')

        reply_page = self.page(f'/groups/{slug(group)}/{slug(reply)}')
        self.assertIn('Here they are.', reply_page.text_content())
        links = reply_page.xpath('//a[contains(@class, "o_mg_attachment")]')
        self.assertEqual([link.get('title') for link in links], ['minutes.txt'])
        download = self.url_open(links[0].get('href'))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, content)
        root_page = self.page(f'/groups/{slug(group)}/{slug(root)}')
        self.assertEqual(self.texts(root_page, 'o_mg_reply_count'), ['1 reply'])


@tagged('post_install', '-at_install', 'mail_gateway')
class TestCommandsToGroupsWithoutThem(MailGroupCommon):
    """Commands are for public groups: a user-group or an archived group
    answers nothing, stores nothing and changes nobody's membership."""

    def test_commands_to_user_group_and_archived_group(self):
        archived = self.group_public
        archived.active = False
        for group, alias in ((self.group_users, 'employees-only'), (archived, 'public-list')):
            for command in ('subscribe', 'join', 'unsubscribe', 'leave'):
                sender = f'{alias}-{command}@outside.example.org'
                with self.mock_mail_gateway():
                    self.post_raw(group, sender, subject=command, to=f'{alias}+{command}@{self.alias_domain}')
                self.assertFalse(self._mails, f'{alias}+{command}: nothing is sent, not even a bounce')
                self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', sender)]))
                self.assertFalse(group._find_member(sender), f'{alias}+{command}: nobody joins')
            self.assertFalse(self.env['mail.group.message'].with_context(active_test=False).search(
                [('mail_group_id', '=', group.id)]), f'{alias}: nothing posted')
        self.assertEqual(len(archived.member_ids), 3, 'members of the archived group stay')


@tagged('post_install', '-at_install')
class TestFanOutCost(MailGroupCommon):

    def queries_to_notify(self, member_count, index):
        group = self.env['mail.group'].create({'name': f'Cost {index}', 'alias_name': f'cost-{index}'})
        self.env['mail.group.member'].create([
            {'mail_group_id': group.id, 'email': f'member{n}@cost{index}.example.com'} for n in range(member_count)])
        post = self.env['mail.group.message'].browse(group.message_post(
            body='<p>Cost</p>', subject='Cost', email_from='author@example.com',
            message_id=make_msgid(domain='cost.example.com')).mail_group_message_ids.ids)
        self.env['mail.mail'].sudo().search([('mail_message_id', '=', post.mail_message_id.id)]).unlink()
        self.env.flush_all()
        self.env.invalidate_all()
        # mail.mail.default_get() makes an environment of its own, whose company is read
        # again or not as the garbage collector pleases: have the user's company in cache
        self.env.user.company_id  # noqa: B018
        before = self.env.cr.sql_log_count
        group._notify_members(post)
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - before
        self.assertEqual(self.env['mail.mail'].sudo().search_count([('mail_message_id', '=', post.mail_message_id.id)]),
                         member_count, 'every member gets a copy')
        return queries

    def test_notify_members_queries_do_not_grow_with_members(self):
        self.queries_to_notify(5, 'warm')  # templates compiled, caches filled
        self.assertEqual(self.queries_to_notify(40, 'n'), self.queries_to_notify(80, '2n'))
