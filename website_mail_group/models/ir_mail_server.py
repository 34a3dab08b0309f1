"""Every mail leaving through Odoo's own sending (notices, confirmations,
welcome and moderator mails, answers) is DKIM-signed by the alias domain of
its envelope sender when that domain has a key (mail_alias_domain_dkim.py).
Copies of posts are signed as their bytes are built (outbound/copies.py)."""
from odoo import models


class IrMailServer(models.Model):
    _inherit = 'ir.mail_server'

    def _prepare_email_message(self, message, smtp_session):
        smtp_from, smtp_to_list, message = super()._prepare_email_message(message, smtp_session)
        if self.env.context.get('mail_group_unsigned'):
            return smtp_from, smtp_to_list, message
        signer = self.env['mail.alias.domain']._dkim_signer(smtp_from)
        if signer:
            data = message.as_bytes(policy=message.policy.clone(linesep='\r\n'))
            field = signer.header(data)
            del message['DKIM-Signature']
            # one line: the policy folds it again at its spaces, which the
            # relaxed canonicalization ignores
            message['DKIM-Signature'] = ' '.join(field.split(':', 1)[1].split())
        return smtp_from, smtp_to_list, message
