from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError


class MailGroupMember(models.Model):
    _name = 'mail.group.member'
    _description = 'Mailing List Member'
    _rec_name = 'email'
    _order = 'id DESC'

    email = fields.Char('Email', compute='_compute_email', readonly=False, store=True)
    email_normalized = fields.Char('Normalized Email', compute='_compute_email_normalized', index=True, store=True)
    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, index=True, ondelete='cascade')
    partner_id = fields.Many2one('res.partner', 'Partner', ondelete='cascade', index='btree_not_null')
    delivery_mode = fields.Selection([
        ('every', 'Every message'),
        ('daily', 'Daily digest'),
        ('weekly', 'Weekly digest'),
        ('none', 'No mail (web only)'),
    ], string='Delivery', required=True, default='every',
        help='Every post as it is accepted, one digest a day or a week, or nothing (read on the website).')
    bounce_count = fields.Integer('Delivery Failures', default=0, readonly=True,
                                  help='Permanent delivery failures of group posts to this member.')
    last_bounce_date = fields.Datetime('Last Delivery Failure', readonly=True)

    _sql_constraints = [
        ('unique_partner', 'UNIQUE(partner_id, mail_group_id)', 'This partner is already a member of the group.'),
    ]

    def init(self):
        # one partner-less member per address and group, enforced by PostgreSQL
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mail_group_member_unique_email_no_partner
                ON mail_group_member (mail_group_id, email_normalized)
             WHERE partner_id IS NULL
        """)

    @api.depends('partner_id.email')
    def _compute_email(self):
        for member in self:
            if member.partner_id:
                member.email = member.partner_id.email
            elif not member.email:
                member.email = False

    @api.depends('email')
    def _compute_email_normalized(self):
        for member in self:
            member.email_normalized = tools.email_normalize(member.email)

    @api.constrains('email')
    def _check_email(self):
        for member in self:
            if not tools.email_normalize(member.email):
                raise ValidationError(_('The email "%s" is not valid.', member.email))

    def _register_delivery_failure(self):
        """A permanent delivery failure (5xx) of a post to these members."""
        now = fields.Datetime.now()
        for member in self.sudo():
            member.write({'bounce_count': member.bounce_count + 1, 'last_bounce_date': now})
