"""Attacks on posting, posts and moderation, performed as the real actor
through JSON-RPC (/web/dataset/call_kw), HTTP and the mail gateway."""
import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from .common import MailGroupCommon

REFUSED_LOGGERS = ('odoo.http', 'odoo.models', 'odoo.addons.base.models.ir_rule',
                   'odoo.addons.base.models.ir_attachment', 'odoo.addons.mail.models.mail_thread')


@tagged('post_install', '-at_install')
class TestAttacksPosting(MailGroupCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a group user_moderator does not moderate
        cls.group_foreign = cls.env['mail.group'].create({
            'name': 'Foreign List', 'alias_name': 'foreign-list', 'access_mode': 'public',
            'moderation': True, 'moderator_ids': [(4, cls.user_admin.id)],
        })
        # a private note on a record, readable by the admin only (no model: a direct message)
        cls.private_message = cls.env['mail.message'].create({
            'body': '<p>Private chat: the salary of Bob</p>', 'subject': 'Private chat',
            'message_type': 'comment', 'author_id': cls.user_admin.partner_id.id,
            'partner_ids': [(4, cls.user_admin.partner_id.id)],
        })
        secret_group = cls.env['mail.group'].create({
            'name': 'Board', 'alias_name': 'board', 'access_mode': 'members',
            'moderator_ids': [(4, cls.user_admin.id)],
        })
        cls.secret_attachment = cls.env['ir.attachment'].create({
            'name': 'board-minutes.txt', 'raw': b'Board minutes: layoffs', 'res_model': 'mail.group',
            'res_id': secret_group.id})
        cls.other_upload = cls.env['ir.attachment'].with_user(cls.user_moderator).create({
            'name': 'mona-draft.txt', 'raw': b'Mona draft', 'res_model': 'mail.compose.message', 'res_id': 0})

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    def call(self, user, model, method, args, **kwargs):
        """``model.method(*args, **kwargs)`` through /web/dataset/call_kw as ``user``."""
        self.env.flush_all()
        self.authenticate(user.login, user.login)
        try:
            return self.make_jsonrpc_request(f'/web/dataset/call_kw/{model}/{method}', {
                'model': model, 'method': method, 'args': args, 'kwargs': kwargs})
        finally:
            self.env.invalidate_all()

    def url_open(self, url, *args, **kwargs):
        self.env.flush_all()
        return super().url_open(url, *args, **kwargs)

    def assertRefused(self, user, model, method, args, exception='odoo.exceptions.AccessError', **kwargs):
        with self.assertRaises(JsonRpcException) as caught, mute_logger(*REFUSED_LOGGERS):
            self.call(user, model, method, args, **kwargs)
        self.assertEqual(str(caught.exception), exception)

    def posts(self, group):
        return self.env['mail.group.message'].sudo().search([('mail_group_id', '=', group.id)])

    def mailed_attachments(self):
        return self.env['mail.mail'].sudo().search([('mail_group_post', '=', True)]).attachment_ids

    def raw_post_with_attachment(self, group, subject, content=b'salaries.csv content'):
        boundary = 'XXBOUNDARY'
        body = (
            f'--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n'
            f'--{boundary}\r\nContent-Type: text/plain; name="held.txt"\r\n'
            f'Content-Disposition: attachment; filename="held.txt"\r\n'
            f'Content-Transfer-Encoding: base64\r\n\r\n{base64.b64encode(content).decode()}\r\n'
            f'--{boundary}--'
        )
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            message_id = self.post_raw(group, 'stranger@example.org', subject=subject, body=body,
                                       content_type=f'multipart/mixed; boundary="{boundary}"')
        return self.group_message(message_id)

    # ------------------------------------------------------------
    # 1. posting over RPC
    # ------------------------------------------------------------

    def test_portal_user_cannot_post_over_rpc(self):
        before = self.posts(self.group_public)
        self.assertRefused(self.user_portal, 'mail.group', 'message_post', [self.group_public.id],
                           body='<p>Portal spam</p>', subject='Spam', attachment_ids=[self.secret_attachment.id])
        self.assertEqual(self.posts(self.group_public), before)
        self.assertNotIn(self.secret_attachment, self.mailed_attachments())

    def test_post_with_foreign_attachments(self):
        """Files the employee cannot read, or someone else's upload, are
        neither mailed nor re-pointed to the group."""
        before = self.posts(self.group_public)
        for attachment in (self.secret_attachment, self.other_upload):
            self.assertRefused(self.user_employee, 'mail.group', 'message_post', [self.group_public.id],
                               body='<p>Look</p>', subject='Files', attachment_ids=[attachment.id])
        self.assertEqual(self.posts(self.group_public), before)
        self.assertFalse(self.mailed_attachments())
        self.assertEqual((self.secret_attachment.res_model, self.other_upload.res_model),
                         ('mail.group', 'mail.compose.message'))
        self.assertFalse(self.other_upload.res_id)

    def test_post_as_a_moderator_to_skip_moderation(self):
        moderator = self.user_moderator
        for forged in ({'author_id': moderator.partner_id.id}, {'email_from': moderator.email_formatted},
                       {'author_id': moderator.partner_id.id, 'email_from': moderator.email}):
            self.assertRefused(self.user_employee, 'mail.group', 'message_post', [self.group_moderated.id],
                               body='<p>Buy now</p>', subject='Forged', **forged)
        self.assertFalse(self.posts(self.group_moderated))
        self.assertFalse(self.env['mail.mail'].sudo().search([('mail_group_post', '=', True)]))

    def test_forged_gateway_context(self):
        """Context keys a caller controls do not replace the gateway's facts."""
        self.group_public.max_message_size_kb = 1
        context = {'mail_group_inbound': {'size': 1, 'suspicious': False, 'headers': {}, 'recipient_count': 0},
                   'from_alias': True}
        self.call(self.user_employee, 'mail.group', 'message_post', [self.group_public.id],
                  body='<p>%s</p>' % ('x' * 3000), subject='Big', context=context)
        self.call(self.user_employee, 'mail.group', 'message_post', [self.group_public.id],
                  body='<p><a href="javascript:alert(1)">click</a></p>', subject='Active', context=context)
        posts = self.posts(self.group_public).sorted('id')
        self.assertEqual(posts.mapped('moderation_status'), ['pending_moderation'] * 2)
        self.assertEqual(posts.mapped('moderation_reason'), ['too_large', 'suspicious'])
        self.assertFalse(self.env['mail.mail'].sudo().search([('mail_group_post', '=', True)]))

    def test_forged_message_id_does_not_claim_a_real_mail(self):
        real_id = '<real-post-1@sender.example.com>'
        self.call(self.user_employee, 'mail.group', 'message_post', [self.group_public.id],
                  body='<p>Squatting</p>', subject='Squat', message_id=real_id)
        self.assertNotEqual(self.posts(self.group_public).mail_message_id.message_id, real_id)
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.post_raw(self.group_public, 'cathy@customer.example.com', subject='The real one', message_id=real_id)
        real = self.group_message(real_id)
        self.assertEqual(real.subject, 'The real one')
        self.assertEqual(real.author_id, self.partner_customer)

    def test_forged_date_type_and_parent(self):
        held = self.raw_post_with_attachment(self.group_moderated, 'Held secret subject')
        private_parent = self.private_message
        for parent in (held.mail_message_id, private_parent):
            self.assertRefused(self.user_employee, 'mail.group', 'message_post', [self.group_moderated.id],
                               body='<p>reply</p>', parent_id=parent.id)
        self.assertEqual(self.posts(self.group_moderated), held)

        old = fields.Datetime.now() - timedelta(days=700)
        self.call(self.user_employee, 'mail.group', 'message_post', [self.group_public.id], body='<p>Old news</p>',
                  subject='Backdated', date=fields.Datetime.to_string(old), message_type='notification')
        post = self.posts(self.group_public)
        self.assertGreater(post.date, fields.Datetime.now() - timedelta(hours=1))
        self.assertEqual(post.mail_message_id.message_type, 'email')
        self.assertEqual(post.author_id, self.partner_employee)

    # ------------------------------------------------------------
    # 2. wrapping foreign messages, rewriting posts
    # ------------------------------------------------------------

    def test_wrap_private_message(self):
        original = self.private_message
        self.assertRefused(self.user_employee, 'mail.group.message', 'create', [{
            'mail_group_id': self.group_public.id, 'mail_message_id': original.id,
            'moderation_status': 'accepted'}])
        self.assertFalse(self.env['mail.group.message'].sudo().search([('mail_message_id', '=', original.id)]))
        page = self.url_open(f'/groups/{self.group_public.id}')
        self.assertNotIn('salary of Bob', page.text)
        # the moderator's Discard of every pending post leaves the original alone
        for post in self.posts(self.group_public).filtered(lambda p: p.moderation_status == 'pending_moderation'):
            self.call(self.user_moderator, 'mail.group.message', 'action_moderate_discard', [post.id])
        self.assertTrue(original.exists())
        self.assertIn('salary of Bob', original.body)

    def test_moderator_moves_post_to_foreign_group(self):
        pending = self.raw_post_with_attachment(self.group_moderated, 'Mine')
        self.assertRefused(self.user_moderator, 'mail.group.message', 'write', [[pending.id], {
            'mail_group_id': self.group_foreign.id}])
        foreign = self.raw_post_with_attachment(self.group_foreign, 'Foreign pending')
        self.assertRefused(self.user_moderator, 'mail.group.message', 'write', [[pending.id], {
            'mail_message_id': foreign.mail_message_id.id}])
        # nor thread it under a foreign post, which the archive would show with it
        self.assertRefused(self.user_moderator, 'mail.group.message', 'write', [[pending.id], {
            'group_message_parent_id': foreign.id}], exception='odoo.exceptions.ValidationError')
        self.assertEqual((pending.mail_group_id, pending.mail_message_id.subject), (self.group_moderated, 'Mine'))
        self.assertFalse(pending.group_message_parent_id)

    def test_rewrite_posts_through_related_fields(self):
        # an author edits their accepted post after the moderator approved it
        post = self.env['mail.group.message'].with_user(self.user_employee).create({
            'mail_group_id': self.group_moderated.id, 'subject': 'Honest', 'body': '<p>Honest</p>'})
        post.with_user(self.user_moderator).action_moderate_accept()
        self.assertRefused(self.user_employee, 'mail.group.message', 'write', [[post.id], {'body': '<p>Spam</p>'}])
        self.assertRefused(self.user_employee, 'mail.message', 'write', [[post.mail_message_id.id],
                                                                            {'body': '<p>Spam</p>'}])
        self.assertEqual(post.body, '<p>Honest</p>')
        # a moderator attaches a file of another record, to publish it with the post
        readable = self.env['ir.attachment'].create({
            'name': 'contract.pdf', 'raw': b'contract', 'res_model': 'res.partner',
            'res_id': self.partner_customer.id})
        self.assertRefused(self.user_moderator, 'mail.group.message', 'write', [[post.id], {
            'attachment_ids': [(4, readable.id)]}])
        self.assertRefused(self.user_moderator, 'mail.message', 'write', [[post.mail_message_id.id], {
            'attachment_ids': [(6, 0, [readable.id])]}])
        self.assertRefused(self.user_moderator, 'mail.message', 'write', [[post.mail_message_id.id], {
            'model': 'res.partner', 'res_id': self.partner_customer.id}])
        self.assertFalse(post.attachment_ids)
        self.assertEqual(readable.res_model, 'res.partner')

    def test_discard_deletes_attachments(self):
        pending = self.raw_post_with_attachment(self.group_moderated, 'Spam with file')
        attachment = pending.attachment_ids
        self.assertTrue(attachment)
        self.call(self.user_moderator, 'mail.group.message', 'action_moderate_discard', [pending.id])
        self.assertFalse(pending.exists())
        self.assertFalse(attachment.exists())

    # ------------------------------------------------------------
    # 8. attachments of held posts
    # ------------------------------------------------------------

    def test_held_post_attachments_hidden(self):
        held = self.raw_post_with_attachment(self.group_moderated, 'Held', content=b'held secret content')
        rejected = self.raw_post_with_attachment(self.group_moderated, 'Rejected', content=b'rejected content')
        rejected.with_user(self.user_moderator).action_moderate_reject()
        for post in (held, rejected):
            attachment = post.attachment_ids
            self.assertEqual(len(attachment), 1)
            self.assertRefused(self.user_employee, 'ir.attachment', 'read', [attachment.ids, ['raw', 'name']])
            self.assertFalse(self.call(self.user_employee, 'ir.attachment', 'search_read',
                                       [[('id', '=', attachment.id)], ['raw', 'name']]))
            for user in (self.user_employee, self.user_portal):
                self.authenticate(user.login, user.login)
                response = self.url_open(f'/web/content/{attachment.id}?download=true')
                self.assertNotIn(b'content', response.content)
                self.assertIn(response.status_code, (403, 404))
        # the moderator sees it; once accepted, so does whoever reads the group
        self.assertEqual(self.call(self.user_moderator, 'ir.attachment', 'read', [held.attachment_ids.ids, ['name']])
                         [0]['name'], 'held.txt')
        self.call(self.user_moderator, 'mail.group.message', 'action_moderate_accept', [held.id])
        self.assertEqual(self.call(self.user_employee, 'ir.attachment', 'search_read',
                                   [[('id', '=', held.attachment_ids.id)], ['name']])[0]['name'], 'held.txt')
        self.authenticate(None, None)
        page = self.url_open(f'/groups/{self.group_moderated.id}/{held.id}')
        link = next(part for part in page.text.split('"') if part.startswith(f'/web/content/{held.attachment_ids.id}?'))
        self.assertEqual(self.url_open(link.replace('&amp;', '&')).content, b'held secret content')
        self.assertEqual(self.queued_mails(held)['plain@member.example.com'].attachment_ids, held.attachment_ids)

    # ------------------------------------------------------------
    # 10. reject wizard and moderation actions
    # ------------------------------------------------------------

    def test_reject_wizard_needs_a_moderator(self):
        pending = self.raw_post_with_attachment(self.group_moderated, 'Secret pending subject')
        self.assertRefused(self.user_employee, 'mail.group.message.reject', 'create', [{
            'mail_group_message_id': pending.id, 'action': 'ban'}])
        # a moderator's wizard is not readable by others, nor movable to a foreign post
        wizard_id = self.call(self.user_moderator, 'mail.group.message.reject', 'create', [{
            'mail_group_message_id': pending.id}])
        self.assertRefused(self.user_employee, 'mail.group.message.reject', 'read', [[wizard_id], ['subject']])
        foreign = self.raw_post_with_attachment(self.group_foreign, 'Foreign secret subject')
        self.assertRefused(self.user_moderator, 'mail.group.message.reject', 'write', [[wizard_id], {
            'mail_group_message_id': foreign.id}])
        self.assertEqual(foreign.moderation_status, 'pending_moderation')
        self.assertFalse(self.env['mail.group.moderation'].sudo().search([('email', '=', 'stranger@example.org')]))

    def test_moderation_actions_need_a_moderator(self):
        """On a post the attacker may read: an accepted post of a public group."""
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            post = self.group_message(self.post_raw(self.group_public, 'cathy@customer.example.com'))
        self.assertEqual(self.call(self.user_employee, 'mail.group.message', 'read', [[post.id], ['subject']])
                         [0]['subject'], 'Hello list')
        for method, args in (
                ('action_moderate_accept', []), ('action_moderate_reject', []), ('action_moderate_discard', []),
                ('action_moderate_allow', []), ('action_moderate_ban', []),
                ('action_moderate_reject_with_comment', ['s', '<p>c</p>']),
                ('action_moderate_ban_with_comment', ['s', '<p>c</p>']),
                ('action_moderate_reject_open', []), ('action_moderate_ban_open', []),
                ('action_open_reject_wizard', ['ban'])):
            self.assertRefused(self.user_employee, 'mail.group.message', method, [[post.id], *args])
        self.assertEqual(post.moderation_status, 'accepted')
        self.assertFalse(self.group_public.moderation_rule_ids)
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'cathy@customer')]))

    # ------------------------------------------------------------
    # what must keep working
    # ------------------------------------------------------------

    def test_back_office_post_with_own_upload(self):
        """Emails → New → Send: the form uploads the file, then saves the post."""
        upload_id = self.call(self.user_employee, 'ir.attachment', 'create', [{
            'name': 'agenda.txt', 'raw': base64.b64encode(b'agenda').decode(), 'res_model': 'mail.group.message',
            'res_id': 0}])
        post_id = self.call(self.user_employee, 'mail.group.message', 'create', [{
            'mail_group_id': self.group_public.id, 'subject': 'Agenda', 'body': '<p>Agenda attached</p>',
            'attachment_ids': [(6, 0, [upload_id])]}])
        post = self.env['mail.group.message'].browse(post_id)
        self.assertEqual((post.moderation_status, post.author_id), ('accepted', self.partner_employee))
        self.assertEqual((post.attachment_ids.id, post.attachment_ids.res_model, post.attachment_ids.res_id),
                         (upload_id, 'mail.group.message', post.id))
        self.assertEqual(self.queued_mails(post)['plain@member.example.com'].attachment_ids, post.attachment_ids)
        # the group's moderator may post in someone's name (the form's From field)
        self.call(self.user_moderator, 'mail.group', 'message_post', [self.group_moderated.id],
                  body='<p>Forwarded</p>', subject='On behalf', email_from='Cathy <cathy@customer.example.com>')
        forwarded = self.posts(self.group_moderated)
        self.assertEqual((forwarded.author_id, forwarded.moderation_status), (self.partner_customer, 'pending_moderation'))
