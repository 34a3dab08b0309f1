"""Mail about a post: its plain text, the moderators' answer to its author, and
the alerts that go with it."""
from email.utils import formataddr

import pytz
from markupsafe import Markup

from odoo import _, fields, models, tools

from ..outbound import text

QUOTE_LENGTH = 5000  # characters of the post quoted in a rejection


class MailGroupMessage(models.Model):
    """The mail side of a post: the author's own plain text, and the
    answers sent to its author."""
    _inherit = 'mail.group.message'

    body_text = fields.Text(
        'Plain Text', readonly=True, copy=False,
        help="The author's own text/plain part (as received by email, at most 100,000 characters); "
             "the plain part of the copies sent to members.")

    def unlink(self):
        """The moderators' alerts about a post go with it (a discarded post
        leaves no message behind on a missing record)."""
        alerts = self.env['mail.message'].sudo().search([('model', '=', self._name), ('res_id', 'in', self.ids)])
        result = super().unlink()
        alerts.unlink()
        return result

    def _plain_text(self):
        """The post as plain text: the author's own, else its HTML converted."""
        self.ensure_one()
        return self.body_text or text.html_to_text(self.sudo().body)

    def _send_moderation_answer(self, subject, comment, banned=False):
        """Mail the moderator's explanation to each author, saying which
        group rejected which post, quoting it, in its thread, from the
        moderator (as Odoo's mail_group does), in the author's language.
        ``subject`` is the moderator's (the wizard proposes
        :meth:`_moderation_answer_subject`); without one, that subject in
        the author's language."""
        comment = tools.html_sanitize(comment or '')
        langs = self.env['mail.group']._mail_group_lang_of(emails=self.sudo().mapped('email_from'))
        for message in self.sudo():
            # in the author's language: the partner's of their address, else the group's
            message = message.with_context(lang=langs[message.email_from])
            group = message.mail_group_id
            quote = message._plain_text()
            if len(quote) > QUOTE_LENGTH:
                quote = quote[:QUOTE_LENGTH].rsplit(' ', 1)[0] + ' […]'
            title = subject or message._moderation_answer_subject(banned)
            body = message.env['ir.qweb']._render('website_mail_group.mail_group_moderation_answer', {
                'group_name': group.name,
                'banned': banned,
                'comment': Markup(comment),
                'post_subject': message.subject or '',
                'post_date': message.date,
                'post_tz': message._author_tz(),
                'quote': text.text_to_html(quote) if quote else '',
            }, minimal_qcontext=True)
            message._reply_to_author(title, body, email_from=self.env.user.email_formatted or group._moderation_sender())

    def _author_tz(self):
        """The time zone of the post's author (their partner's), else UTC:
        never the moderator's, whose session sends the answer."""
        self.ensure_one()
        tz = self.sudo().author_id.tz
        return tz if tz in pytz.all_timezones_set else 'UTC'

    def _moderation_answer_subject(self, banned=False):
        """Says at once which group rejected which post."""
        self.ensure_one()
        values = {'group': self.mail_group_id.name, 'subject': self.subject or _('(no subject)')}
        if banned:
            return _('Your message to %(group)s was rejected and its author banned: %(subject)s', **values)
        return _('Your message to %(group)s was rejected: %(subject)s', **values)

    def _reply_to_author(self, subject, body, email_from=None, reply_to=None):
        """Queue an answer to the author of these posts (moderation notices),
        on no record, in the post's thread, marked as an automatic reply so
        it causes no loop; the mail queue is woken."""
        company = self.env.company
        values_list = [{
            'author_id': self.env.user.partner_id.id,
            'auto_delete': True,
            'body_html': body,
            'email_from': email_from or company.catchall_formatted or company.email_formatted,
            **({'reply_to': reply_to} if reply_to else {}),
            'email_to': message.email_from,
            'references': message.mail_message_id.message_id,
            'subject': subject,
            'state': 'outgoing',
            'headers': repr({'Auto-Submitted': 'auto-replied',
                             **({'In-Reply-To': message.mail_message_id.message_id}
                                if message.mail_message_id.message_id else {})}),
        } for message in self.sudo() if message.email_from]
        if values_list:
            self.env['mail.mail'].sudo().create(values_list)
            self.env['mail.mail']._mail_group_wake_queue()


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _moderation_sender(self):
        """``"<Group> moderators" <catchall>``: answers to authors come from
        the group's moderation, never from the list address itself (a reply
        would be posted)."""
        self.ensure_one()
        company = self.env.company
        address = tools.email_normalize(company.catchall_formatted or '') or tools.email_normalize(
            company.email_formatted or '')
        return formataddr((_('%s moderators', self.name), address)) if address else False
