"""Undo after a moderation that told nobody (a silent reject, a whitelist,
a silent ban), as the web client offers it; nobody else's undo can be
replayed, and what was mailed or sent is not offered."""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MailGroupCommon
from .rpc import RpcAttackCase

LIST = {'mail_group_notify': True}  # what the review list's buttons pass


@tagged('post_install', '-at_install')
class TestModerationUndo(MailGroupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.group_moderated
        cls.group.moderation_notify = False
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            cls.held, cls.held_2, cls.other = (
                MailGroupCommon.group_message(cls, MailGroupCommon.post_raw(cls, cls.group, author, subject=subject))
                for author, subject in (('Paul <paul@poster.example.com>', 'P1'), ('paul@poster.example.com', 'P2'),
                                        ('olga@other.example.com', 'O1')))

    def moderate(self, posts, method, user=None):
        return getattr(posts.with_user(user or self.user_moderator).with_context(**LIST), method)()

    def undo(self, action, user=None):
        self.assertEqual(action['tag'], 'mail_group_moderated', 'the notification offers Undo')
        return self.env['mail.group.moderation.undo'].with_user(user or self.user_moderator).browse(
            action['params']['undo_id']).action_undo()

    def rules(self, email='paul@poster.example.com'):
        return self.env['mail.group.moderation'].search([('mail_group_id', '=', self.group.id), ('email', '=', email)])

    def test_undo_a_silent_reject(self):
        action = self.moderate(self.held, 'action_moderate_reject')
        self.assertEqual(self.held.moderation_status, 'rejected')
        self.assertIn('“P1” rejected.', action['params']['message'])
        done = self.undo(action)
        self.assertEqual((self.held.moderation_status, self.held.moderator_id.id), ('pending_moderation', False))
        self.assertIn('“P1” is back in review', done['params']['message'])
        self.assertEqual(done['params']['next']['tag'], 'soft_reload', 'the list shows the post again')
        audit = self.env['mail.group.audit'].search([('mail_group_id', '=', self.group.id), ('event', '=', 'moderation')],
                                                    order='id')
        self.assertEqual(audit.mapped('detail'), ['Rejected: P1', 'Undone: P1'], 'the audit trail tells both')
        with self.assertRaises(UserError, msg='an undo is used once'):
            self.undo(action)

    def test_undo_a_ban_puts_back_the_rule_and_the_rejected_posts(self):
        action = self.moderate(self.held, 'action_moderate_ban')
        self.assertEqual(self.rules().status, 'ban')
        self.assertEqual((self.held | self.held_2).mapped('moderation_status'), ['rejected'] * 2)
        self.undo(action)
        self.assertFalse(self.rules(), 'the ban rule the moderation created is gone')
        self.assertEqual((self.held | self.held_2 | self.other).mapped('moderation_status'), ['pending_moderation'] * 3)

    def test_undo_a_ban_of_a_whitelisted_author_whitelists_again(self):
        self.env['mail.group.moderation'].create({'mail_group_id': self.group.id, 'email': 'paul@poster.example.com',
                                                  'status': 'allow'})
        self.undo(self.moderate(self.held, 'action_moderate_ban'))
        self.assertEqual(self.rules().status, 'allow')

    def test_undo_a_whitelist_keeps_what_was_sent(self):
        action = self.moderate(self.held, 'action_moderate_allow')
        self.assertEqual((self.held | self.held_2).mapped('moderation_status'), ['accepted'] * 2)
        sent = self.queued_mails(self.held)
        done = self.undo(action)
        self.assertFalse(self.rules(), 'the whitelist is gone')
        self.assertEqual((self.held | self.held_2).mapped('moderation_status'), ['accepted'] * 2)
        self.assertEqual(self.queued_mails(self.held), sent)
        self.assertIn('already accepted stay sent', done['params']['message'])

    def test_nothing_to_undo_when_someone_was_told(self):
        """Accept sends, Send & Reject mails an explanation: no Undo."""
        self.assertEqual(self.moderate(self.held, 'action_moderate_accept')['tag'], 'display_notification')
        wizard = self.env['mail.group.message.reject'].with_user(self.user_moderator).with_context(**LIST).create({
            'mail_group_message_id': self.other.id, 'action': 'reject', 'body': '<p>Off topic.</p>'})
        self.assertEqual(wizard.action_send_mail()['tag'], 'display_notification')
        self.assertFalse(self.env['mail.group.moderation.undo'].search([]))

    def test_an_undo_expires(self):
        action = self.moderate(self.held, 'action_moderate_reject')
        later = fields.Datetime.now() + timedelta(minutes=11)
        with patch.object(fields.Datetime, 'now', lambda *args: later), self.assertRaises(UserError):
            self.undo(action)
        self.assertEqual(self.held.moderation_status, 'rejected')

    def test_a_post_moderated_again_stays(self):
        """Undo restores only what nobody changed since."""
        action = self.moderate(self.held, 'action_moderate_ban')
        self.rules().status = 'allow'
        self.held_2.moderator_id = self.user_admin
        self.undo(action)
        self.assertEqual(self.rules().status, 'allow')
        self.assertEqual((self.held.moderation_status, self.held_2.moderation_status), ('pending_moderation', 'rejected'))


@tagged('post_install', '-at_install')
class TestModerationUndoAttacks(RpcAttackCase):
    """Another moderator, of the same group or not, replays an undo over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login):
            return mail_new_test_user(cls.env, login=login, groups='base.group_user', name=login,
                                      email=f'{login}@example.com')
        cls.mod_a, cls.mod_a2, cls.mod_b = user('undo_mod_a'), user('undo_mod_a2'), user('undo_mod_b')
        Group = cls.env['mail.group'].with_context(mail_create_nolog=True)
        cls.group = Group.create({'name': 'Undo A', 'alias_name': 'undo-a', 'moderation': True,
                                  'moderator_ids': [(4, cls.mod_a.id), (4, cls.mod_a2.id)]})
        cls.post = cls.env['mail.group.message'].create({
            'mail_group_id': cls.group.id, 'subject': 'Held', 'email_from': 'spam@example.org',
            'moderation_status': 'pending_moderation'})

    def test_only_who_moderated_undoes(self):
        action = self.rpc(self.mod_a, 'mail.group.message', 'action_moderate_ban', [self.post.id], context=LIST)
        undo_id = action['params']['undo_id']
        for other in (self.mod_a2, self.mod_b):
            self.assertRpcDenied(other, 'mail.group.moderation.undo', 'action_undo', [undo_id])
        self.assertRpcDenied(self.mod_b, 'mail.group.moderation.undo', 'create',
                             {'rule_states': [[1, 'allow']], 'message_ids': [(6, 0, [self.post.id])]})
        self.env.invalidate_all()
        self.assertEqual(self.post.moderation_status, 'rejected')
        self.rpc(self.mod_a, 'mail.group.moderation.undo', 'action_undo', [undo_id])
        self.env.invalidate_all()
        self.assertEqual(self.post.moderation_status, 'pending_moderation')
