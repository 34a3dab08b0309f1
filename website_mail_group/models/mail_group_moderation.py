"""mail.group.moderation: per-address rules of a group (whitelist, ban),
addresses normalized, with the partner of the post they were made from
when its author was proven (web and Odoo posts)."""
from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError


class MailGroupModeration(models.Model):
    _name = 'mail.group.moderation'
    _description = 'Mailing List black/white list'
    _rec_name = 'email'
    _order = 'create_date DESC, id DESC'

    email = fields.Char(required=True)
    status = fields.Selection([
        ('allow', 'Always allow'),
        ('ban', 'Permanent ban'),
    ], required=True, default='ban')
    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, index=True, ondelete='cascade')
    partner_id = fields.Many2one(
        'res.partner', string='Author', index='btree_not_null', ondelete='set null',
        help='Set when a moderator whitelists or bans a post written from an account: posts from the website or '
             'from Odoo are allowed for this partner only, and banned for this partner or this address.')

    _sql_constraints = [
        ('mail_group_email_uniq', 'UNIQUE(mail_group_id, email)',
         'You can create only one rule for a given email address in a group.'),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for values in vals_list:
            if values.get('email'):
                values['email'] = self._normalize_or_raise(values['email'])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get('email'):
            vals['email'] = self._normalize_or_raise(vals['email'])
        res = super().write(vals)
        if not self.env.su and 'mail_group_id' in vals:
            # Odoo checks the record rules before a write: a rule moved to
            # another group must still be one the writer moderates
            self.check_access_rule('write')
        return res

    @api.model
    def _normalize_or_raise(self, email):
        email_normalized = tools.email_normalize(email)
        if not email_normalized:
            raise UserError(_('Invalid email address "%s".', email))
        return email_normalized
