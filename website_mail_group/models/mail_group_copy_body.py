"""The body the copies of a group mail share: the post (or digest) and the
footer with the placeholders of the members' links (outbound/footer.py),
stored once per language of the members, not once per copy. A copy names
it by id (``mail_group_body_ref``) and reads it as its ``body_html``
(mail_mail_copies.py)."""
from odoo import api, fields, models


class MailGroupCopyBody(models.Model):
    _name = 'mail.group.copy.body'
    _description = 'Mail Group Shared Copy Body'

    mail_message_id = fields.Many2one('mail.message', 'Message', required=True, index=True, ondelete='cascade')
    body_html = fields.Text('Body', help='The body of every copy of the message in one language.')
    lang = fields.Char('Language', help='The language of these copies: their personal links (footer, '
                                        'List-Unsubscribe) open in it.')
    thread_id = fields.Many2one(
        'mail.group.message', ondelete='set null',
        help='The first post of the thread of the post these copies carry: their footer offers to mute it.')

    def _mail_group_thread_id(self):
        """The id of the thread the copies' "Mute this topic" link names, or None."""
        return self.thread_id.id or None if self else None

    @api.autovacuum
    def _gc_copy_bodies(self):
        """Bodies no copy reads any more: their copies are all sent and deleted."""
        bodies = self.sudo().search([])  # pylint: disable=no-search-all  # few: one per post and language in the queue
        used = self.env['mail.mail'].sudo()._read_group(
            [('mail_group_body_ref', 'in', bodies.ids)], ['mail_group_body_ref'])
        (bodies - bodies.browse(ref for ref, in used)).unlink()
