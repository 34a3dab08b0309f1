"""The reject / ban wizard of a held post: with or without an explanation
mailed to its author."""
from odoo import api, fields, models, tools


class MailGroupMessageReject(models.TransientModel):
    _name = 'mail.group.message.reject'
    _description = 'Reject Group Message'

    mail_group_message_id = fields.Many2one('mail.group.message', string='Message', required=True, readonly=True)
    action = fields.Selection([('reject', 'Reject'), ('ban', 'Ban')], required=True, default='reject')
    subject = fields.Char(compute='_compute_subject', readonly=False, store=True)
    body = fields.Html('Contents', default='', sanitize_style=True)
    email_from_normalized = fields.Char(related='mail_group_message_id.email_from_normalized')
    send_email = fields.Boolean(compute='_compute_send_email',
                                help='Whether an explanation is mailed to the author.')

    @api.model_create_multi
    def create(self, vals_list):
        """Only who moderates the post opens the wizard: its computed
        fields read the post as superuser."""
        self.env['mail.group.message'].browse(
            [values['mail_group_message_id'] for values in vals_list if values.get('mail_group_message_id')]
        )._check_can_moderate()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get('mail_group_message_id'):
            self.env['mail.group.message'].browse(vals['mail_group_message_id'])._check_can_moderate()
        return super().write(vals)

    @api.depends('mail_group_message_id', 'action')
    def _compute_subject(self):
        for wizard in self:
            message = wizard.mail_group_message_id
            wizard.subject = message._moderation_answer_subject(wizard.action == 'ban') if message else False

    @api.depends('body')
    def _compute_send_email(self):
        for wizard in self:
            wizard.send_email = not tools.is_html_empty(wizard.body)

    def action_send_mail(self):
        """Send & Reject / Send & Ban."""
        self.ensure_one()
        message = self.mail_group_message_id
        message._check_can_moderate()
        if self.action == 'reject':
            result = message.action_moderate_reject_with_comment(self.subject, self.body)
        else:
            result = message.action_moderate_ban_with_comment(self.subject, self.body)
        return self._next_action(result)

    def action_reject_without_comment(self):
        """Reject Silently / Ban."""
        self.ensure_one()
        message = self.mail_group_message_id
        message._check_can_moderate()
        if self.action == 'reject':
            result = message.action_moderate_reject()
        else:
            result = message.action_moderate_ban()
        return self._next_action(result)

    def _next_action(self, result):
        """Opened from the form: the next post to review (see
        ``mail.group.message._then_next_pending``); else close."""
        return result if isinstance(result, dict) else {'type': 'ir.actions.act_window_close'}
