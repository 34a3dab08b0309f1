"""What moderators see of a post before acting (every hold reason, an
excerpt, the author's name) and the next post to review after acting."""
import re

import lxml.html

from odoo import _, api, fields, models, tools

from ..inbound import reasons
from ..outbound import text as post_text

BLOCKS = {'p', 'div', 'br', 'li', 'tr', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table'}
SIGNATURE = re.compile(r'^--\s*$')
EXCERPT_LENGTH = 200  # characters of a post the archive lists under its subject


def text_lines(html):
    """Lines of text of ``html``: scripts, styles, images and quoted replies
    dropped, link targets never printed (only their text)."""
    if not html or not str(html).strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(str(html), create_parent='div')
    except (ValueError, lxml.etree.ParserError):
        return []
    for node in root.xpath('.//script|.//style|.//img|.//blockquote|.//*[@id="o_mg_message_footer"]'):
        node.drop_tree()
    parts = []

    def walk(node):
        if not isinstance(node.tag, str):
            return
        block = node.tag.lower() in BLOCKS
        if block:
            parts.append('\n')
        parts.append(node.text or '')
        for child in node:
            walk(child)
            parts.append(child.tail or '')
        if block:
            parts.append('\n')

    walk(root)
    return ''.join(parts).replace('\xa0', ' ').splitlines()


def text_excerpt(html, length=200):
    """One line of the post's own words: no signature (cut at "-- "), no
    quoted reply ("> ..." lines), no link notes."""
    words = []
    for line in text_lines(html):
        if SIGNATURE.match(line.rstrip()) or line.startswith('-- '):
            break
        if line.lstrip().startswith('>'):
            continue
        words.extend(line.split())
    text = ' '.join(words)
    return text if len(text) <= length else text[:length].rsplit(' ', 1)[0] + '…'


def author_label(email_from, partner_name=None):
    """A readable author that does not publish the address: the name of
    the From header, else the partner's name, else the local part."""
    name, email = (tools.email_split_tuples(email_from or '') or [('', '')])[0]
    name = (name or '').strip().strip('"')
    if name and '@' not in name:
        return name
    if partner_name:
        return partner_name
    if email and '@' in email:
        return email.split('@', 1)[0]
    return _('Anonymous')


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    moderation_reasons = fields.Char(
        'Reason Codes', readonly=True, copy=False,
        help='Every rule that held the post (comma-separated codes), the deciding one first.')
    moderation_reasons_display = fields.Char('Reasons', compute='_compute_moderation_reasons_display')
    body_excerpt = fields.Char('Preview', compute='_compute_body_excerpt', store=True,
                               help="The start of the post's own words, as the archive lists it.")
    author_display = fields.Char('Author Name', compute='_compute_author_display')

    @api.depends('moderation_reasons', 'moderation_reason')
    @api.depends_context('lang')
    def _compute_moderation_reasons_display(self):
        labels = dict(self._fields['moderation_reason']._description_selection(self.env))
        for message in self:
            codes = (message.moderation_reasons or '').split(',') if message.moderation_reasons \
                else [message.moderation_reason] if message.moderation_reason else []
            message.moderation_reasons_display = ', '.join(
                '%s: %s' % (labels.get(reasons.code(code), code), reasons.detail(code)) if reasons.detail(code)
                else labels.get(code, code) for code in codes)

    @api.depends('body')
    def _compute_body_excerpt(self):
        # stored: worked out once per post, not once per archive page view
        # (sanitizing 20 bodies was a fifth of a page's time, bench/archive.py)
        for message in self:
            body = message.body
            message.body_excerpt = text_excerpt(
                post_text.sanitize(self.env['mail.group']._clean_email_body(str(body))), EXCERPT_LENGTH) if body else False

    @api.depends('email_from', 'author_id')
    def _compute_author_display(self):
        for message in self:
            message.author_display = author_label(message.email_from, message.sudo().author_id.name)

    # ------------------------------------------------------------
    # WHAT A MODERATOR IS TOLD, AND THE NEXT POST TO REVIEW
    # (the form's buttons pass mail_group_next_pending, the lists'
    # mail_group_notify; the API answers True as Odoo's module does; what
    # told nobody can be undone: wizard/mail_group_moderation_undo.py)
    # ------------------------------------------------------------

    def action_moderate_accept(self):
        return self._moderated('action_moderate_accept', _('%s accepted and sent to the members.'))

    def action_moderate_reject(self):
        return self._moderated('action_moderate_reject', _('%s rejected.'))

    def action_moderate_discard(self):
        return self._moderated('action_moderate_discard', _('%s discarded.'))

    def action_moderate_allow(self):
        return self._moderated('action_moderate_allow', _('%s: its author is whitelisted, their held posts are accepted.'))

    def action_moderate_ban(self):
        return self._moderated('action_moderate_ban', _('%s: its author is banned, their held posts are rejected.'))

    def action_open_reject_wizard(self, action='reject'):
        result = super().action_open_reject_wizard(action)
        flags = {key: True for key in ('mail_group_next_pending', 'mail_group_notify') if self.env.context.get(key)}
        result['context'] = dict(result['context'], **flags)
        return result

    def _moderated(self, method, done):
        """Run the moderation ``method``; for the web client, say what was
        done (``done`` with the post's subject, or the number of posts)
        and, from the form, open the next post waiting in the same group
        (oldest first), or say that none is left and close. The moderation
        runs without the web client's flags: the posts it settles in turn
        (whitelist, ban) are not announced."""
        context = self.env.context
        moderate = getattr(super(MailGroupMessage, self.with_context(
            mail_group_next_pending=False, mail_group_notify=False)), method)
        if not (context.get('mail_group_next_pending') or context.get('mail_group_notify')):
            return moderate()
        groups = self.sudo().mail_group_id
        what = f'“{self.subject or _("(no subject)")}”' if len(self) == 1 else _('%s posts', len(self))
        Undo = self.env['mail.group.moderation.undo']
        snapshot = Undo._snapshot(self, method) if context.get('mail_group_undo', True) else None
        moderate()
        undo = Undo._record(snapshot) if snapshot else Undo
        message = done % what
        next_action = {'type': 'ir.actions.act_window_close'}
        if context.get('mail_group_next_pending'):
            following = self.search([
                ('mail_group_id', 'in', groups.ids),
                ('moderation_status', '=', 'pending_moderation'),
                ('id', 'not in', self.ids),
            ], order='date ASC, id ASC', limit=1)
            if following:
                next_action = {
                    'type': 'ir.actions.act_window',
                    'name': following.subject or _('Email'),
                    'res_model': self._name,
                    'res_id': following.id,
                    'views': [(False, 'form')],
                    'target': 'current',
                    'context': {key: value for key, value in context.items() if key.startswith('default_')},
                }
            else:
                message = f"{message} {_('Nothing left to review in %s.', ', '.join(groups.mapped('name')))}"
        return {
            'type': 'ir.actions.client',
            'tag': 'mail_group_moderated' if undo else 'display_notification',
            'params': {'message': message, 'type': 'success', 'next': next_action, 'undo_id': undo.id},
        }
