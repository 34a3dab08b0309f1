from odoo import fields, models


class MailMessage(models.Model):
    _inherit = 'mail.message'

    # lets record rules hide posts that are not accepted (security XML)
    mail_group_message_ids = fields.One2many('mail.group.message', 'mail_message_id', string='Group Message')
