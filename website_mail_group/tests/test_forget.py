"""Forgetting a person (GDPR) as an administrator does it from Odoo's Privacy
Lookup, and a moderator removing or editing one post: what a visitor then
finds on every page, feed, mbox and search, and who may do it."""
import gzip
import xmlrpc.client

from markupsafe import Markup

from odoo.exceptions import AccessError
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug
from odoo.addons.mail.tests.common import mail_new_test_user

from ..models.mail_group_message_redact import replace_identity
from .rpc import ACCESS_ERROR, DENIED_LOGS
from .test_website import WebsiteMailGroupCase

ANN = 'Annabel Quist <annabel@forget.example.com>'


@tagged('post_install', '-at_install', 'website_mail_group')
class TestForget(WebsiteMailGroupCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ann = cls.env['res.partner'].create({'name': 'Annabel Quist', 'email': 'annabel@forget.example.com'})
        cls.group_public.member_ids = [(0, 0, {'partner_id': cls.ann.id})]
        cls.her_post = cls._post(cls.group_public, 'Annabel Quist on gardening', '<p>Tomatoes need sun. -- Annabel</p>',
                                 email_from=ANN, days=2)
        cls.reply = cls._post(cls.group_public, 'Re: Annabel Quist on gardening',
                              '<p>Annabel Quist &lt;annabel@forget.example.com&gt; wrote: tomatoes</p><p>Agreed.</p>',
                              parent=cls.her_post, days=1)
        cls.env['mail.group.moderation'].create({'mail_group_id': cls.group_public.id,
                                                 'email': 'annabel@forget.example.com', 'status': 'allow'})
        cls.waiting = cls.env['mail.mail'].create({'email_to': ANN, 'mail_group_post': True, 'state': 'outgoing',
                                                   'subject': 'A copy', 'body_html': '<p>copy</p>'})

    def everything_a_visitor_reads(self):
        """The group's page, the thread, its feeds, the mbox and a search, as text."""
        group = slug(self.group_public)
        thread = f'/groups/{group}/{slug(self.her_post)}'
        pages = [self.url_open(url).content for url in (
            f'/groups/{group}', thread, f'{thread}/feed', f'/groups/{group}/feed', f'/groups/{group}/search?q=tomatoes')]
        # searching her name: the results only (the box repeats the query)
        found = self.url_open(f'/groups/{group}/search?q=annabel').content
        pages.append(found[found.find(b'o_mg_search_count'):] if b'o_mg_search_result' in found else b'')
        mbox = self.url_open(f'/groups/{group}/mbox').content
        pages.append(gzip.decompress(mbox) if mbox[:2] == b'\x1f\x8b' else mbox)
        return b'\n'.join(pages).decode('utf-8', 'replace').lower()

    def forget(self, text='keep'):
        lookup = self.env['privacy.lookup.wizard'].create({'name': 'Annabel Quist', 'email': 'annabel@forget.example.com'})
        lookup.action_lookup()
        found = set(lookup.line_ids.res_model_id.mapped('model'))
        self.assertLessEqual({'mail.group.member', 'mail.group.message', 'mail.group.moderation'}, found,
                             "Odoo's Privacy Lookup finds her memberships, posts and rules")
        action = lookup.action_forget_in_mail_groups()
        wizard = self.env['mail.group.forget'].with_context(**action['context']).create({'text': text})
        self.assertEqual(wizard.name, 'Annabel Quist', 'the name looked up')
        wizard.name = 'Annabel Quist, Annabel'  # and the name she signs with
        self.assertEqual(wizard.summary, '1 memberships, 1 posts, 1 moderation rules, 1 copies waiting to be sent')
        wizard.action_forget()
        return wizard

    def test_forgotten_everywhere_text_kept(self):
        self.assertIn('annabel', self.everything_a_visitor_reads())
        self.forget()
        self.assertFalse(self.group_public.member_ids.filtered(lambda m: m.partner_id == self.ann))
        self.assertFalse(self.env['mail.group.moderation'].search([('email', '=', 'annabel@forget.example.com')]))
        self.assertFalse(self.waiting.exists(), 'her waiting copy is not sent')
        read = self.everything_a_visitor_reads()
        self.assertNotIn('annabel', read, 'her name and address are nowhere')
        self.assertNotIn('quist', read)
        self.assertIn('former participant', read)
        self.assertIn('tomatoes need sun', read, 'the text is kept, as chosen')
        self.assertFalse(self.env['mail.group.audit'].search([('email', 'ilike', 'annabel')]),
                         'the audit trail names her no more')

    def test_forgotten_text_removed(self):
        self.forget('remove')
        read = self.everything_a_visitor_reads()
        self.assertNotIn('tomatoes need sun', read)
        self.assertIn("removed at the author's request", read.replace('&#39;', "'"))
        self.assertIn('agreed', read, 'replies stay')

    def test_a_moderator_removes_one_post(self):
        self.reply.with_user(self.user_moderator).action_remove_post()
        read = self.everything_a_visitor_reads()
        self.assertNotIn('agreed', read)
        self.assertIn('removed by a moderator', read, 'a visible trace in the thread')
        self.assertIn('tomatoes need sun', read, 'the thread is still there')
        with self.assertRaises(AccessError):
            self.her_post.with_user(self.user_employee).action_remove_post()

    def test_a_moderator_edits_one_post(self):
        wizard = self.env['mail.group.message.redact'].with_user(self.user_moderator).create({
            'mail_group_message_id': self.reply.id, 'body': '<p>Agreed (address removed).</p>'})
        wizard.action_redact()
        read = self.everything_a_visitor_reads()
        self.assertNotIn('annabel@forget', read)
        self.assertIn('edited by a moderator', read)
        self.assertIn('address removed', read)

    def test_only_administrators_forget(self):
        for user in (self.user_moderator, self.user_portal):
            with self.assertRaises(xmlrpc.client.Fault) as caught, mute_logger(*DENIED_LOGS):
                self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, 'mail.group.forget', 'create',
                                              [{'email': 'annabel@forget.example.com'}], {})
            self.assertEqual(caught.exception.faultCode, ACCESS_ERROR)
        self.assertTrue(self.group_public.member_ids.filtered(lambda m: m.partner_id == self.ann))


@tagged('post_install', '-at_install')
class TestForgetRights(WebsiteMailGroupCase):

    def test_employee_cannot_redact_over_rpc(self):
        employee = mail_new_test_user(self.env, login='forget_employee', groups='base.group_user',
                                      email='forget_employee@example.com')
        post = self._post(self.group_public, 'Keep me', '<p>Keep</p>')
        for method, args in (('action_remove_post', [[post.id]]), ('action_open_redact', [[post.id]])):
            with self.assertRaises(xmlrpc.client.Fault) as caught, mute_logger(*DENIED_LOGS):
                self.xmlrpc_object.execute_kw(self.env.cr.dbname, employee.id, 'forget_employee', 'mail.group.message',
                                              method, args, {})
            self.assertEqual(caught.exception.faultCode, ACCESS_ERROR, method)
        self.assertIn('Keep', post.body)


class TestReplaceIdentity(BaseCase):

    def test_longest_name_first_whatever_the_order_given(self):
        for names in (['Annabel', 'Annabel Quist'], ['Annabel Quist', 'Annabel']):
            self.assertEqual(replace_identity(Markup('<p>Annabel Quist &lt;annabel@x.example&gt; wrote. -- Annabel</p>'),
                                              names, 'annabel@x.example', 'Former participant'),
                             Markup('<p>Former participant &lt;former-participant@example.invalid&gt; wrote. '
                                    '-- Former participant</p>'))
