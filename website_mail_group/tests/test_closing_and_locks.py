"""Closing a list and locking a topic, as a member, a moderator and a
stranger notice them: through the real gateway, SMTP and the pages."""
import unittest
from email.utils import make_msgid

import lxml.html

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug
from odoo.addons.website_mail_group.inbound import rules

from .mails import raw_mail
from .test_subscription_policy import ACCESS_ERROR, USER_ERROR, PolicyCase


class TestClosingAndLockRules(unittest.TestCase):

    def decide(self, authenticated=True, **policy):
        return rules.decide(rules.Post(email_from='a@example.com', authenticated=authenticated),
                            rules.GroupPolicy(list_id='dev.example.com', loop_address='dev@example.com', **policy))

    def test_a_closed_list_refuses_everyone(self):
        closed = rules.Decision(rules.REJECT, 'closed')
        self.assertEqual(self.decide(closed=True), closed)
        self.assertEqual(self.decide(closed=True, author_is_moderator=True), closed)
        self.assertEqual(self.decide(closed=True, author_rule='allow', moderated=True), closed)

    def test_a_locked_topic_holds_or_refuses_replies_but_its_moderators(self):
        self.assertEqual(self.decide(topic_locked=True), rules.Decision(rules.HOLD, 'topic_locked'))
        self.assertEqual(self.decide(topic_locked=True, author_rule='allow').action, rules.HOLD,
                         'a whitelisted author does not pass a lock')
        self.assertEqual(self.decide(topic_locked=True, locked_topic_action=rules.REJECT),
                         rules.Decision(rules.REJECT, 'topic_locked'))
        self.assertEqual(self.decide(topic_locked=True, author_is_moderator=True).action, rules.ACCEPT)
        self.assertEqual(self.decide(topic_locked=True, author_is_moderator=True, authenticated=False,
                                     locked_topic_action=rules.REJECT).action, rules.HOLD,
                         'an unproven moderator is held, never refused')
        self.assertEqual(self.decide(topic_locked=True, moderated=True).reasons, ('topic_locked', 'moderated'))


class ListCase(PolicyCase):
    """The list with a member writing from the website and a thread."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['mail.group.member'].create({'mail_group_id': cls.group.id, 'partner_id': cls.portal.partner_id.id})
        cls.root_id = make_msgid(domain='members.example.com')
        cls.env['mail.thread'].message_process(None, raw_mail(
            'Old Member <old@members.example.com>', cls.group.alias_email, 'Release plan', 'Shall we ship?',
            message_id=cls.root_id))
        cls.root = cls.env['mail.group.message'].search([('mail_message_id.message_id', '=', cls.root_id)])

    def post_mail(self, email_from, subject='Hello', body='Hello everyone', reply_to=None):
        message_id = make_msgid(domain='members.example.com')
        headers = {'In-Reply-To': reply_to, 'References': reply_to} if reply_to else None
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw_mail(
                email_from, self.group.alias_email, subject, body, message_id=message_id, headers=headers))
        self.env.invalidate_all()
        return self.env['mail.group.message'].search([('mail_message_id.message_id', '=', message_id)])

    def page(self, url, expected_status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, expected_status, url)
        return lxml.html.fromstring(response.content)

    def text(self, tree):
        return ' '.join(tree.text_content().split())

    def thread_url(self, post=None):
        return f'/groups/{slug(self.group)}/{slug(post or self.root)}'

    def web_reply(self, post, body='From the web'):
        """A member's reply through the page's form (or a forged POST when
        the page has none)."""
        return self.url_open(f'{self.thread_url(post)}/reply', data={'csrf_token': self.csrf(), 'body': body})

    def csrf(self):
        """The session's CSRF token, from a page that has forms."""
        return self.page('/groups').xpath('//input[@name="csrf_token"]/@value')[0]


@tagged('post_install', '-at_install', 'website_mail_group')
class TestClosedList(ListCase):

    def setUp(self):
        super().setUp()
        self.run_queue()
        self.sink.messages.clear()

    def test_closed_list_refuses_posts_and_sends_nothing(self):
        self.group.with_user(self.moderator).action_close()
        self.assertTrue(self.group.closed)
        post = self.post_mail('Old Member <old@members.example.com>', 'Still there?')
        self.assertEqual((post.moderation_status, post.moderation_reason), ('rejected', 'closed'))
        self.assertEqual(post.moderation_reasons_display, 'List closed')
        told = self.sent_to('old@members.example.com')
        self.assertEqual([mail['Subject'] for mail in told], ['Your message to Policy List'],
                         'the author is told, and receives no copy')
        self.assertIn('this list is closed', self.body_text(told[0]))
        self.assertEqual(self.sent_to('pol_portal@people.example.com'), [], 'no copy to the members')
        # a moderator's post too; no digest either
        self.assertEqual(self.post_mail(self.moderator.email).moderation_status, 'rejected')
        member = self.group.member_ids.filtered(lambda m: m.email_normalized == 'pol_portal@people.example.com')
        member.delivery_mode = 'daily'
        self.group._send_digest('daily')
        self.assertEqual(self.sent_to('pol_portal@people.example.com'), [])
        # from the website: refused with the reason, and the forms are gone
        self.authenticate('pol_portal', 'pol_portal')
        response = self.web_reply(self.root)
        self.assertEqual(response.status_code, 403)
        self.assertIn('This list is closed', self.text(lxml.html.fromstring(response.content)))

        self.group.with_user(self.moderator).action_reopen()
        member.delivery_mode = 'every'
        self.sink.messages.clear()
        post = self.post_mail('Old Member <old@members.example.com>', 'Back again')
        self.assertEqual(post.moderation_status, 'accepted')
        self.assertEqual([mail['Subject'] for mail in self.sent_to('pol_portal@people.example.com')], ['Back again'],
                         'reopened: the members receive the posts again')
        self.assertEqual(len(self.group.member_ids), 2, 'members are kept')

    def test_copies_waiting_when_the_list_closes_wait_for_it_to_reopen(self):
        post = self.post_mail('Old Member <old@members.example.com>', 'Sent at closing time')
        self.assertEqual(post.moderation_status, 'accepted', 'queued, not yet sent')
        self.group.with_user(self.moderator).action_close()
        self.assertEqual(self.sent_to('pol_portal@people.example.com'), [], 'nothing sent while closed')
        self.group.with_user(self.moderator).action_reopen()
        self.assertEqual([mail['Subject'] for mail in self.sent_to('pol_portal@people.example.com')],
                         ['Sent at closing time'], 'sent once reopened')

    def test_a_visitor_and_a_member_see_a_closed_list(self):
        self.group.action_close()
        groups = self.page('/groups')
        card = groups.xpath(f'//div[@data-group-id="{self.group.id}"]')[0]
        self.assertEqual([node.text for node in card.xpath('.//span[contains(@class, "o_mg_closed_badge")]')],
                         ['Closed'])
        self.assertFalse(card.xpath('.//form[contains(@class, "o_mg_subscribe_form")]'), 'no subscribe form')
        archive = self.page(f'/groups/{slug(self.group)}')
        self.assertIn('Release plan', self.text(archive), 'the archive stays readable')
        self.assertIn('This list is closed', self.text(archive))
        self.assertFalse(archive.xpath('//input[@name="email"]'))
        thread = self.page(self.thread_url())
        self.assertIn('Shall we ship?', self.text(thread))
        self.assertFalse(thread.xpath('//a[contains(@class, "o_mg_reply_mailto")]'))
        self.assertEqual(self.subscribe_json('someone@example.com')['status'], 'refused')
        self.env['mail.thread'].message_process(None, raw_mail(
            'someone@example.com', f'policy+subscribe@{self.DOMAIN}', 'subscribe', '',
            message_id=make_msgid(domain='example.com')))
        self.assertEqual(self.sent_to('someone@example.com'), [], 'no confirmation mail')

        self.authenticate('pol_portal', 'pol_portal')
        archive = self.page(f'/groups/{slug(self.group)}')
        self.assertFalse(archive.xpath('//details[contains(@class, "o_mg_new_topic")]'), 'no New topic form')
        thread = self.page(self.thread_url())
        self.assertFalse(thread.xpath('//form[contains(@class, "o_mg_web_reply")]'), 'no reply form')
        self.assertTrue(thread.xpath('//div[contains(@class, "o_mg_closed_notice")]'))

        self.group.action_reopen()
        thread = self.page(self.thread_url())
        self.assertTrue(thread.xpath('//form[contains(@class, "o_mg_web_reply")]'), 'reopened: the form is back')

    def test_only_managers_close_and_reopen(self):
        self.assertRpcFault(ACCESS_ERROR, self.portal, 'mail.group', 'action_close', self.group.ids)
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group', 'action_close', self.group.ids)
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'partner_id': self.employee.partner_id.id})
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group', 'action_close', self.group.ids)
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group', 'write', self.group.ids, {'closed': True})
        self.env.invalidate_all()
        self.assertFalse(self.group.closed)
        self.rpc(self.moderator, 'mail.group', 'action_close', self.group.ids)
        self.env.invalidate_all()
        self.assertTrue(self.group.closed)
        self.assertRpcFault(ACCESS_ERROR, self.portal, 'mail.group', 'action_reopen', self.group.ids)
        fault = self.assertRpcFault(USER_ERROR, self.moderator, 'mail.group', 'message_post', self.group.ids)
        self.assertIn('This list is closed', fault)


@tagged('post_install', '-at_install', 'website_mail_group')
class TestLockedTopic(ListCase):

    def lock_from_page(self, lock=True):
        tree = self.page(self.thread_url())
        forms = tree.xpath('//form[contains(@class, "o_mg_lock_form")]')
        self.assertEqual(len(forms), 1, 'moderators get the lock button')
        data = {field.get('name'): field.get('value') for field in forms[0].xpath('.//input')}
        self.assertEqual(data['lock'], '1' if lock else '0')
        return self.url_open(forms[0].get('action'), data=data)

    def test_a_moderator_locks_on_the_thread_page_and_replies_are_held(self):
        reply = self.post_mail('Old Member <old@members.example.com>', 'Re: Release plan', reply_to=self.root_id)
        self.assertEqual(reply.moderation_status, 'accepted')
        self.authenticate('pol_moderator', 'pol_moderator')
        self.assertEqual(self.lock_from_page().status_code, 200)
        self.env.invalidate_all()
        self.assertTrue(self.root.topic_locked)
        self.assertTrue(reply.thread_locked, 'the whole thread is locked')

        self.run_queue()
        self.sink.messages.clear()
        held = self.post_mail('Old Member <old@members.example.com>', 'Re: Release plan',
                              reply_to=reply.mail_message_id.message_id)
        self.assertEqual((held.moderation_status, held.moderation_reason), ('pending_moderation', 'topic_locked'))
        self.assertEqual(held.moderation_reasons_display, 'Topic locked')
        alert = [mail for mail in self.sent_to(self.moderator.email) if mail['Subject'].startswith('To review')]
        self.assertEqual(len(alert), 1)
        self.assertIn('Topic locked', self.body_text(alert[0]), 'the moderators read why')
        self.assertEqual(self.sent_to('pol_portal@people.example.com'), [], 'nothing reached the members')
        # a new topic is not locked
        self.assertEqual(self.post_mail('Old Member <old@members.example.com>', 'Another topic').moderation_status,
                         'accepted')

        self.authenticate('pol_portal', 'pol_portal')
        for url in (self.thread_url(), self.thread_url(reply)):
            page = self.page(url)
            self.assertIn('This topic is locked', self.text(page), url)
            self.assertFalse(page.xpath('//form[contains(@class, "o_mg_web_reply")]'), url)
            self.assertFalse(page.xpath('//form[contains(@class, "o_mg_reply_to_form")]'), url)
            self.assertFalse(page.xpath('//form[contains(@class, "o_mg_lock_form")]'), 'members cannot lock')
        response = self.web_reply(reply)
        self.assertIn('This topic is locked', self.text(lxml.html.fromstring(response.content)))

        self.authenticate('pol_moderator', 'pol_moderator')
        self.lock_from_page(lock=False)
        self.env.invalidate_all()
        self.assertFalse(reply.thread_locked)
        self.assertEqual(self.post_mail('Old Member <old@members.example.com>', 'Re: Release plan',
                                        reply_to=self.root_id).moderation_status, 'accepted')
        self.authenticate('pol_portal', 'pol_portal')
        self.assertTrue(self.page(self.thread_url()).xpath('//form[contains(@class, "o_mg_web_reply")]'))

    def test_replies_refused_when_the_group_says_so(self):
        self.group.locked_topic_action = 'reject'
        self.root.with_user(self.moderator).action_lock_topic()
        self.run_queue()
        self.sink.messages.clear()
        refused = self.post_mail('Old Member <old@members.example.com>', 'Re: Release plan', reply_to=self.root_id)
        self.assertEqual((refused.moderation_status, refused.moderation_reason), ('rejected', 'topic_locked'))
        told = self.sent_to('old@members.example.com')
        self.assertEqual(len(told), 1)
        self.assertIn('the topic you replied to is locked', self.body_text(told[0]))
        # the moderator may still answer
        answer = self.post_mail(f'Mona <{self.moderator.email}>', 'Re: Release plan', reply_to=self.root_id)
        self.assertEqual(answer.moderation_status, 'accepted')

    def test_portal_users_and_members_cannot_lock(self):
        self.authenticate('pol_portal', 'pol_portal')
        self.assertFalse(self.page(self.thread_url()).xpath('//form[contains(@class, "o_mg_lock_form")]'))
        with mute_logger('odoo.http'):
            response = self.url_open(f'{self.thread_url()}/lock', data={'csrf_token': self.csrf(), 'lock': '1'})
        self.assertEqual(response.status_code, 403)
        self.assertRpcFault(ACCESS_ERROR, self.portal, 'mail.group.message', 'action_lock_topic', self.root.ids)
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group.message', 'action_lock_topic', self.root.ids)
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group.message', 'write', self.root.ids,
                            {'topic_locked': True})
        self.env.invalidate_all()
        self.assertFalse(self.root.topic_locked)
        # without the CSRF token, even a moderator's POST is refused
        self.authenticate('pol_moderator', 'pol_moderator')
        with mute_logger('odoo.http'):
            response = self.url_open(f'{self.thread_url()}/lock', data={'lock': '1'})
        self.assertEqual(response.status_code, 400)
        self.env.invalidate_all()
        self.assertFalse(self.root.topic_locked)
