"""Members write from the website: a reply under a post, a new topic.
The inbound rules decide as for mail; others get no form and are refused."""
from email.utils import make_msgid

import lxml.html

from odoo.tests import HttpCase, tagged

from odoo.addons.http_routing.models.ir_http import slug
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SmtpListCase, as_sent
from .mails import raw_mail
from .smtp_server import SmtpSink
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWebPost(WebsiteMailGroupCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Paula, member of the public group too (as a partner: a logged-in member)
        cls.env['mail.group.member'].create({'mail_group_id': cls.group_public.id,
                                             'partner_id': cls.user_portal.partner_id.id})

    def posts(self, group):
        self.env.invalidate_all()
        return self.env['mail.group.message'].sudo().search([('mail_group_id', '=', group.id)])

    def copies(self, post):
        return self.env['mail.mail'].sudo().search([('mail_message_id', '=', post.mail_message_id.id)])

    def post_form(self, page_url, form_class, values, expected_status=200):
        """Fill the form of ``page_url`` as a browser does; the result page."""
        _response, tree = self.get_page(page_url)
        forms = tree.xpath(f'//form[contains(@class, "{form_class}")]')
        self.assertEqual(len(forms), 1, f'one {form_class} form on {page_url}')
        data = {field.get('name'): field.get('value') for field in forms[0].xpath('.//input[@type="hidden"]')}
        response = self.url_open(forms[0].get('action'), data={**data, **values})
        self.assertEqual(response.status_code, expected_status, response.text[:300])
        return lxml.html.fromstring(response.content)

    def result(self, tree):
        card = tree.xpath('//div[contains(concat(" ", @class, " "), " o_mg_web_post_result ")]')
        return card[0].get('class').split('o_mg_web_post_')[-1], ' '.join(card[0].text_content().split())

    def thread_url(self, post, group=None):
        return f'/groups/{slug(group or self.group_public)}/{slug(post)}'

    def test_member_replies_under_the_post(self):
        self.authenticate('wmg_portal', 'wmg_portal')
        before = self.posts(self.group_public)
        tree = self.post_form(self.thread_url(self.msg_reply), 'o_mg_web_reply',
                              {'body': 'I agree <b>fully</b>.\r\nSecond line\r\n\r\nPaula'})
        status, text = self.result(tree)
        self.assertEqual(status, 'posted')
        self.assertIn('Your message was sent to the members of the group.', text)
        reply = self.posts(self.group_public) - before
        self.assertEqual(len(reply), 1)
        self.assertEqual(reply.moderation_status, 'accepted')
        self.assertEqual(reply.group_message_parent_id, self.msg_reply, 'threaded under the post')
        self.assertEqual(reply.mail_message_id.parent_id, self.msg_reply.mail_message_id)
        self.assertEqual(reply.author_id, self.user_portal.partner_id, "authored by the member's partner")
        self.assertEqual(reply.subject, 'Re: Kernel release')
        self.assertIn('<p>I agree &lt;b&gt;fully&lt;/b&gt;.<br>Second line</p><p>Paula</p>', reply.body,
                      'text escaped, paragraphs and line breaks kept')
        self.assertEqual(tree.xpath('//a[contains(@class, "o_mg_web_post_link")]/@href'),
                         [f'{self.thread_url(self.msg_root)}#mg-{reply.id}'], 'shown in its whole thread, at the reply')
        copies = self.copies(reply)
        self.assertEqual(sorted(copies.mapped('email_to')), ['known@member.example.com', 'second@member.example.com'],
                         'the members receive it, the author does not')
        self.assertEqual(as_sent(copies[0])['In-Reply-To'], self.msg_reply.mail_message_id.message_id, 'In-Reply-To the post')

        _response, page = self.get_page(self.thread_url(self.msg_reply))
        self.assertIn('I agree <b>fully</b>.', page.text_content(), 'shown in the thread, as text')

    def test_member_replies_to_one_reply_of_the_thread(self):
        """Under each reply of a thread, a member's form answers that reply;
        the form for the post itself comes after the replies."""
        self.authenticate('wmg_portal', 'wmg_portal')
        _response, page = self.get_page(self.thread_url(self.msg_root))
        forms = page.xpath(f'//details[@id="mg-{self.msg_reply.id}"]/details/form[contains(@class, "o_mg_reply_to_form")]')
        self.assertEqual(len(forms), 1, 'a reply form under the reply')
        order = [node.get('class') for node in page.xpath(
            '//section[contains(@class, "o_mg_replies_section")] | //form[contains(@class, "o_mg_web_reply")]')]
        self.assertEqual([name.split()[-1] for name in order], ['o_mg_thread', 'o_mg_web_reply'],
                         "the post's form follows its replies")
        data = {field.get('name'): field.get('value') for field in forms[0].xpath('.//input[@type="hidden"]')}
        before = self.posts(self.group_public)
        response = self.url_open(forms[0].get('action'), data={**data, 'body': 'Answering Greg'})
        self.assertEqual(response.status_code, 200)
        reply = self.posts(self.group_public) - before
        self.assertEqual(reply.group_message_parent_id, self.msg_reply, 'answers the reply, not the thread start')
        link = lxml.html.fromstring(response.content).xpath('//a[contains(@class, "o_mg_web_post_link")]/@href')
        self.assertEqual(link, [f'{self.thread_url(self.msg_root)}#mg-{reply.id}'])
        _response, page = self.get_page(self.thread_url(self.msg_root))
        self.assertTrue(page.xpath(f'//details[@id="mg-{self.msg_reply.id}"]/details[@id="mg-{reply.id}"]'),
                        'shown inside its thread, under the reply it answers')

    def test_member_starts_a_topic(self):
        self.authenticate('wmg_portal', 'wmg_portal')
        group_url = f'/groups/{slug(self.group_members)}'
        before = self.posts(self.group_members)
        tree = self.post_form(group_url, 'o_mg_new_topic_form', {'subject': 'Meeting\r\nBcc: x@example.com',
                                                             'body': 'Who comes on Friday?'})
        self.assertEqual(self.result(tree)[0], 'posted')
        topic = self.posts(self.group_members) - before
        self.assertEqual(topic.subject, 'Meeting Bcc: x@example.com', 'one line')
        self.assertFalse(topic.group_message_parent_id)
        self.assertEqual(topic.moderation_status, 'accepted')

        tree = self.post_form(group_url, 'o_mg_new_topic_form', {'subject': '  ', 'body': 'no subject'}, 400)
        self.assertIn('A new topic needs a subject.', self.result(tree)[1])
        tree = self.post_form(group_url, 'o_mg_new_topic_form', {'subject': 'Empty', 'body': ' \r\n '}, 400)
        self.assertIn('Your message is empty.', self.result(tree)[1])
        self.assertEqual(self.posts(self.group_members) - before, topic, 'nothing else stored')

    def test_no_form_and_refused_for_others(self):
        url = self.thread_url(self.msg_root)
        _response, tree = self.get_page(url)
        self.assertFalse(tree.xpath('//form[contains(@class, "o_mg_web_reply")]'), 'visitors get no form')
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        self.assertFalse(tree.xpath('//form[contains(@class, "o_mg_new_topic")]'))
        csrf = self.csrf_token(tree)
        before = self.posts(self.group_public)
        response = self.url_open(f'{url}/reply', data={'body': 'visitor', 'csrf_token': csrf})
        self.assertEqual(response.status_code, 403)
        self.assertIn('Log in with the account of a member', response.text)

        self.authenticate('wmg_portal2', 'wmg_portal2')
        _response, tree = self.get_page(url)
        self.assertFalse(tree.xpath('//form[contains(@class, "o_mg_web_reply")]'), 'non-members get no form')
        _response, tree = self.get_page(f'/groups/{slug(self.group_public)}')
        csrf = self.csrf_token(tree)
        response = self.url_open(f'{url}/reply', data={'body': 'outsider', 'csrf_token': csrf})
        self.assertEqual(response.status_code, 403)
        self.assertIn('Only members of this group can write from the website.', response.text)
        response = self.url_open(f'/groups/{slug(self.group_public)}/new',
                                 data={'subject': 'Hi', 'body': 'outsider', 'csrf_token': csrf})
        self.assertEqual(response.status_code, 403)
        # a group the user cannot read, a post not accepted: not found
        response = self.url_open(f'{self.thread_url(self.msg_secret, self.group_members)}/reply',
                                 data={'body': 'x', 'csrf_token': csrf})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.posts(self.group_public), before, 'nothing stored')

    def test_csrf_token_required(self):
        self.authenticate('wmg_portal', 'wmg_portal')
        before = self.posts(self.group_public)
        for data in ({'body': 'forged'}, {'body': 'forged', 'csrf_token': 'forged'}):
            response = self.url_open(f'{self.thread_url(self.msg_root)}/reply', data=data)
            self.assertEqual(response.status_code, 400)
        self.assertEqual(self.posts(self.group_public), before)
        response = self.url_open(f'{self.thread_url(self.msg_pending)}/reply',
                                 data={'body': 'x', 'csrf_token': self.csrf_token(self.get_page('/groups')[1])})
        self.assertEqual(response.status_code, 404)

    def test_rules_decide_as_for_mail(self):
        """A banned member is refused, a moderated group holds, a post too
        large is held: the inbound rules of mail."""
        self.authenticate('wmg_portal', 'wmg_portal')
        url = self.thread_url(self.msg_root)
        self.env['mail.group.moderation'].create({
            'mail_group_id': self.group_public.id, 'email': self.user_portal.email, 'status': 'ban'})
        before = self.posts(self.group_public)
        tree = self.post_form(url, 'o_mg_web_reply', {'body': 'I am banned'}, 403)
        status, text = self.result(tree)
        self.assertEqual(status, 'refused')
        self.assertIn('Banned author', text)
        refused = self.posts(self.group_public) - before
        self.assertEqual(refused.moderation_status, 'rejected', 'kept for the moderators, as a banned mail is')
        self.assertFalse(self.copies(refused), 'nobody receives it')

        self.group_public.moderation_rule_ids.unlink()
        self.group_public.write({'moderation': True})
        tree = self.post_form(url, 'o_mg_web_reply', {'body': 'Please moderate me'})
        status, text = self.result(tree)
        self.assertEqual(status, 'held')
        self.assertIn('waits for a moderator', text)
        held = self.posts(self.group_public) - before - refused
        self.assertEqual((held.moderation_status, held.moderation_reason), ('pending_moderation', 'moderated'))
        self.assertFalse(self.copies(held).filtered(lambda mail: 'member.example.com' in mail.email_to))

        self.group_public.write({'moderation': False, 'max_message_size_kb': 1})
        tree = self.post_form(url, 'o_mg_web_reply', {'body': 'x' * 3000})
        self.assertEqual(self.result(tree)[0], 'held')
        too_large = self.posts(self.group_public) - before - refused - held
        self.assertEqual(too_large.moderation_reason, 'too_large')


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWebReplySmtp(SmtpListCase, HttpCase):
    """A reply written on the website reaches the members over SMTP, in the thread."""

    DOMAIN, LIST = 'lists.webreply.example.com', ('Web Replies', 'webreply')
    MEMBERS = ['bob@members.example.com']

    def test_web_reply_reaches_members_with_thread_headers(self):
        user = mail_new_test_user(self.env, login='wmg_web_replier', groups='base.group_portal',
                                  name='Wendy Web', email='wendy@example.com')
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'partner_id': user.partner_id.id})
        root_id = make_msgid(domain='members.example.com')
        self.env['mail.thread'].message_process(None, raw_mail(
            'Bob <bob@members.example.com>', self.group.alias_email, 'Release plan', 'Shall we ship?',
            message_id=root_id))
        root = self.env['mail.group.message'].search([('mail_message_id.message_id', '=', root_id)])
        self.run_queue()

        self.authenticate('wmg_web_replier', 'wmg_web_replier')
        page = lxml.html.fromstring(self.url_open(f'/groups/{slug(self.group)}/{slug(root)}').content)
        form = page.xpath('//form[contains(@class, "o_mg_web_reply")]')[0]
        response = self.url_open(form.get('action'), data={
            'csrf_token': form.xpath('.//input[@name="csrf_token"]/@value')[0], 'body': 'Yes, on Friday.'})
        self.assertEqual(response.status_code, 200)
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.assertEqual(sink.recipients(), ['bob@members.example.com'])
        message = sink.messages[0]['message']
        self.assertEqual(message['In-Reply-To'], root_id)
        self.assertIn(root_id, message['References'])
        self.assertEqual(message['Subject'], 'Re: Release plan')
        self.assertIn('Wendy Web', message['From'])
        self.assertIn('Yes, on Friday.', message.get_body(('plain',)).get_content())
