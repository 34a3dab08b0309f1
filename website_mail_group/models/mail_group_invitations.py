"""Subscription confirmations in bulk (the member import wizard): the
confirmation mail of ``_send_confirmation_email`` to many addresses, rendered
once per language (the address's partner's, else the group's) with a
placeholder for the link, then one mail per address, each with its own
signed link, created in one call."""
import logging
import secrets
from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models

from .mail_group_throttle import LIMITS
from .mail_layout import LAYOUT

_logger = logging.getLogger(__name__)

SUBSCRIBE_TEMPLATE = 'website_mail_group.mail_template_list_subscribe'
# fields of the first mail copied to the others (their body and recipient aside)
COPIED_FIELDS = ('subject', 'email_from', 'reply_to', 'author_id', 'auto_delete', 'mail_server_id',
                 'message_type', 'model', 'res_id')


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _send_subscribe_confirmation_emails(self, emails):
        """Mail the subscription confirmation link to each of ``emails``
        (normalized addresses) at most a few times per address an hour, as
        ``_send_confirmation_email`` does (no per-client limit: the caller is
        a manager of the group, checked by the wizard). Returns the
        addresses mailed."""
        self.ensure_one()
        emails = self.env['mail.group.throttle']._allow_each('email', emails)
        if not emails:
            return []
        langs = self._mail_group_lang_of(emails=emails)
        for lang in dict.fromkeys(langs[email] for email in emails):
            self.with_context(lang=lang)._send_subscribe_confirmations([e for e in emails if langs[e] == lang])
        self.env['mail.mail']._mail_group_wake_queue()
        return emails

    def _send_subscribe_confirmations(self, emails):
        """The confirmation mail in the context's language, rendered once for
        ``emails``: one mail per address with its own link."""
        placeholder = f'https://confirm-{secrets.token_hex(16)}.placeholder.invalid/'
        template = self.env.ref(SUBSCRIBE_TEMPLATE).with_context(token_url=placeholder)
        first = template.sudo().send_mail_batch(self.ids, email_layout_xmlid=LAYOUT, email_values={
            'recipient_ids': [], 'model': False, 'res_id': False, 'auto_delete': True,
            'author_id': self.env.ref('base.partner_root').id, 'email_to': emails[0]})
        body = first.body_html
        escaped = str(escape(placeholder))
        base_url = self._mail_group_base_url()  # the links open in the mail's language

        def personal(email):
            return body.replace(escaped, str(escape(self._generate_action_url(email, self._invitation_action(), base_url))))

        common = {name: first[name] for name in COPIED_FIELDS}
        common['author_id'] = common['author_id'].id
        common['mail_server_id'] = common['mail_server_id'].id
        first.write({'body_html': personal(emails[0]), 'body': ''})
        self.env['mail.mail'].sudo().create([
            {**common, 'email_to': email, 'body_html': personal(email), 'body': ''} for email in emails[1:]])


class MailGroupThrottle(models.Model):
    _inherit = 'mail.group.throttle'

    @api.model
    def _allow_each(self, kind, values):
        """The ``values`` (of one kind) under their hourly limit, recorded as
        sent; the others are logged and left out. Two queries for any
        number of values."""
        parameter, default = LIMITS[kind]
        limit = int(self.env['ir.config_parameter'].sudo().get_param(parameter, default))
        since = fields.Datetime.now() - timedelta(hours=1)
        keys = {f'{kind}:{value}': value for value in values}
        counts = dict(self.sudo()._read_group(
            [('key', 'in', list(keys)), ('sent_at', '>=', since)], ['key'], ['__count']))
        allowed = [key for key in keys if counts.get(key, 0) < limit]
        if len(allowed) < len(keys):
            _logger.warning('Mail group: %s of %s %s confirmations over the hourly limit, not sent',
                            len(keys) - len(allowed), len(keys), kind)
        self.sudo().create([{'key': key} for key in allowed])
        return [keys[key] for key in allowed]
