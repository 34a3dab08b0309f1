"""Spam complaints through the real gateway: a member marks a copy received
over real SMTP as spam, their provider's feedback loop mails an ARF report
(RFC 5965) with the copy attached. Signed names stop that member's mail;
forged ones change nothing."""
import re
from email.utils import make_msgid

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SmtpListCase
from .mails import raw_mail
from .smtp_server import SmtpSink

MEMBERS = ['ann@fbl.example.com', 'bob@fbl.example.com', 'cid@fbl.example.com']
BOUNCE = 'bounce@lists.fbl.example.com'


def arf_report(to, copy, original_mail_from=None):
    """A feedback-loop report as Yahoo's or Microsoft's: a human part, the
    machine-readable report, the copy as the member received it."""
    fields = 'Feedback-Type: abuse\r\nUser-Agent: ExampleFBL/1.0\r\nVersion: 1\r\n'
    if original_mail_from:
        fields += f'Original-Mail-From: <{original_mail_from}>\r\n'
    body = (
        '--ARF\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThis is an email abuse report.\r\n'
        f'--ARF\r\nContent-Type: message/feedback-report\r\n\r\n{fields}\r\n'
        '--ARF\r\nContent-Type: message/rfc822\r\n\r\n' + copy.decode() + '\r\n--ARF--\r\n')
    return raw_mail('Feedback Loop <fbl@mailbox-provider.example.net>', to, 'Complaint about message', body,
                    message_id=make_msgid(domain='mailbox-provider.example.net'),
                    content_type='multipart/report; report-type=feedback-report; boundary="ARF"')


@tagged('post_install', '-at_install')
class TestComplaints(SmtpListCase):
    DOMAIN, LIST, MEMBERS = 'lists.fbl.example.com', ('FBL List', 'fbl'), MEMBERS

    def setUp(self):
        super().setUp()
        self.env['mail.thread'].message_process(None, raw_mail(
            'Author <author@example.com>', self.group.alias_email, 'Weekly news', 'News of the week'))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        self.copies = {item['rcpt_tos'][0]: item for item in sink.messages}
        self.assertEqual(sorted(self.copies), MEMBERS)

    def copy_of(self, email, return_path=True):
        item = self.copies[email]
        return (f'Return-Path: <{item["mail_from"]}>\r\n'.encode() if return_path else b'') + item['raw']

    def feedback(self, report):
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.env['mail.thread'].message_process(None, report)

    def member(self, email):
        return self.members.filtered(lambda member: member.email == email)

    def recipients_of_next_post(self):
        self.env['mail.thread'].message_process(None, raw_mail(
            'Author <author@example.com>', self.group.alias_email, 'Next week', 'More news'))
        with SmtpSink(self.mail_server.smtp_port) as sink:
            self.run_queue()
        return sorted(rcpt for item in sink.messages for rcpt in item['rcpt_tos'])

    def test_report_to_the_signed_bounce_address_stops_that_member(self):
        ann = self.member(MEMBERS[0])
        self.feedback(arf_report(self.copies[MEMBERS[0]]['mail_from'], self.copy_of(MEMBERS[0])))
        self.assertEqual(ann.delivery_mode, 'none')
        self.assertTrue(ann.complaint_date)
        self.assertEqual(self.group.complaint_count, 1)
        self.assertEqual(self.recipients_of_next_post(), MEMBERS[1:], 'no more mail to who complained')
        self.assertFalse(self.env['mail.group.message'].search(
            [('mail_group_id', '=', self.group.id), ('subject', 'ilike', 'Complaint')]), 'a report is never posted')

    def test_report_to_the_bounce_alias_named_by_its_fields_or_its_copy(self):
        """Feedback loops send to one registered address: the member is
        named by Original-Mail-From, by the copy's Return-Path, or by the
        signed one-click link in the copy's List-Unsubscribe."""
        self.feedback(arf_report(BOUNCE, self.copy_of(MEMBERS[0], return_path=False),
                                 original_mail_from=self.copies[MEMBERS[0]]['mail_from']))
        self.feedback(arf_report(BOUNCE, self.copy_of(MEMBERS[1])))
        copy = self.copy_of(MEMBERS[2], return_path=False)
        self.assertIn(b'unsubscribe_oneclick?member=', copy)
        self.feedback(arf_report(BOUNCE, copy))
        self.assertEqual(self.members.mapped('delivery_mode'), ['none'] * 3)
        self.assertEqual(self.group.complaint_count, 3)

    def test_forged_reports_change_nothing(self):
        ann = self.member(MEMBERS[0])
        copy = self.copy_of(MEMBERS[0], return_path=False)
        forged_verp = re.sub(r'-[0-9a-f]{16}@', '-0123456789abcdef@', self.copies[MEMBERS[0]]['mail_from'])
        forged_link = re.sub(rb'token=[^>\s&]+', b'token=forged', copy)
        self.assertNotEqual(forged_link, copy)
        for report in (
            arf_report(forged_verp, forged_link),
            arf_report(BOUNCE, forged_link, original_mail_from=forged_verp),
            arf_report(BOUNCE, forged_link.replace(b'member=', b'email=ann%40fbl.example.com&x=')),
        ):
            self.feedback(report)
        self.assertEqual(ann.delivery_mode, 'every')
        self.assertFalse(ann.complaint_date)
        self.assertEqual(self.group.complaint_count, 0)
        self.assertEqual(self.recipients_of_next_post(), MEMBERS)

    def test_complaints_are_a_moderators_fact(self):
        self.feedback(arf_report(self.copies[MEMBERS[0]]['mail_from'], self.copy_of(MEMBERS[0])))
        self.assertEqual(self.group.complaint_count, 1)
        portal = self.env['res.users'].create({
            'name': 'Pat Portal', 'login': 'pat-fbl', 'email': 'pat@fbl.example.com',
            'groups_id': [(6, 0, self.env.ref('base.group_portal').ids)]})
        self.assertEqual(self.group.with_user(portal).read(['complaint_count'])[0]['complaint_count'], 0)
