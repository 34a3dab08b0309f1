"""The body the copies of a group mail share: the post (or digest) and the
footer with the placeholders of the members' links (outbound/footer.py),
stored once per language of the members, not once per copy. A copy reads
it as its ``body_html`` (mail_mail_copies.py)."""
from odoo import api, fields, models


class MailGroupCopyBody(models.Model):
    _name = 'mail.group.copy.body'
    _description = 'Mail Group Shared Copy Body'

    mail_message_id = fields.Many2one('mail.message', 'Message', required=True, index=True, ondelete='cascade')
    body_html = fields.Text('Body', help='The body of every copy of the message in one language.')
    mail_ids = fields.One2many('mail.mail', 'mail_group_body_id', 'Copies')

    @api.autovacuum
    def _gc_copy_bodies(self):
        """Bodies whose copies are all sent and deleted."""
        self.sudo().search([('mail_ids', '=', False)]).unlink()
