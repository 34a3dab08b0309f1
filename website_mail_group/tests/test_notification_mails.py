"""The group's own mails as their recipients receive them over SMTP: the
moderators' alert and reminder, the confirmation, welcome, guidelines,
delivery warning and rejection mails. Each reads as a mail of the group:
its name, the message, one way to act; none of Odoo's document layout
(internal-note banner, "Your Mail Group" header, "-- System" signature,
rows of invisible characters opening the text part)."""
import re
from datetime import timedelta
from email.utils import make_msgid

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink

INVISIBLE = re.compile('[\u034f\u200b\u200c\u200d\u2060\ufeff]')
MODERATOR = 'mona@moderators.example.com'
STRANGER = 'stranger@elsewhere.example.com'


@tagged('post_install', '-at_install')
class TestNotificationMails(SmtpListCase):

    DOMAIN, LIST = 'lists.notices.example.com', ('Garden Club', 'garden')
    MEMBERS = ['bob@members.example.com']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moderator = mail_new_test_user(
            cls.env, login='mona', groups='base.group_user', name='Mona Moderator', email=MODERATOR,
            notification_type='email')
        cls.group.write({
            'moderation': True, 'moderator_ids': [(4, cls.moderator.id)],
            'moderation_guidelines': True, 'moderation_guidelines_msg': '<p>Be kind to plants.</p>',
        })

    def post(self, subject='Cheap seeds', email_from=STRANGER):
        msg_id = make_msgid(domain='elsewhere.example.com')
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, raw_mail(
                email_from, self.group.alias_email, subject, 'Dear gardeners,\r\n\r\nbuy our seeds.',
                message_id=msg_id))
        return self.env['mail.group.message'].search([('mail_message_id.message_id', '=', msg_id)])

    def setUp(self):
        super().setUp()
        # notifications of a few recipients leave at once, not through the queue
        self.sink = SmtpSink(self.mail_server.smtp_port)
        self.sink.__enter__()
        self.addCleanup(self.sink.__exit__)

    def received(self):
        """Every mail sent, as its recipient receives it: ``(to, subject, text, html)``."""
        self.run_queue()
        return [(item['rcpt_tos'][0], str(item['message']['Subject']),
                 item['message'].get_body(('plain',)).get_content().replace('\r\n', '\n'),
                 item['message'].get_body(('html',)).get_content())
                for item in self.sink.messages]

    def assert_clean(self, to, subject, text, html):
        label = f'{subject!r} to {to}'
        self.assertFalse(INVISIBLE.search(text), f'{label}: no invisible characters in the text part')
        self.assertTrue(text.lstrip()[:1].isalnum(), f'{label}: the text part opens with words: {text[:80]!r}')
        for leftover in ('Internal communication', 'internal note', 'Your Mail Group', 'Your Mail',
                         'Powered by', '/mail/unfollow', '/mail/view'):
            self.assertNotIn(leftover, html, f'{label}: no {leftover!r} from Odoo\'s layout')
        self.assertNotIn('System', text, f'{label}: not signed by the system user')
        self.assertFalse(re.search(r'^-- ?$', text, re.M), f'{label}: no signature: {text!r}')
        self.assertIn('Garden Club', text, f'{label}: names the group')

    def test_moderators_alert_and_reminder(self):
        post = self.post()
        self.group._notify_moderators()
        mails = [mail for mail in self.received() if mail[0] == MODERATOR]
        self.assertEqual(len(mails), 2, 'the alert and the reminder')
        alert, reminder = sorted(mails, key=lambda mail: 'To review' not in mail[1])
        for mail in (alert, reminder):
            self.assert_clean(*mail)
        html = alert[3]
        self.assertEqual(html.count(f'id={post.id}&amp;view_type=form'), 1, 'one link to the post in Odoo, not two')
        buttons = re.findall(r'<a [^>]*style="[^"]*background-color[^>]*>\s*([^<]*)', html)
        self.assertEqual(buttons, ['Accept', 'Reject'], 'one button per action')
        self.assertIn('Cheap seeds', alert[2])
        self.assertIn('buy our seeds', alert[2], 'the excerpt in the text part')
        self.assertNotIn('>From', alert[2], 'no line of the text part is quoted as in an mbox')
        self.assertRegex(alert[2], r'Author\s+\S+@', 'the author, labelled')
        self.assertIn('1 message of the group Garden Club is waiting', ' '.join(reminder[2].replace('*', '').split()))

    def test_confirmation_welcome_guidelines_and_warning(self):
        self.group._send_subscribe_confirmation_email('visitor@example.net')
        self.group._join_group('newbie@example.net')
        self.group.action_send_guidelines(self.members)
        self.members._send_bounce_warning()
        mails = {(to, subject.split(' ')[0]): (to, subject, text, html) for to, subject, text, html in self.received()}
        self.assertEqual(sorted(mails), [
            ('bob@members.example.com', 'Guidelines'), ('bob@members.example.com', 'Your'),
            ('newbie@example.net', 'Guidelines'), ('visitor@example.net', 'Confirm')])
        for mail in mails.values():
            self.assert_clean(*mail)
        html = mails['visitor@example.net', 'Confirm'][3]
        self.assertEqual(len(re.findall(r'<a [^>]*style="[^"]*background-color', html)), 1, 'one button')

    def test_rejection_date_says_its_time_zone(self):
        """The date of the rejected post is the author's time (their
        partner's time zone), else UTC, and says which."""
        self.moderator.tz = 'America/New_York'  # never the moderator's
        self.env['res.partner'].create({'name': 'Taro', 'email': 'taro@elsewhere.example.com', 'tz': 'Asia/Tokyo'})
        posts = self.post('Unknown', STRANGER) | self.post('Known', 'Taro <taro@elsewhere.example.com>')
        posts.with_user(self.moderator).action_moderate_reject_with_comment('Rejected', '<p>No.</p>')
        mails = [mail for mail in self.received() if mail[1] == 'Rejected']
        for mail in mails:
            self.assert_clean(*mail)
        texts = {to: ' '.join(text.split()) for to, subject, text, html in mails}
        for post, zone, hours in ((posts[0], 'UTC', 0), (posts[1], 'Asia/Tokyo', 9)):
            local = post.date.replace(microsecond=0) + timedelta(hours=hours)
            self.assertIn(f'{local:%H:%M:%S} ({zone})', texts[post.email_from.split('<')[-1].rstrip('>')])
