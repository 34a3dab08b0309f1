"""Everyday use, as moderators and readers notice it: the review list and
its bulk actions, the next post to review, every hold reason, whole threads
on the website, threads by latest activity."""
import re
from datetime import timedelta
from unittest.mock import patch

import lxml.html

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.http_routing.models.ir_http import slug

from ..inbound import rules
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestModerationEveryday(WebsiteMailGroupCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_moderated = cls.env['mail.group'].create({
            'name': 'Reviewed List', 'alias_name': 'wmg-reviewed', 'moderation': True,
            'moderator_ids': [(4, cls.user_moderator.id)], 'nonmember_action': 'hold',
        })
        cls.group_moderated.member_ids = [(0, 0, {'email': 'reader@example.com'})]

    def held(self, subject, body='<p>Please publish this.</p>', days=1, group=None):
        return self._post(group or self.group_moderated, subject, body, status='pending_moderation', days=days,
                          email_from='Bob Builder <bob@example.org>')

    def as_moderator(self, records):
        return records.with_user(self.user_moderator)

    def test_rules_report_every_hold_reason_without_changing_the_decision(self):
        post = rules.Post(email_from='stranger@example.org', size=5000)
        policy = rules.GroupPolicy(moderated=True, author_is_member=False, nonmember_action=rules.HOLD, max_size=1000)
        self.assertEqual(rules.decide(post, policy), rules.Decision(rules.HOLD, 'too_large'))
        self.assertEqual(rules.hold_reasons(post, policy), ('too_large', 'non_member', 'moderated'))
        # a whitelisted author of a large post: only the size holds it
        allowed = rules.GroupPolicy(moderated=True, author_rule='allow', max_size=1000)
        self.assertEqual(rules.hold_reasons(post, allowed), ('too_large',))
        self.assertEqual(rules.hold_reasons(rules.Post(email_from='a@example.org'), rules.GroupPolicy()), ())

    def test_post_of_a_non_member_to_a_moderated_group_shows_both_reasons(self):
        message = self.group_moderated.with_context(mail_create_nolog=True).sudo().message_post(
            body='<p>Hello, I am not a member.</p>', subject='Stranger question',
            email_from='Stranger <stranger@example.org>')
        post = self.env['mail.group.message'].search([('mail_message_id', '=', message.id)])
        self.assertEqual(post.moderation_status, 'pending_moderation')
        self.assertEqual(post.moderation_reason, 'non_member', 'the deciding reason is unchanged')
        self.assertEqual(post.moderation_reasons_display, 'Non-member post, Moderated group')

    def test_review_list_preview(self):
        post = self.held('Preview me', '<p>First line of the post.</p><p>-- <br/>Bob, builder of things</p>')
        post = self.as_moderator(post)
        self.assertEqual(post.body_excerpt, 'First line of the post.', 'no signature in the preview')
        self.assertEqual(post.author_display, 'Bob Builder')
        arch = self.env['mail.group.message'].get_view(view_type='tree')['arch']
        for name in ('body_excerpt', 'author_display', 'moderation_reasons_display'):
            self.assertIn(f'name="{name}"', arch, f'{name} is a column of the review list')

    def test_bulk_accept_reject_discard(self):
        first, second, third, fourth = (self.held(f'Bulk {index}') for index in range(4))
        Message = self.env['mail.group.message']
        with self.assertRaises(AccessError):
            (first | second).with_user(self.user_employee).action_moderate_accept()
        self.as_moderator(first | second).action_moderate_accept()
        self.assertEqual((first | second).mapped('moderation_status'), ['accepted', 'accepted'])
        mails = self.env['mail.mail'].sudo().search([('email_to', '=', 'reader@example.com')])
        self.assertEqual(sorted(mails.mapped('subject')), ['Bulk 0', 'Bulk 1'])
        self.as_moderator(third).action_moderate_reject()
        self.assertEqual(third.moderation_status, 'rejected')
        self.as_moderator(fourth).action_moderate_discard()
        self.assertFalse(Message.search([('id', '=', fourth.id)]))
        arch = Message.get_view(view_type='tree')['arch']
        header = arch[arch.index('<header>'):arch.index('</header>')]
        for method in ('action_moderate_accept', 'action_moderate_reject', 'action_moderate_discard'):
            self.assertIn(f'name="{method}"', header, f'{method} acts on the selection')

    def test_acting_in_the_form_opens_the_next_pending_post(self):
        oldest, middle, newest = self.held('Oldest', days=3), self.held('Middle', days=2), self.held('Newest', days=1)
        other_group = self.held('Elsewhere', group=self.group_public, days=4)
        form = {'mail_group_next_pending': True}
        action = self.as_moderator(middle).with_context(**form).action_moderate_accept()
        self.assertEqual(action['params']['message'], '“Middle” accepted and sent to the members.')
        following = action['params']['next']
        self.assertEqual((following['res_model'], following['res_id']), ('mail.group.message', oldest.id),
                         'the next post waiting in the same group, oldest first')
        self.assertNotEqual(following['res_id'], other_group.id)
        action = self.as_moderator(oldest).with_context(**form).action_moderate_discard()
        self.assertEqual(action['params']['message'], '“Oldest” discarded.')
        self.assertEqual(action['params']['next']['res_id'], newest.id)
        wizard = self.env['mail.group.message.reject'].with_user(self.user_moderator).with_context(**form).create(
            {'mail_group_message_id': newest.id})
        action = wizard.action_reject_without_comment()
        self.assertEqual(action['params']['next'], {'type': 'ir.actions.act_window_close'})
        self.assertIn('Nothing left to review in Reviewed List', action['params']['message'])
        self.assertIs(self.as_moderator(self.held('Plain')).action_moderate_accept(), True,
                      'without the form flag the API answers as before')

    def test_list_buttons_say_what_was_done(self):
        """The list's buttons tell the moderator what happened, then reload the list."""
        first, second, third = self.held('Row one'), self.held('Row two'), self.held('Row three')
        listed = {'mail_group_notify': True}
        action = self.as_moderator(first).with_context(**listed).action_moderate_reject()
        self.assertEqual(action['params']['message'], '“Row one” rejected.')
        self.assertEqual(action['params']['next'], {'type': 'ir.actions.act_window_close'})
        action = self.as_moderator(second | third).with_context(**listed).action_moderate_accept()
        self.assertEqual(action['params']['message'], '2 posts accepted and sent to the members.')
        self.assertEqual((second | third).mapped('moderation_status'), ['accepted', 'accepted'])
        arch = self.env['mail.group.message'].get_view(view_type='tree')['arch']
        for button in re.findall(r'<button name="action_moderate[^>]*>', arch):
            self.assertIn('mail_group_notify', button)

    def test_review_list_shows_addresses_and_has_a_phone_view(self):
        """The To Review lists (menu, moderators' mails, the group's button)
        show each author's address, what a moderator whitelists or bans,
        and a card view that Odoo shows on phones, with every button."""
        tree = self.env.ref('website_mail_group.mail_group_message_view_tree_review')
        kanban = self.env.ref('website_mail_group.mail_group_message_view_kanban_review')
        for xmlid in ('mail_group_message_action_review', 'mail_group_message_action_to_review'):
            action = self.env.ref(f'website_mail_group.{xmlid}')
            self.assertEqual(action.view_ids.mapped('view_id'), tree | kanban)
            self.assertIn('kanban', action.view_mode.split(','))
            self.assertEqual(action.mobile_view_mode, 'kanban')
        arch = self.env['mail.group.message'].get_view(tree.id, 'tree')['arch']
        self.assertRegex(arch, r'<field name="email_from"[^>]*string="Author"')
        self.assertNotIn('name="moderation_status" widget="badge"', arch)
        arch = self.env['mail.group.message'].get_view(kanban.id, 'kanban')['arch']
        for method in ('action_moderate_accept', 'action_moderate_reject_open', 'action_moderate_discard',
                       'action_moderate_allow', 'action_moderate_ban_open'):
            self.assertIn(f'name="{method}"', arch)
        form = self.env['mail.group'].get_view(view_type='form')['arch']
        review = self.env.ref('website_mail_group.mail_group_message_action_review')
        self.assertIn(f'name="{review.id}"', form, "the group's To Review button opens the same list")

    def test_to_review_across_groups_menu_and_clickable_kanban_count(self):
        action = self.env.ref('website_mail_group.mail_group_message_action_review')
        menu = self.env.ref('website_mail_group.mail_group_menu_groups_review')
        self.assertEqual(menu.action, action)
        self.assertEqual(menu.parent_id, self.env.ref('website_mail_group.mail_group_menu_groups'))
        self.assertIn("'search_default_filter_pending': 1", action.context)
        for xmlid in ('mail_group_menu_config_lists', 'mail_group_menu_config_moderation', 'mail_group_menu_groups_lists'):
            self.assertTrue(self.env.ref(f'website_mail_group.{xmlid}').action, 'documented menus stay')
        kanban = self.env['mail.group'].get_view(view_type='kanban')['arch']
        self.assertRegex(kanban, r'<a[^>]*o_mg_review_count[^>]*|<a[^>]*type="action"[^>]*>\s*<t t-out="record.mail_group_message_moderation_count')
        self.assertIn('o_mg_review_count', kanban)

    def test_reject_dialog_buttons(self):
        arch = self.env['mail.group.message.reject'].get_view(view_type='form')['arch']
        self.assertNotIn('string="Discard"', arch, 'the cancel button is not named like a moderation action')
        self.assertIn('string="Cancel"', arch)
        wizard = self.env['mail.group.message.reject'].with_user(self.user_moderator).create(
            {'mail_group_message_id': self.held('Wizard').id})
        self.assertFalse(wizard.send_email)
        wizard.body = '<p>Off topic.</p>'
        self.assertTrue(wizard.send_email)
        self.assertRegex(arch, r'name="action_send_mail" string="Send &amp; Reject" type="object"\s+class="btn-primary"'
                               r' invisible="action != \'reject\' or not send_email"')
        self.assertRegex(arch, r'name="action_reject_without_comment" string="Reject Silently" type="object"\s+'
                               r'class="btn-primary" invisible="action != \'reject\' or send_email"')

    def test_group_form_notify_tab_says_whom_it_notifies(self):
        arch = self.env['mail.group'].get_view(view_type='form')['arch']
        self.assertIn('string="Notify Members"', arch, "the documented label stays")
        self.assertIn('authors of held posts', arch)



@tagged('post_install', '-at_install', 'website_mail_group')
class TestThreadsEveryday(WebsiteMailGroupCase):

    def thread_url(self, message, **params):
        query = '&'.join(f'{key}={value}' for key, value in params.items())
        return f'/groups/{slug(self.group_public)}/{slug(message)}' + (f'?{query}' if query else '')

    def reply_ids(self, tree, xpath='//*[contains(@class, "o_mg_thread")]//*[contains(concat(" ", @class, " "), " o_mg_reply ")]'):
        return [int(node.get('data-id')) for node in tree.xpath(xpath)]

    def test_thread_page_shows_the_whole_conversation_nested(self):
        attachment = self.env['ir.attachment'].create({'name': 'notes.txt', 'raw': b'notes', 'mimetype': 'text/plain'})
        nested = self._post(self.group_public, 'Re: Kernel release', '<p>Thanks Greg</p><script>alert(1)</script>',
                            parent=self.msg_reply, days=8, attachments=attachment, email_from='Linus <linus@example.org>')
        deeper = self._post(self.group_public, 'Re: Kernel release', '<p>You are welcome</p>', parent=nested, days=7)
        _response, tree = self.get_page(self.thread_url(self.msg_root))
        page = lxml.html.tostring(tree, encoding='unicode')
        for text in ('Congratulations to all!', 'Thanks Greg', 'You are welcome'):
            self.assertIn(text, page, 'every accepted reply is on the page, no click needed')
        self.assertNotIn('BUY CHEAP PILLS', page)
        self.assertNotIn('Rejected flame war', page)
        self.assertNotIn('alert(1)', page, 'each reply is sanitized')
        self.assertEqual(self.reply_ids(tree), [self.msg_reply.id, nested.id, deeper.id])
        self.assertTrue(tree.xpath(f'//*[@data-id="{self.msg_reply.id}"]//*[@data-id="{nested.id}"]//*[@data-id="{deeper.id}"]'),
                        'replies are nested under the post they answer')
        self.assertTrue(tree.xpath(f'//details[@data-id="{nested.id}"][@open]'), 'collapsible, open by default')
        self.assertTrue(tree.xpath(f'//*[@data-id="{nested.id}"]//a[contains(@class, "o_mg_attachment")][contains(., "notes.txt")]'))
        self.assertEqual(self.texts(tree, '//h2[contains(@class, "o_mg_reply_count")]'), ['3 replies'])

    def test_thread_page_queries_do_not_grow_with_replies(self):
        def count(url):
            self.url_open(url)  # warm the caches
            before = self.cr.sql_log_count
            self.url_open(url)
            return self.cr.sql_log_count - before

        self._post(self.group_public, 'Re: Conference next week', '<p>One answer</p>', parent=self.msg_second, days=1)
        parent = self.msg_reply
        for index in range(15):
            parent = self._post(self.group_public, f'Re: Kernel {index}', f'<p>Answer {index}</p>',
                                parent=parent if index % 2 else self.msg_root, days=5)
        count(self.thread_url(self.msg_second))
        self.assertEqual(count(self.thread_url(self.msg_root)), count(self.thread_url(self.msg_second)),
                         '16 replies or 1: one query for the tree, one batch for the posts')

    def test_very_large_thread_is_cut_with_a_more_link(self):
        replies = [self._post(self.group_public, f'Re: Conference {index}', f'<p>Answer {index}</p>',
                              parent=self.msg_second, days=1) for index in range(7)]
        with patch('odoo.addons.website_mail_group.controllers.thread.THREAD_STEP', 5):
            _response, tree = self.get_page(self.thread_url(self.msg_second))
            self.assertEqual(len(self.reply_ids(tree)), 5)
            more = tree.xpath('//a[contains(@class, "o_mg_thread_more")]/@href')
            self.assertEqual(len(more), 1)
            _response, tree = self.get_page(more[0])
            self.assertEqual(self.reply_ids(tree), [reply.id for reply in replies[5:]])
            self.assertIn('Answer 6', lxml.html.tostring(tree, encoding='unicode'))

    def test_threads_listed_by_latest_activity(self):
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        self.assertEqual(self.texts(tree, '//a[contains(@class, "o_mg_message_link")]'),
                         ['Conference next week', 'Kernel release'])
        revival = self._post(self.group_public, 'Re: Kernel release', '<p>Still relevant today</p>',
                             parent=self.msg_reply, days=0)
        self.assertEqual(self.msg_root.last_activity_date, revival.date)
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        self.assertEqual(self.texts(tree, '//a[contains(@class, "o_mg_message_link")]'),
                         ['Kernel release', 'Conference next week'], 'the revived thread comes first')
        kernel = tree.xpath(f'//li[@data-id="{self.msg_root.id}"]')[0]
        self.assertIn('2 replies', kernel.text_content())
        self.assertTrue(kernel.xpath('.//*[contains(@class, "o_mg_last_activity")]//time/@datetime'))
        # a held reply changes nothing until it is accepted
        held = self._post(self.group_public, 'Re: Conference next week', '<p>later</p>', parent=self.msg_second,
                          status='pending_moderation', days=0)
        self.assertEqual(self.msg_second.last_activity_date, self.msg_second.date)
        held.with_user(self.user_moderator).action_moderate_accept()
        self.assertEqual(self.msg_second.last_activity_date, held.date)

    def test_reply_page_links_to_the_thread_start(self):
        nested = self._post(self.group_public, 'Re: Re: Kernel release', '<p>Thanks Greg</p>', parent=self.msg_reply, days=8)
        _response, tree = self.get_page(self.thread_url(nested))
        self.assertEqual(tree.xpath('//a[contains(@class, "o_mg_thread_start")]/@href'), [self.thread_url(self.msg_root)])
        self.assertEqual(self.texts(tree, '//h1[contains(@class, "o_mg_subject")]'), ['Re: Kernel release'],
                         'repeated prefixes are not stacked')

    def test_small_things_of_the_archive(self):
        self.group_public.subject_prefix = '[OSS]'
        stacked = self._post(self.group_public, 'Re: [OSS] Re: [OSS] Conference next week',
                             '<p>I come. See <a href="https://example.com/x">the map</a>.</p><p>-- <br/>Ada, London</p>',
                             parent=self.msg_second, days=1, email_from='ada@example.org')
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}?mode=date')
        item = tree.xpath(f'//li[@data-id="{stacked.id}"]')[0]
        self.assertEqual(self.texts(item, './/a[contains(@class, "o_mg_message_link")]'), ['Re: Conference next week'])
        self.assertEqual(self.texts(item, './/*[contains(@class, "o_mg_author")]'), ['ada'],
                         'no name: the local part, never the address')
        self.assertEqual(self.texts(item, './/*[contains(@class, "o_mg_excerpt")]'), ['I come. See the map.'],
                         'no signature, no link notes')
        self.assertEqual(self.texts(tree, '//*[contains(@class, "o_mg_message_total")]'), ['4 messages'])
        # the month filter survives switching modes; the heading names the month
        month = self.msg_second.date.date().replace(day=1)
        end = (month + timedelta(days=32)).replace(day=1)
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}?date_begin={month}&date_end={end}')
        self.assertIn(f'date_begin={month}', tree.xpath('//a[contains(@class, "o_mg_mode_date")]/@href')[0])
        heading = self.texts(tree, '//*[contains(@class, "o_mg_month_heading")]')
        self.assertEqual(len(heading), 1)
        self.assertIn(str(month.year), heading[0])
        # on a phone (one column, the document's order): the membership box,
        # then the threads, then the archive months (test_accessibility measures it)
        layout = tree.xpath('//*[contains(@class, "o_mg_archive_layout")]')[0]
        self.assertEqual([child.get('class').split()[-1] for child in layout], [
            'o_mg_archive_membership', 'o_mg_archive_main', 'o_mg_archive_side'])
        # dates carry UTC for the visitor's browser to show in its time zone
        self.assertTrue(tree.xpath('//time[contains(@class, "o_mg_local_time")][@datetime]'))
        # Newer / Older on the message page
        _response, tree = self.get_page(self.thread_url(self.msg_root))
        self.assertIn('Newer', self.texts(tree, '//a[contains(@class, "o_mg_prev")]')[0])
        _response, tree = self.get_page(self.thread_url(self.msg_second))
        self.assertIn('Older', self.texts(tree, '//a[contains(@class, "o_mg_next")]')[0])

    def test_singular_and_plural_counts(self):
        self.group_public.member_ids.filtered(lambda member: member.email == 'second@member.example.com').unlink()
        _response, tree = self.get_page('/groups')
        card = tree.xpath(f'//*[@data-group-id="{self.group_public.id}"][contains(@class, "o_mg_group_card")]')[0]
        self.assertEqual(self.texts(card, './/*[contains(@class, "o_mg_member_count")]'), ['1 member'])
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}?mode=date&date_begin='
                                        f'{self.msg_second.date.date()}&date_end={self.msg_second.date.date() + timedelta(days=1)}')
        self.assertEqual(self.texts(tree, '//*[contains(@class, "o_mg_message_total")]'), ['1 message'])
