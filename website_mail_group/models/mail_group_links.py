"""Signed links of a group: confirmation links (subscribe / unsubscribe,
with a purpose, an expiry and a single use), the group's access token, the
personal links of the footer, and the confirmation mails carrying them."""
import hmac
import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.http import request


_logger = logging.getLogger(__name__)

CONFIRMATION_ACTIONS = ('subscribe', 'unsubscribe')
LINK_VALIDITY_PARAM = 'website_mail_group.confirmation_link_hours'
LINK_VALIDITY_HOURS = 72  # Mailman keeps pending confirmations 3 days


def same_token(expected, given):
    """Constant-time comparison that never raises on hostile input
    (non-ASCII, non-string)."""
    return isinstance(given, str) and given.isascii() and bool(expected) and hmac.compare_digest(expected, given)


class MailGroup(models.Model):
    _inherit = 'mail.group'

    # ------------------------------------------------------------
    # CONFIRMATION LINKS
    # ------------------------------------------------------------

    def _generate_action_token(self, email, action, expires_at=None):
        """``<expiry>.<signature>``: the signature covers the group, the
        address, the action and the expiry (a UNIX time)."""
        self.ensure_one()
        email_normalized = tools.email_normalize(email)
        if not email_normalized:
            raise UserError(_('Email %s is invalid', email))
        if expires_at is None:
            hours = int(self.env['ir.config_parameter'].sudo().get_param(LINK_VALIDITY_PARAM, LINK_VALIDITY_HOURS))
            expires_at = fields.Datetime.now() + timedelta(hours=hours)
        expiry = int(expires_at.replace(tzinfo=timezone.utc).timestamp())
        signature = tools.hmac(self.env(su=True), 'mail_group-email-subscription',
                               (self.id, email_normalized, action, expiry))
        return f'{expiry}.{signature}'

    def _check_action_token(self, email, action, token):
        """``'valid'``, ``'invalid'`` (forged, for another group, address or
        action), ``'expired'`` or ``'used'``."""
        self.ensure_one()
        if action not in CONFIRMATION_ACTIONS or not isinstance(token, str) or not token.isascii():
            return 'invalid'
        expiry, __, __ = token.partition('.')
        if not expiry.isdigit() or len(expiry) > 11 or not tools.email_normalize(email or ''):
            return 'invalid'
        expires_at = self._token_expiry(token)
        if not same_token(self._generate_action_token(email, action, expires_at), token):
            return 'invalid'
        if expires_at < fields.Datetime.now():
            return 'expired'
        if self.env['mail.group.token']._is_used(token):
            return 'used'
        return 'valid'

    def _consume_action_token(self, token):
        """Mark a valid token used; False if it just was by someone else."""
        return self.env['mail.group.token']._consume(token, self._token_expiry(token))

    @api.model
    def _token_expiry(self, token):
        return datetime.fromtimestamp(int(token.partition('.')[0]), timezone.utc).replace(tzinfo=None)

    def _generate_action_url(self, email, action):
        self.ensure_one()
        if action not in CONFIRMATION_ACTIONS:
            raise ValueError(_('Invalid action for URL generation (%s)', action))
        params = urlencode({
            'group_id': self.id,
            'email': email,
            'token': self._generate_action_token(email, action),
        })
        return f'{self.get_base_url()}/group/{action}-confirm?{params}'

    # ------------------------------------------------------------
    # GROUP AND FOOTER LINKS
    # ------------------------------------------------------------

    def _generate_email_access_token(self, email):
        self.ensure_one()
        return tools.hmac(self.env(su=True), 'mail_group-access-token-portal', (self.id, tools.email_normalize(email)))

    def _generate_group_access_token(self):
        self.ensure_one()
        return tools.hmac(self.env(su=True), 'mail_group-access-token-group', self.id)

    def _generate_delivery_token(self, email):
        """Token of the member's delivery settings page (footer link)."""
        self.ensure_one()
        return tools.hmac(self.env(su=True), 'mail_group-email-subscription',
                          (self.id, tools.email_normalize(email), 'delivery'))

    def _get_delivery_settings_url(self, email, base_url=None):
        """Personal page where a member picks every message / digests / no mail."""
        return self._member_links_builder(base_url)(tools.email_normalize(email) or email)['settings']

    def _get_email_unsubscribe_url(self, email, base_url=None):
        """Personal RFC 8058 URL: a POST unsubscribes at once, a GET shows a
        confirmation page."""
        return self._member_links_builder(base_url)(tools.email_normalize(email) or email)['unsubscribe']

    # ------------------------------------------------------------
    # CONFIRMATION MAILS
    # ------------------------------------------------------------

    def _send_confirmation_email(self, email, action, template_xmlid):
        """Mail a signed confirmation link, at most a few per hour per
        address and per client; over the limit nothing is sent and the
        caller answers as usual, so nothing is revealed. The mail is on
        no record (nobody but its recipient reads the link) and the mail
        queue is woken to send it now."""
        self.ensure_one()
        email_normalized = tools.email_normalize(email)
        if not email_normalized:
            raise UserError(_('The email "%s" is not valid.', email))
        client = request.httprequest.remote_addr if request else None
        if not self.env['mail.group.throttle']._allow({'email': email_normalized, 'client': client}):
            _logger.warning('Mail group %s: %s confirmation to %s throttled (client %s)',
                            self.id, action, email_normalized, client)
            return False
        template = self.env.ref(template_xmlid)
        template.sudo().with_context(
            token_url=self._generate_action_url(email_normalized, action),
        ).send_mail(
            self.id, email_layout_xmlid='mail.mail_notification_light',
            email_values={
                'email_to': email_normalized, 'recipient_ids': [], 'auto_delete': True,
                'model': False, 'res_id': False,
                'author_id': self.env.ref('base.partner_root').id,
            },
        )
        self.env.ref('mail.ir_cron_mail_scheduler_action').sudo()._trigger()
        return True

    def _send_subscribe_confirmation_email(self, email):
        return self._send_confirmation_email(email, 'subscribe', 'website_mail_group.mail_template_list_subscribe')

    def _send_unsubscribe_confirmation_email(self, email):
        return self._send_confirmation_email(email, 'unsubscribe', 'website_mail_group.mail_template_list_unsubscribe')
