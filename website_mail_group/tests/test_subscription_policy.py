"""Subscription policies as people live them: a visitor confirms, then a
moderator approves or declines; an invitation-only group takes only the
people its managers invite; logged-in users, the Join button, RPC and the
+subscribe command follow the same policy; only moderators decide."""
import re
import xmlrpc.client
from email.utils import make_msgid
from unittest.mock import patch

import lxml.html
import psycopg2

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SmtpListCase
from .mails import raw_mail
from .rpc import DENIED_LOGS
from .smtp_server import SmtpSink

USER_ERROR = 2  # XML-RPC fault code of a UserError
ACCESS_ERROR = 4


class PolicyCase(SmtpListCase, HttpCase):
    """A list whose mail leaves through a real SMTP sink, its moderator, a
    portal user, an employee, and helpers to act on the website."""
    DOMAIN, LIST = 'lists.policy.example.com', ('Policy List', 'policy')
    MEMBERS = ['old@members.example.com']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups, name):
            return mail_new_test_user(cls.env, login=login, groups=groups, name=name,
                                      email=f'{login}@people.example.com', notification_type='email')

        cls.moderator = user('pol_moderator', 'base.group_user', 'Mona Policy')
        cls.portal = user('pol_portal', 'base.group_portal', 'Paula Policy')
        cls.employee = user('pol_employee', 'base.group_user', 'Ernest Policy')
        cls.group.moderator_ids = cls.moderator

    def setUp(self):
        super().setUp()
        self.sink = SmtpSink(self.mail_server.smtp_port).__enter__()
        self.addCleanup(self.sink.__exit__, None, None, None)

    def sent_to(self, address):
        """Mails the sink received for ``address`` after running the queue."""
        self.run_queue()
        return [entry['message'] for entry in self.sink.messages if address in entry['rcpt_tos']]

    def body_text(self, message):
        part = message.get_body(('html', 'plain'))
        return ' '.join(lxml.html.fromstring(part.get_content()).text_content().split())

    def subscribe_json(self, email=None, action='subscribe'):
        return self.make_jsonrpc_request('/group/subscribe', {'group_id': self.group.id, 'email': email,
                                                              'action': action})

    def link_in(self, message, action):
        match = re.search(rf'href="[^"]*(/group/{action}-confirm\?[^"]*)"',
                          message.get_body(('html',)).get_content())
        self.assertTrue(match, f'no {action} link')
        return match.group(1).replace('&amp;', '&')

    def open_link(self, path, expected_status=200):
        """GET the link's page, then press its button, as a person does."""
        response = self.url_open(path)
        self.assertEqual(response.status_code, expected_status, path)
        tree = lxml.html.fromstring(response.content)
        forms = tree.xpath('//form[contains(@class, "o_mg_confirm_link_form")]')
        if not forms:
            return tree
        data = {field.get('name'): field.get('value') for field in forms[0].xpath('.//input')}
        response = self.url_open(forms[0].get('action'), data=data)
        self.assertEqual(response.status_code, 200)
        return lxml.html.fromstring(response.content)

    def status(self, tree):
        card = tree.xpath('//div[contains(concat(" ", @class, " "), " o_mg_confirmation ")]')
        return card[0].get('class').split('o_mg_status_')[-1], ' '.join(card[0].text_content().split())

    def member_emails(self):
        self.env.invalidate_all()
        return set(self.group.member_ids.mapped('email_normalized'))

    def requests(self, state='pending'):
        self.env.invalidate_all()
        return self.env['mail.group.member.request'].search([('mail_group_id', '=', self.group.id),
                                                             ('state', '=', state)])

    def rpc(self, user, model, method, *args):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args))

    def assertRpcFault(self, code, user, model, method, *args):
        with self.assertRaises(xmlrpc.client.Fault) as caught, mute_logger(*DENIED_LOGS):
            self.rpc(user, model, method, *args)
        self.assertEqual(caught.exception.faultCode, code, caught.exception.faultString)
        return caught.exception.faultString


@tagged('post_install', '-at_install', 'website_mail_group')
class TestApprovalPolicy(PolicyCase):

    def setUp(self):
        super().setUp()
        self.group.subscription_policy = 'approval'

    def test_visitor_confirms_then_a_moderator_approves(self):
        result = self.subscribe_json('New.Comer@Example.com')
        self.assertEqual(result['status'], 'email_sent', 'the same answer as an open group')
        confirmation = self.sent_to('new.comer@example.com')
        self.assertEqual(len(confirmation), 1)
        link = self.link_in(confirmation[0], 'subscribe')
        page = lxml.html.fromstring(self.url_open(link).content)
        self.assertIn('A moderator approves the new members of this group',
                      ' '.join(page.text_content().split()), 'the confirmation page says what follows')

        status, text = self.status(self.open_link(link))
        self.assertEqual(status, 'pending')
        self.assertIn('waits for a moderator', text)
        self.assertNotIn('new.comer@example.com', self.member_emails(), 'not a member before the approval')
        request = self.requests()
        self.assertEqual(request.mapped('email_normalized'), ['new.comer@example.com'])

        alert = self.sent_to(self.moderator.email)
        self.assertEqual([mail['Subject'] for mail in alert], ['Subscription request to Policy List'])
        self.assertIn('new.comer@example.com asks to join Policy List', self.body_text(alert[0]))

        # the same link again: still pending, one request
        self.url_open(link)
        self.assertEqual(len(self.requests()), 1)

        self.sink.messages.clear()
        request.with_user(self.moderator).action_approve()
        self.assertIn('new.comer@example.com', self.member_emails())
        self.assertEqual(request.state, 'approved')
        self.assertEqual(request.decided_by_id, self.moderator)
        welcome = self.sent_to('new.comer@example.com')
        self.assertEqual([mail['Subject'] for mail in welcome], ['Welcome to Policy List'],
                         'the requester is told by the welcome mail')

    def test_a_moderator_declines_and_the_requester_is_told(self):
        self.subscribe_json('nope@example.com')
        self.open_link(self.link_in(self.sent_to('nope@example.com')[0], 'subscribe'))
        self.sink.messages.clear()
        self.rpc(self.moderator, 'mail.group.member.request', 'action_decline', self.requests().ids)
        self.assertNotIn('nope@example.com', self.member_emails())
        self.assertFalse(self.requests())
        told = self.sent_to('nope@example.com')
        self.assertEqual([mail['Subject'] for mail in told], ['Your request to join Policy List'])
        self.assertIn('was declined by its moderators', self.body_text(told[0]))

    def test_logged_in_users_join_button_and_rpc_make_requests(self):
        self.authenticate('pol_portal', 'pol_portal')
        result = self.subscribe_json()
        self.assertEqual(result['status'], 'pending')
        self.assertNotIn('pol_portal@people.example.com', self.member_emails())
        self.rpc(self.portal, 'mail.group', 'action_join', self.group.ids)
        self.rpc(self.employee, 'mail.group', 'action_join', self.group.ids)
        self.assertNotIn('pol_portal@people.example.com', self.member_emails())
        self.assertNotIn('pol_employee@people.example.com', self.member_emails())
        self.assertEqual(self.requests().partner_id, self.portal.partner_id | self.employee.partner_id,
                         'one request each, however often they ask')
        # the moderator joins their own group at once
        self.rpc(self.moderator, 'mail.group', 'action_join', self.group.ids)
        self.assertIn('pol_moderator@people.example.com', self.member_emails())

    def test_two_requests_at_once_make_one(self):
        """Two tabs, or a double click, ask at the same moment: each saw no
        request yet; the database keeps one pending row per person."""
        Request = self.env['mail.group.member.request'].sudo()
        values = {'mail_group_id': self.group.id, 'email': 'twice@example.com'}
        Request.create(values)
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger('odoo.sql_db'), self.env.cr.savepoint():
            Request.create(values)
        with patch.object(type(Request), 'search', lambda *args, **kwargs: Request.browse()):
            self.assertFalse(Request._request(self.group, 'twice@example.com'),
                             'the second ask, which could not see the first, makes no second row')
        self.assertEqual(len(self.requests()), 1)

    def test_pending_requests_are_in_the_daily_reminder(self):
        self.rpc(self.portal, 'mail.group', 'action_join', self.group.ids)
        self.sink.messages.clear()
        self.env['mail.group']._cron_notify_moderators()
        reminder = [mail for mail in self.sent_to(self.moderator.email)
                    if mail['Subject'] == 'Subscription requests are waiting in Policy List']
        self.assertEqual(len(reminder), 1)
        self.assertIn('Paula Policy <pol_portal@people.example.com>', self.body_text(reminder[0]))

    def test_only_moderators_decide(self):
        self.rpc(self.portal, 'mail.group', 'action_join', self.group.ids)
        request = self.requests()
        self.assertRpcFault(ACCESS_ERROR, self.portal, 'mail.group.member.request', 'action_approve', request.ids)
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group.member.request', 'action_approve', request.ids)
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group.member.request', 'action_decline', request.ids)
        self.assertEqual(self.rpc(self.employee, 'mail.group.member.request', 'search_read', []), [],
                         'an employee sees nobody\'s request')
        self.assertRpcFault(ACCESS_ERROR, self.portal, 'mail.group.member.request', 'search_read', [])
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group.member.request', 'write', request.ids,
                            {'state': 'approved'})
        # a member of the group who is no moderator cannot either
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'partner_id': self.employee.partner_id.id})
        self.assertRpcFault(ACCESS_ERROR, self.employee, 'mail.group.member.request', 'action_approve', request.ids)
        self.assertEqual(self.requests(), request)
        self.assertNotIn('pol_portal@people.example.com', self.member_emails())

    def test_the_answer_never_says_who_is_member_or_pending(self):
        self.rpc(self.portal, 'mail.group', 'action_join', self.group.ids)
        answers = {email: self.subscribe_json(email) for email in (
            'old@members.example.com', 'pol_portal@people.example.com', 'stranger@example.com')}
        self.assertEqual(len({(answer['status'], answer['message'].split(' to ')[0]) for answer in answers.values()}),
                         1, answers)


@tagged('post_install', '-at_install', 'website_mail_group')
class TestInvitationOnlyPolicy(PolicyCase):

    def setUp(self):
        super().setUp()
        self.group.subscription_policy = 'invitation'

    def test_no_public_subscription_by_any_path(self):
        page = lxml.html.fromstring(self.url_open('/groups').content)
        card = page.xpath(f'//div[@data-group-id="{self.group.id}"]')[0]
        self.assertFalse(card.xpath('.//input[@name="email"]'), 'no subscribe form')
        self.assertIn('by invitation only', card.text_content())
        archive = lxml.html.fromstring(self.url_open(f'/groups/{slug(self.group)}').content)
        self.assertFalse(archive.xpath('//form[contains(@class, "o_mg_subscribe_form")]'))

        self.assertEqual(self.subscribe_json('visitor@example.com')['status'], 'refused')
        self.env['mail.thread'].message_process(None, raw_mail(
            'visitor@example.com', f'policy+subscribe@{self.DOMAIN}', 'subscribe', '',
            message_id=make_msgid(domain='example.com')))
        self.assertEqual(self.sent_to('visitor@example.com'), [], 'no confirmation link, by the web nor by mail')
        # a link signed before the policy changed no longer joins
        old_link = self.group._generate_action_url('visitor@example.com', 'subscribe').split('/group/', 1)[1]
        status, text = self.status(self.open_link('/group/' + old_link, 403))
        self.assertEqual(status, 'refused')
        self.assertIn('by invitation only', text)

        self.authenticate('pol_portal', 'pol_portal')
        self.assertEqual(self.subscribe_json()['status'], 'refused')
        fault = self.assertRpcFault(USER_ERROR, self.portal, 'mail.group', 'action_join', self.group.ids)
        self.assertIn('by invitation only', fault)
        self.assertRpcFault(USER_ERROR, self.employee, 'mail.group', 'action_join', self.group.ids)
        self.assertEqual(self.member_emails(), {'old@members.example.com'})
        self.assertFalse(self.requests())

    def test_a_managers_invitation_joins(self):
        wizard = self.env['mail.group.member.import'].with_user(self.moderator).create({
            'mail_group_id': self.group.id, 'emails': 'Invited One <invited@example.com>', 'mode': 'invite'})
        wizard.action_import()
        invitation = self.sent_to('invited@example.com')
        self.assertEqual(len(invitation), 1)
        status, _text = self.status(self.open_link(self.link_in(invitation[0], 'invite')))
        self.assertEqual(status, 'subscribed')
        self.assertIn('invited@example.com', self.member_emails())

    def test_a_member_still_leaves(self):
        self.env['mail.group.member'].create({'mail_group_id': self.group.id, 'partner_id': self.portal.partner_id.id})
        self.authenticate('pol_portal', 'pol_portal')
        archive = lxml.html.fromstring(self.url_open(f'/groups/{slug(self.group)}').content)
        self.assertTrue(archive.xpath('//button[contains(@class, "o_mg_unsubscribe_btn")]'))
        self.assertEqual(self.subscribe_json(action='unsubscribe')['status'], 'unsubscribed')
        self.assertNotIn('pol_portal@people.example.com', self.member_emails())
