from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_SESSIONS = 4  # also the cap for Odoo's configured server (no ir.mail_server record)


class IrMailServer(models.Model):
    _inherit = 'ir.mail_server'

    mail_group_max_sessions = fields.Integer(
        'Concurrent Sessions for Mailing Lists', default=DEFAULT_SESSIONS,
        help='How many SMTP sessions the workers sending copies of mailing-list posts may open to this '
             'server at once, over every Odoo server on the database.')

    @api.constrains('mail_group_max_sessions')
    def _check_mail_group_max_sessions(self):
        if any(server.mail_group_max_sessions < 1 for server in self):
            raise ValidationError(_('A mail server needs at least one concurrent session for mailing lists.'))
