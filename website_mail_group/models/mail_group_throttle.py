"""mail.group.throttle: hourly counters capping mail sent to addresses anyone
can type (confirmations, notices)."""
from datetime import timedelta

from odoo import api, fields, models

# (config parameter, default) per kind of key, per hour
LIMITS = {
    'email': ('website_mail_group.confirmation_limit_email', 3),
    'client': ('website_mail_group.confirmation_limit_client', 20),
    'notice': ('website_mail_group.notice_limit_email', 3),
    'moderator_alert': ('website_mail_group.moderator_alert_limit', 10),  # per group
}


class MailGroupThrottle(models.Model):
    """Recent confirmation mails and notices to post authors, so neither
    /groups nor forged posts can make the list mail-bomb an address (per
    address) and one client cannot send many (per IP)."""
    _name = 'mail.group.throttle'
    _description = 'Mail Group Confirmation Throttle'
    _log_access = False

    key = fields.Char(required=True, index=True)
    sent_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    @api.model
    def _allow(self, keys):
        """Whether every key of ``keys`` ({kind: value}) is under its hourly
        limit; if so, the sending is recorded against each of them."""
        since = fields.Datetime.now() - timedelta(hours=1)
        get_param = self.env['ir.config_parameter'].sudo().get_param
        throttle = self.sudo()
        allowed = True
        for kind, value in keys.items():
            if not value:
                continue
            parameter, default = LIMITS[kind]
            limit = int(get_param(parameter, default))
            key = f'{kind}:{value}'
            if throttle.search_count([('key', '=', key), ('sent_at', '>=', since)]) >= limit:
                allowed = False
        if allowed:
            throttle.create([{'key': f'{kind}:{value}'} for kind, value in keys.items() if value])
        return allowed

    @api.autovacuum
    def _gc_throttle(self):
        self.sudo().search([('sent_at', '<', fields.Datetime.now() - timedelta(hours=2))]).unlink()
