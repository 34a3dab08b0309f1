"""Outgoing mail servers: the cap of concurrent SMTP sessions the workers
sending copies may open (outbound/sessions.py), and the DKIM signature of
every mail leaving through Odoo's own sending (notices, confirmations,
welcome and moderator mails, answers) by the alias domain of its envelope
sender, when that domain has a key (mail_alias_domain_dkim.py). Copies of
posts are signed as their bytes are built (outbound/copies.py)."""
import email.generator
import io

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_SESSIONS = 4  # also the cap for Odoo's configured server (no ir.mail_server record)


def wire_bytes(message, smtp_from, smtp_to_list):
    """The bytes smtplib's ``send_message`` (Odoo's sending) makes of
    ``message``: outside SMTPUTF8 it writes '>From ' for a line starting
    with 'From ', so the signature must cover that, not ``as_bytes()``."""
    international = not all(address.isascii() for address in [smtp_from or '', *smtp_to_list])
    with io.BytesIO() as data:
        if international:
            generator = email.generator.BytesGenerator(data, policy=message.policy.clone(utf8=True))
        else:
            generator = email.generator.BytesGenerator(data)
        generator.flatten(message, linesep='\r\n')
        return data.getvalue()


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

    def _prepare_email_message(self, message, smtp_session):
        smtp_from, smtp_to_list, message = super()._prepare_email_message(message, smtp_session)
        if self.env.context.get('mail_group_unsigned'):
            return smtp_from, smtp_to_list, message
        signer = self.env['mail.alias.domain']._dkim_signer(smtp_from)
        if signer:
            data = wire_bytes(message, smtp_from, smtp_to_list)
            del message['DKIM-Signature']
            # one line: the policy folds it at its spaces, which the relaxed
            # canonicalization ignores
            message['DKIM-Signature'] = signer.header(data, folded=False)
        return smtp_from, smtp_to_list, message
