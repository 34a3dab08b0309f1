"""A moderator edits an accepted post (a leaked password, an address): the
new text replaces the old, its files go, the thread shows the edit."""
from odoo import _, api, fields, models


class MailGroupMessageRedact(models.TransientModel):
    _name = 'mail.group.message.redact'
    _description = 'Edit an Accepted Post'

    mail_group_message_id = fields.Many2one('mail.group.message', string='Post', required=True, readonly=True)
    body = fields.Html('New Text', sanitize_style=True)

    @api.model_create_multi
    def create(self, vals_list):
        self.env['mail.group.message'].browse(
            [values['mail_group_message_id'] for values in vals_list if values.get('mail_group_message_id')]
        )._check_can_moderate()
        return super().create(vals_list)

    def action_redact(self):
        self.ensure_one()
        post = self.mail_group_message_id
        post._check_can_moderate()
        post._redact(lambda __: self.body, _('Edited by a moderator on %s.'))
        post._audit_decision(_('Edited after acceptance'))
        return {'type': 'ir.actions.act_window_close'}
