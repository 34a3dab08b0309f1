"""Undoing a moderation that told nobody: a silent reject, a whitelist, a
silent ban. What it changed is kept for the moderator who did it, for
``UNDO_MINUTES``; Undo puts the rejected posts back in review and the
author's rule as it was. What reached someone stays: a post accepted by a
whitelist is sent, an explanation is mailed."""
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

UNDO_MINUTES = 10
UNDOABLE = {'action_moderate_reject': None, 'action_moderate_allow': 'allow', 'action_moderate_ban': 'ban'}


class MailGroupModerationUndo(models.TransientModel):
    _name = 'mail.group.moderation.undo'
    _description = 'Undo of a Moderation'

    message_ids = fields.Many2many('mail.group.message', string='Posts Back to Review')
    # [[rule id, its status before (None: the moderation created it), after], ...]
    rule_states = fields.Json('Rules Before')

    @api.model
    def _snapshot(self, messages, method):
        """What ``method`` (of ``UNDOABLE``) is about to change for the
        pending posts ``messages``: the posts a reject will settle, the rules
        of their authors' addresses and their posts a ban will reject."""
        if method not in UNDOABLE:
            return None
        posts = messages.sudo().filtered(lambda post: post.moderation_status == 'pending_moderation')
        if method == 'action_moderate_reject':
            return {'posts': posts, 'keys': set(), 'rules': {}}
        keys = {(post.mail_group_id.id, post.email_from_normalized) for post in messages.sudo()}
        rules = self._rules_of(keys)
        pending = self.env['mail.group.message'].sudo()
        if method == 'action_moderate_ban':
            pending = pending.search([
                ('mail_group_id', 'in', [group_id for group_id, __ in keys]),
                ('email_from_normalized', 'in', [email for __, email in keys]),
                ('moderation_status', '=', 'pending_moderation'),
            ]).filtered(lambda post: (post.mail_group_id.id, post.email_from_normalized) in keys)
        return {'posts': pending, 'keys': keys, 'rules': {key: (rule.id, rule.status) for key, rule in rules.items()}}

    @api.model
    def _rules_of(self, keys):
        rules = self.env['mail.group.moderation'].sudo().search([
            ('mail_group_id', 'in', [group_id for group_id, __ in keys]),
            ('email', 'in', [email for __, email in keys]),
        ])
        return {(rule.mail_group_id.id, rule.email): rule for rule in rules if (rule.mail_group_id.id, rule.email) in keys}

    @api.model
    def _record(self, snapshot):
        """The undo of a moderation done after ``snapshot``, owned by the
        current user (its only reader)."""
        after = self._rules_of(snapshot['keys'])
        states = [[rule.id, snapshot['rules'].get(key, (None, None))[1], rule.status] for key, rule in after.items()]
        return self.sudo().create({'message_ids': [(6, 0, snapshot['posts'].ids)], 'rule_states': states})

    def action_undo(self):
        """Back to review, the rules as they were; only what nobody has
        changed since (a post moderated again, a rule edited stays)."""
        self.ensure_one()
        if self.create_uid != self.env.user or self.create_date < fields.Datetime.now() - timedelta(minutes=UNDO_MINUTES):
            raise UserError(_('This moderation can no longer be undone.'))
        posts = self.sudo().message_ids.filtered(
            lambda post: post.moderation_status == 'rejected' and post.moderator_id == self.env.user)
        states = {rule_id: (before, after) for rule_id, before, after in self.rule_states or []}
        rules = self.env['mail.group.moderation'].sudo().browse(list(states)).exists().filtered(
            lambda rule: rule.status == states[rule.id][1])
        if not all(group._can_moderate() for group in (posts.mail_group_id | rules.mail_group_id).with_env(self.env)):
            raise AccessError(_('Only the moderators of a group can moderate its messages.'))
        posts.write({'moderation_status': 'pending_moderation', 'moderator_id': False})
        rule_entries = [{'mail_group_id': rule.mail_group_id.id, 'event': 'moderation', 'email': rule.email,
                         'detail': _('Undone: rule of this author')} for rule in rules]
        rules.filtered(lambda rule: not states[rule.id][0]).unlink()
        for rule in rules.exists():
            rule.status = states[rule.id][0]
        self.sudo().unlink()
        posts._audit_decision(_('Undone'))
        self.env['mail.group.audit']._log(rule_entries)
        if posts:
            message = _('Undone: %s posts are back in review.', len(posts)) if len(posts) > 1 else \
                _('Undone: “%s” is back in review.', posts.subject or _('(no subject)'))
        else:
            message = _('Undone: the rule of this author is as it was. Posts already accepted stay sent.')
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {'message': message, 'type': 'info', 'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'}},
        }
