"""Confirmation links already used: a link works once, then a replay is
refused even if the state it changed was changed back since."""
import hashlib

from odoo import api, fields, models


class MailGroupToken(models.Model):
    _name = 'mail.group.token'
    _description = 'Used Mail Group Confirmation Link'
    _log_access = False

    digest = fields.Char(required=True, help='SHA-256 of the used token.')
    expires_at = fields.Datetime(required=True, index=True)

    _sql_constraints = [
        ('digest_unique', 'UNIQUE(digest)', 'This link was already used.'),
    ]

    @api.model
    def _is_used(self, token):
        return bool(self.sudo().search_count([('digest', '=', self._digest(token))], limit=1))

    @api.model
    def _consume(self, token, expires_at):
        """Record ``token`` as used; False when it already was (also when
        another request used it at the same moment)."""
        # one atomic statement: the ORM's create would fail the transaction
        # (and log an error) on the losing side of a race
        self.env.cr.execute("""
            INSERT INTO mail_group_token (digest, expires_at) VALUES (%s, %s)
            ON CONFLICT (digest) DO NOTHING RETURNING id
        """, [self._digest(token), expires_at])
        return bool(self.env.cr.fetchone())

    @api.model
    def _digest(self, token):
        return hashlib.sha256(token.encode()).hexdigest()

    @api.autovacuum
    def _gc_used_tokens(self):
        """An expired link is refused anyway: forget it."""
        self.sudo().search([('expires_at', '<', fields.Datetime.now())]).unlink()
