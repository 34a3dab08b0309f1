"""Moderating a post: accept, reject (with an explanation), discard,
whitelist or ban its author, and the actions of the back office."""
from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    # ------------------------------------------------------------
    # MODERATION
    # ------------------------------------------------------------

    def _check_can_moderate(self):
        if not all(group._can_moderate() for group in self.sudo().mail_group_id.with_env(self.env)):
            raise AccessError(_('Only the moderators of a group can moderate its messages.'))

    def _assert_pending(self):
        if any(message.moderation_status != 'pending_moderation' for message in self):
            raise UserError(_('This message has already been moderated.'))

    def action_moderate_accept(self):
        self._check_can_moderate()
        self._assert_pending()
        self.sudo().write({'moderation_status': 'accepted', 'moderator_id': self.env.uid,
                           'accepted_date': fields.Datetime.now()})
        self._audit_decision(_('Accepted'))
        for message in self.sudo():
            message.mail_group_id._notify_members(message)
        return True

    def action_moderate_reject(self):
        self._check_can_moderate()
        self._assert_pending()
        self.sudo().write({'moderation_status': 'rejected', 'moderator_id': self.env.uid})
        self._audit_decision(_('Rejected'))
        return True

    def action_moderate_reject_with_comment(self, reject_subject, reject_comment):
        self._check_can_moderate()
        self._assert_pending()
        posts = self
        if reject_comment:
            self._send_moderation_answer(reject_subject, reject_comment)
            posts = self.with_context(mail_group_undo=False)  # the author was told: no undo
        return posts.action_moderate_reject()

    def action_moderate_discard(self):
        """Throw pending posts away with their files, telling nobody (spam).
        Only messages of the post's own group are deleted."""
        self._check_can_moderate()
        self._assert_pending()
        self._audit_decision(_('Discarded'))
        posts = self.sudo()
        attachments = posts._owned_attachments()
        messages = posts.filtered(
            lambda post: (post.mail_message_id.model, post.mail_message_id.res_id) == ('mail.group', post.mail_group_id.id)
        ).mail_message_id
        attachments.unlink()
        posts.unlink()
        messages.unlink()
        return True

    def action_moderate_allow(self):
        self._create_moderation_rule('allow')
        self._audit_decision(_('Author whitelisted'))
        return True

    def action_moderate_ban(self):
        self._create_moderation_rule('ban')
        self._audit_decision(_('Author banned'))
        return True

    def _audit_decision(self, decision):
        """One audit entry per post: the decision, the post's subject."""
        self.env['mail.group.audit']._log([{
            'mail_group_id': post.mail_group_id.id, 'event': 'moderation', 'email': post.email_from,
            'detail': f'{decision}: {post.subject or _("(no subject)")}'[:200],
        } for post in self.sudo()])

    def action_moderate_ban_with_comment(self, ban_subject, ban_comment):
        self._check_can_moderate()
        posts = self
        if ban_comment:
            self._send_moderation_answer(ban_subject, ban_comment, banned=True)
            posts = self.with_context(mail_group_undo=False)  # the author was told: no undo
        return posts.action_moderate_ban()

    def _create_moderation_rule(self, status):
        """One rule per (group, author address), naming the author partner
        of a post written from an account (``author_from_account``); settles
        every pending post of the address in the group (allow: accept, ban:
        reject)."""
        self._check_can_moderate()
        if any(not message.email_from_normalized for message in self):
            raise UserError(_('The author of this message has no valid email address.'))
        keys = {}
        for message in self.sudo():
            key = (message.mail_group_id.id, message.email_from_normalized)
            keys[key] = keys.get(key) or (message.author_from_account and message.author_id.id)
        Rule = self.env['mail.group.moderation'].sudo()
        existing = Rule.search([
            ('mail_group_id', 'in', [group_id for group_id, __ in keys]),
            ('email', 'in', [email for __, email in keys]),
        ])
        existing = existing.filtered(lambda r: (r.mail_group_id.id, r.email) in keys)
        for rule in existing:
            partner_id = keys[(rule.mail_group_id.id, rule.email)]
            rule.write({'status': status, **({'partner_id': partner_id} if partner_id else {})})
        missing = keys.keys() - {(rule.mail_group_id.id, rule.email) for rule in existing}
        Rule.create([{'mail_group_id': group_id, 'email': email, 'status': status, 'partner_id': keys[group_id, email]}
                     for group_id, email in missing])

        pending = self.sudo().search([
            ('mail_group_id', 'in', [group_id for group_id, __ in keys]),
            ('email_from_normalized', 'in', [email for __, email in keys]),
            ('moderation_status', '=', 'pending_moderation'),
        ]).filtered(lambda m: (m.mail_group_id.id, m.email_from_normalized) in keys)
        if status == 'allow':
            pending.action_moderate_accept()
        else:
            pending.action_moderate_reject()

    # _send_moderation_answer and _reply_to_author: mail_group_message_mail.py

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send(self):
        """Emails → New → Send: the web client saves the record, and saving
        a new message posts it; this only reloads the form."""
        return True

    def action_open_reject_wizard(self, action='reject'):
        self._check_can_moderate()
        return {
            'name': _('Reject') if action == 'reject' else _('Ban'),
            'type': 'ir.actions.act_window',
            'res_model': 'mail.group.message.reject',
            'view_mode': 'form',
            'target': 'new',
            'context': {
                'default_mail_group_message_id': self.id,
                'default_action': action,
            },
        }

    def action_moderate_reject_open(self):
        self.ensure_one()
        self._check_can_moderate()
        self._assert_pending()
        return self.action_open_reject_wizard('reject')

    def action_moderate_ban_open(self):
        self.ensure_one()
        self._check_can_moderate()
        return self.action_open_reject_wizard('ban')
