"""Moderating from the inbox: the signed Accept / Reject / Discard /
Whitelist / Ban links of the moderators' alerts and reminders, opened as a
mail scanner, a moderator, or someone holding a link that is not theirs."""
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .test_website import WebsiteMailGroupCase

ACTIONS = ('accept', 'notice', 'reject', 'discard', 'whitelist', 'ban')


@tagged('post_install', '-at_install', 'website_mail_group')
class TestModerationLinks(WebsiteMailGroupCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_moderator_2 = mail_new_test_user(
            cls.env, login='wmg_moderator2', groups='base.group_user', name='Max Moderator',
            email='max@moderator.example.com', notification_type='inbox')
        cls.group_public.moderator_ids |= cls.user_moderator_2
        cls.post = cls._post(cls.group_public, 'Held for review', '<p>Please <b>accept</b> me<script>alert(1)</script></p>',
                             status='pending_moderation', email_from='Hank Held <hank@held.example.com>')

    # helpers

    def notification(self, user, model='mail.group.message', res_id=None):
        self.env.invalidate_all()
        return self.env['mail.message'].sudo().search([
            ('model', '=', model), ('res_id', '=', res_id or self.post.id),
            ('message_type', '=', 'user_notification'), ('partner_ids', 'in', user.partner_id.ids)])

    def links(self, body):
        """{(post id, action): path} of the moderation links of a body."""
        found = {}
        for href in re.findall(r'href="([^"]*/moderate/[^"]*)"', body):
            href = href.replace('&amp;', '&')
            url = urlparse(href)
            found[int(parse_qs(url.query)['post'][0]), url.path.rsplit('/', 1)[1]] = href[href.index('/group/'):]
        return found

    def alert_links(self, user=None):
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.group_public._alert_moderators(self.post)
        return self.links(self.notification(user or self.user_moderator).body)

    def open_link(self, path, expected_status=200):
        response, tree = self.get_page(path, expected_status)
        return tree

    def click(self, path, comment=None, expected_status=200):
        """The confirmation button of the page a link opens."""
        tree = self.open_link(path)
        form = tree.xpath('//form[contains(@class, "o_mg_moderate_form")]')[0]
        data = {field.get('name'): field.get('value') for field in form.xpath('.//input')}
        if comment is not None:
            data['comment'] = comment
        response = self.url_open(form.get('action'), data=data)
        self.assertEqual(response.status_code, expected_status, response.text[:500])
        self.env.invalidate_all()
        return self.result_status(response.text), data

    def result_status(self, html):
        match = re.search(r'o_mg_moderate_result o_mg_status_(\w+)', html)
        return match.group(1) if match else None

    def assert_refused(self, path, status, http_status, data=None):
        response = self.url_open(path, data=data) if data else self.url_open(path)
        self.assertEqual(response.status_code, http_status)
        self.assertEqual(self.result_status(response.text), status)
        self.assertNotIn('Held for review', response.text, 'a refused link shows nothing of the post')
        self.assertNotIn('accept</b> me', response.text)
        self.assertNotIn('o_mg_moderate_form', response.text)

    def pending(self):
        self.env.invalidate_all()
        return self.post.exists() and self.post.moderation_status == 'pending_moderation'

    # the mails

    def test_alert_carries_links_signed_for_each_moderator(self):
        links_mona = self.alert_links(self.user_moderator)
        links_max = self.links(self.notification(self.user_moderator_2).body)
        self.assertEqual(set(links_mona), {(self.post.id, action) for action in ACTIONS})
        self.assertEqual(set(links_max), set(links_mona))
        for (post_id, action), path in links_mona.items():
            self.assertIn(f'/group/{self.group_public.id}/moderate/{action}?', path)
            self.assertIn(f'moderator={self.user_moderator.id}', path)
            self.assertIn(f'moderator={self.user_moderator_2.id}', links_max[post_id, action])
        alerts = self.notification(self.user_moderator) | self.notification(self.user_moderator_2)
        self.assertEqual(len(alerts), 2, 'one notification each: the links are personal')
        self.assertEqual(alerts.mapped(lambda m: len(m.partner_ids)), [1, 1])
        self.assertEqual(self.notification(self.user_moderator).notification_ids.notification_type, 'email')
        self.assertEqual(self.notification(self.user_moderator_2).notification_ids.notification_type, 'inbox')

    def test_reminder_lists_each_pending_post_with_links(self):
        (self.msg_pending | self.msg_reply_pending).moderation_status = 'rejected'
        self.group_public.moderation = True  # the cron reminds the moderators of moderated groups
        extra = [self._post(self.group_public, f'Spam {index}', '<p>spam</p>', status='pending_moderation')
                 for index in range(31)]
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.group']._cron_notify_moderators()
        reminder = self.notification(self.user_moderator_2, 'mail.group', self.group_public.id)
        self.assertIn('32 messages', reminder.body)
        links = self.links(reminder.body)
        self.assertEqual(len(links), 30 * len(ACTIONS), 'the 30 oldest pending posts, a link per action each')
        self.assertIn((self.post.id, 'ban'), links)
        self.assertNotIn((extra[-1].id, 'accept'), links)
        self.assertIn('And 2 more', reminder.body)
        self.assertTrue(all(f'moderator={self.user_moderator_2.id}' in path for path in links.values()))
        status, _data = self.click(links[self.post.id, 'accept'])
        self.assertEqual(status, 'done_accept')
        self.assertEqual(self.post.moderator_id, self.user_moderator_2)

    # opening and clicking

    def test_scanner_get_never_acts_then_the_click_does(self):
        path = self.alert_links()[self.post.id, 'accept']
        for _attempt in range(3):
            tree = self.open_link(path)
        self.assertTrue(self.pending(), 'a GET changes nothing')
        text = ' '.join(tree.text_content().split())
        self.assertIn('Held for review', text)
        self.assertIn('hank@held.example.com', text)
        self.assertIn('You act as Mona Moderator', text)
        self.assertTrue(tree.xpath('//div[contains(@class, "o_mg_moderate_body")]//b[text()="accept"]'))
        self.assertFalse(tree.xpath('//div[contains(@class, "o_mg_moderate_body")]//script'), 'the post is sanitized')
        self.assertEqual(self.url_open(path).headers.get('Referrer-Policy'), 'no-referrer')

        with mute_logger('odoo.addons.mail.models.mail_thread'):
            status, data = self.click(path)
        self.assertEqual(status, 'done_accept')
        self.assertEqual(self.post.moderation_status, 'accepted')
        self.assertEqual(self.post.moderator_id, self.user_moderator, 'done as the moderator of the link')
        self.assertTrue(self.env['mail.mail'].sudo().search_count(
            [('mail_message_id', '=', self.post.mail_message_id.id)]), 'the post went to the members')

        # replayed: the page, the form, and every other action of the same post
        self.assert_refused(path, 'moderated', 410)
        self.assert_refused(path.split('?')[0], 'moderated', 410, data=data)
        for _action, other in self.links(self.notification(self.user_moderator).body).items():
            self.assert_refused(other, 'moderated', 410)

    def test_accept_as_a_notice_from_the_alert(self):
        """The alert's "Accept as a notice": the post reaches every member,
        the one who reads on the website only included."""
        web_only = self.env['mail.group.member'].create({
            'mail_group_id': self.group_public.id, 'email': 'webonly@reader.example.com', 'delivery_mode': 'none'})
        path = self.alert_links()[self.post.id, 'notice']
        text = ' '.join(self.open_link(path).text_content().split())
        self.assertIn('as a special notice', text)
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            status, _data = self.click(path)
        self.assertEqual(status, 'done_notice')
        self.assertEqual((self.post.moderation_status, self.post.is_notice, self.post.moderator_id),
                         ('accepted', True, self.user_moderator))
        self.assertTrue(self.env['mail.mail'].sudo().search_count([
            ('mail_message_id', '=', self.post.mail_message_id.id), ('email_to', 'ilike', web_only.email)]),
            'a notice reaches a member who reads on the website only')

    def test_reject_with_explanation_and_silently(self):
        second = self._post(self.group_public, 'Second', '<p>two</p>', status='pending_moderation')
        status, _data = self.click(self.alert_links()[self.post.id, 'reject'], comment='Off topic, sorry.')
        self.assertEqual(status, 'done_reject')
        self.assertEqual((self.post.moderation_status, self.post.moderator_id),
                         ('rejected', self.user_moderator))
        answer = self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'hank@held.example.com')])
        self.assertEqual(len(answer), 1)
        self.assertIn('Off topic, sorry.', answer.body_html)
        self.assertIn('was rejected: Held for review', answer.subject)
        self.assertIn('mona@moderator.example.com', answer.email_from, 'from the moderator')
        path = self.group_public._moderation_url(second.id, self.user_moderator.id, 'reject')
        status, _data = self.click(path[path.index('/group/'):])
        self.assertEqual(second.moderation_status, 'rejected')
        self.assertFalse(self.env['mail.mail'].sudo().search([('subject', 'ilike', 'rejected: Second')]),
                         'without an explanation the author is not told')

    def test_discard_whitelist_ban_as_the_moderator(self):
        links = self.alert_links(self.user_moderator_2)
        self.assertEqual(self.click(links[self.post.id, 'discard'])[0], 'done_discard')
        self.assertFalse(self.post.exists())

        whitelisted = self._post(self.group_public, 'W', '<p>w</p>', status='pending_moderation',
                                 email_from='w@author.example.com')
        banned = self._post(self.group_public, 'B', '<p>b</p>', status='pending_moderation',
                            email_from='b@author.example.com')
        for post, action, rule_status, post_status in ((whitelisted, 'whitelist', 'allow', 'accepted'),
                                                       (banned, 'ban', 'ban', 'rejected')):
            path = self.group_public._moderation_url(post.id, self.user_moderator_2.id, action)
            with mute_logger('odoo.addons.mail.models.mail_thread'):
                self.assertEqual(self.click(path[path.index('/group/'):])[0], f'done_{action}')
            rule = self.group_public.moderation_rule_ids.filtered(lambda r: r.email == post.email_from_normalized)
            self.assertEqual((rule.status, rule.create_uid), (rule_status, self.user_moderator_2))
            self.assertEqual((post.moderation_status, post.moderator_id), (post_status, self.user_moderator_2))

    # refused links

    def test_forged_and_cross_links_refused(self):
        links = self.alert_links()
        path = links[self.post.id, 'accept']
        other = self.msg_pending
        query = parse_qs(urlparse(path).query)
        token = query['token'][0]
        forged = token[:-1] + ('1' if token.endswith('0') else '0')  # one hex digit changed, whichever it was
        base = f'/group/{self.group_public.id}/moderate'
        refused = [
            f'{base}/accept?post={other.id}&moderator={self.user_moderator.id}&token={token}',  # another post
            f'{base}/discard?post={self.post.id}&moderator={self.user_moderator.id}&token={token}',  # another action
            f'/group/{self.group_members.id}/moderate/accept?post={self.post.id}'
            f'&moderator={self.user_moderator.id}&token={token}',  # another group
            f'{base}/accept?post={self.post.id}&moderator={self.user_moderator_2.id}&token={token}',  # another signer
            f'{base}/accept?post={self.post.id}&moderator={self.user_moderator.id}&token={forged}',  # forged
            f'{base}/accept?post={self.post.id}&moderator={self.user_moderator.id}&token=9999999999.{"0" * 64}',
            f'{base}/accept?post={self.post.id}&moderator={self.user_moderator.id}',
            f'{base}/accept?post=abc&moderator=x&token=%C3%A9',
            f'{base}/accept?post=99999999999999&moderator={self.user_moderator.id}&token={token}',
            f'{base}/approve?post={self.post.id}&moderator={self.user_moderator.id}&token={token}',
            f'/group/99999999/moderate/accept?post={self.post.id}&moderator={self.user_moderator.id}&token={token}',
            f'/group/{10 ** 15}/moderate/accept?post={self.post.id}&moderator={self.user_moderator.id}&token={token}',
            f'{base}/accept?post={self.post.id}&moderator={self.user_moderator.id}&token=99999999999999999999.x',
        ]
        for url in refused:
            self.assert_refused(url, 'invalid', 400)
            self.assert_refused(url.split('?')[0], 'invalid', 400, data=parse_qs(urlparse(url).query))
        self.assertTrue(self.pending())
        self.assertEqual(other.moderation_status, 'pending_moderation')

    def test_expired_link_refused(self):
        with freeze_time(fields.Datetime.now() - timedelta(days=4)), \
                mute_logger('odoo.addons.mail.models.mail_thread'):
            self.group_public._alert_moderators(self.post)
        path = self.links(self.notification(self.user_moderator).body)[self.post.id, 'accept']
        self.assert_refused(path, 'expired', 410)
        self.assert_refused(path.split('?')[0], 'expired', 410, data=parse_qs(urlparse(path).query))
        self.assertTrue(self.pending())

    def test_signer_no_longer_moderator(self):
        links = self.alert_links()
        form_path = links[self.post.id, 'accept']
        self.open_link(form_path)  # opened while a moderator
        self.group_public.moderator_ids -= self.user_moderator
        self.assert_refused(form_path, 'not_moderator', 403)
        self.assert_refused(form_path.split('?')[0], 'not_moderator', 403, data=parse_qs(urlparse(form_path).query))
        self.assertTrue(self.pending())

        max_path = self.links(self.notification(self.user_moderator_2).body)[self.post.id, 'ban']
        self.user_moderator_2.active = False
        self.assert_refused(max_path, 'not_moderator', 403)
        self.assertTrue(self.pending())
        self.assertFalse(self.group_public.moderation_rule_ids)

    def test_logged_in_visitor_acts_as_the_signer(self):
        """Another user's session changes nothing: the link acts as its signer."""
        self.authenticate('wmg_employee', 'wmg_employee')
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            status, _data = self.click(self.alert_links()[self.post.id, 'accept'])
        self.assertEqual((status, self.post.moderator_id), ('done_accept', self.user_moderator))
