"""Removing or editing an accepted post after the fact, as its group's
moderators may (a post that should not have gone out; the editor:
wizard/mail_group_message_redact.py) and as forgetting a person does
(wizard/mail_group_forget.py): the post stays in its thread with a visible
trace, its files go, its search entry follows."""
import re

from markupsafe import Markup, escape

from odoo import _, fields, models
from odoo.exceptions import UserError

PSEUDONYM_ADDRESS = 'former-participant@example.invalid'


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    redacted_date = fields.Datetime('Redacted On', readonly=True, copy=False,
                                    help='When a moderator removed or edited this post after it was accepted.')

    def action_open_redact(self):
        """Edit…: the wizard, with the post's current text."""
        self.ensure_one()
        self._check_can_moderate()
        return {'type': 'ir.actions.act_window', 'res_model': 'mail.group.message.redact', 'view_mode': 'form',
                'target': 'new', 'name': _('Edit an Accepted Post'),
                'context': {'default_mail_group_message_id': self.id, 'default_body': self.sudo().body}}

    def action_remove_post(self):
        """Remove the post's text and files, keeping its place in the thread."""
        self._check_can_moderate()
        self._redact(lambda post: None, _('Removed by a moderator on %s.'))
        self._audit_decision(_('Removed after acceptance'))
        return True

    def _redact(self, new_body, trace):
        """Replace the body of accepted posts by ``new_body(post)`` (HTML, or
        None: the text is removed) followed by ``trace`` (with the date),
        delete their files."""
        posts = self.sudo()
        if any(post.moderation_status != 'accepted' for post in posts):
            raise UserError(_('Only accepted posts can be removed or edited; held posts are rejected or discarded.'))
        now = fields.Datetime.now()
        note = Markup('<p class="o_mg_redacted"><em>%s</em></p>') % (trace % fields.Date.to_string(now))
        attachments = posts._owned_attachments()
        for post in posts:
            body = new_body(post)
            post.mail_message_id.write({'body': (body or Markup('')) + note, 'attachment_ids': [(5, 0, 0)]})
        attachments.unlink()
        posts.write({'redacted_date': now})


def replace_identity(text, names, address, pseudonym):
    """``text`` (plain or HTML) with ``address`` (any case) and each of
    ``names`` (3 characters or more) replaced: by ``PSEUDONYM_ADDRESS`` and
    ``pseudonym``."""
    if not text:
        return text
    is_html = isinstance(text, Markup)
    result = str(text)
    # the longest first: "Ann Lee" before "Ann", which would leave "Lee"
    longest_first = sorted((name for name in names if len(name or '') >= 3), key=len, reverse=True)
    for needle, by in [(address, PSEUDONYM_ADDRESS)] + [(name, pseudonym) for name in longest_first]:
        forms = {needle, str(escape(needle))} if is_html else {needle}
        for form in filter(None, forms):
            result = re.sub(re.escape(form), str(escape(by)) if is_html else by, result, flags=re.IGNORECASE)
    return Markup(result) if is_html else result
