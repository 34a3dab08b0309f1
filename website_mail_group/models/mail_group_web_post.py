"""Posts written on the website by members (controllers/reply.py): they
enter through ``message_post`` like mail, with the facts of a web post."""
from odoo import models

from ..outbound.text import text_to_html
from .mail_group_message_notice import NOTICE


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _post_from_web(self, partner, text, subject=None, parent=None, notice=False):
        """Post ``text`` (plain text from a text box: escaped, paragraphs and
        line breaks kept) as ``partner``, replying to the accepted post
        ``parent`` (a ``mail.group.message``) if given. The caller checked
        that ``partner`` is the logged-in member. The inbound rules decide,
        as for mail (bans, size, moderation): there are no headers to check,
        the size is the text's. Returns the ``mail.group.message`` stored
        (empty if the rules discarded it). ``notice``: a special notice
        (the caller checked that ``partner`` moderates the group)."""
        self.ensure_one()
        mail_message = self.sudo().with_context(mail_group_notice=NOTICE if notice else None).message_post(
            body=text_to_html(text.replace('\r\n', '\n').replace('\r', '\n')),
            subject=subject or None,
            author_id=partner.id,
            email_from=partner.email_formatted,
            parent_id=parent.mail_message_id.id if parent else False,
        )
        return self.env['mail.group.message'].sudo().search([('mail_message_id', '=', mail_message.id)]) \
            if mail_message else self.env['mail.group.message']
