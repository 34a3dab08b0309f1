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

from .mail_group_distribution import MEMBER_LINK_SCOPE
from .mail_layout import LAYOUT

_logger = logging.getLogger(__name__)

CONFIRMATION_ACTIONS = ('subscribe', 'unsubscribe', 'invite')  # invite: a manager's invitation
LINK_VALIDITY_PARAM = 'website_mail_group.confirmation_link_hours'
LINK_VALIDITY_HOURS = 72  # Mailman keeps pending confirmations 3 days


def same_token(expected, given):
    """Constant-time comparison that never raises on hostile input
    (non-ASCII, non-string)."""
    return isinstance(given, str) and given.isascii() and bool(expected) and hmac.compare_digest(expected, given)


def sign_expiring(env, scope, message, expires_at=None):
    """``<expiry>.<signature>``: ``tools.hmac`` of ``message`` (a tuple) and
    the expiry (a UNIX time; default: now + the confirmation link validity)."""
    if expires_at is None:
        hours = int(env['ir.config_parameter'].sudo().get_param(LINK_VALIDITY_PARAM, LINK_VALIDITY_HOURS))
        expires_at = fields.Datetime.now() + timedelta(hours=hours)
    expiry = int(expires_at.replace(tzinfo=timezone.utc).timestamp())
    return f'{expiry}.{tools.hmac(env(su=True), scope, (*message, expiry))}'


def token_expiry(token):
    """The expiry of a token of :func:`sign_expiring` (naive UTC), or None
    when the token is malformed."""
    expiry = token.partition('.')[0] if isinstance(token, str) and token.isascii() else ''
    if not expiry.isdigit() or len(expiry) > 11:
        return None
    return datetime.fromtimestamp(int(expiry), timezone.utc).replace(tzinfo=None)


def check_expiring(env, scope, message, token):
    """``'valid'``, ``'invalid'`` (forged, or signed for another scope or
    message) or ``'expired'``."""
    expires_at = token_expiry(token)
    if not expires_at or not same_token(sign_expiring(env, scope, message, expires_at), token):
        return 'invalid'
    return 'expired' if expires_at < fields.Datetime.now() else 'valid'


class MailGroup(models.Model):
    _inherit = 'mail.group'

    # ------------------------------------------------------------
    # CONFIRMATION LINKS
    # ------------------------------------------------------------

    def _generate_action_token(self, email, action, expires_at=None):
        """``<expiry>.<signature>``: the signature covers the group, the
        address, the action and the expiry."""
        self.ensure_one()
        email_normalized = tools.email_normalize(email)
        if not email_normalized:
            raise UserError(_('Email %s is invalid', email))
        return sign_expiring(self.env, 'mail_group-email-subscription', (self.id, email_normalized, action), expires_at)

    def _check_action_token(self, email, action, token):
        """``'valid'``, ``'invalid'`` (forged, for another group, address or
        action), ``'expired'`` or ``'used'``."""
        self.ensure_one()
        email_normalized = tools.email_normalize(email or '')
        if action not in CONFIRMATION_ACTIONS or not email_normalized:
            return 'invalid'
        status = check_expiring(self.env, 'mail_group-email-subscription', (self.id, email_normalized, action), token)
        if status == 'valid' and self.env['mail.group.token']._is_used(token):
            return 'used'
        return status

    def _consume_action_token(self, token):
        """Mark a valid token used; False if it just was by someone else."""
        return self.env['mail.group.token']._consume(token, token_expiry(token))

    def _generate_action_url(self, email, action, base_url=None):
        """The confirmation link, opening in the context's language (or
        under ``base_url``, of _mail_group_base_url)."""
        self.ensure_one()
        if action not in CONFIRMATION_ACTIONS:
            raise ValueError(_('Invalid action for URL generation (%s)', action))
        params = urlencode({
            'group_id': self.id,
            'email': email,
            'token': self._generate_action_token(email, action),
        })
        return f'{base_url or self._mail_group_base_url()}/group/{action}-confirm?{params}'

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
        """Token of an address's delivery settings page (footer links of
        mails sent before links named their member row)."""
        self.ensure_one()
        return tools.hmac(self.env(su=True), 'mail_group-email-subscription',
                          (self.id, tools.email_normalize(email), 'delivery'))

    def _generate_member_token(self, member_id, kind):
        """Token of a member row's personal link of ``kind`` (``unsubscribe``,
        ``settings``): it acts on that row only."""
        self.ensure_one()
        return tools.hmac(self.env(su=True), MEMBER_LINK_SCOPE, (self.id, member_id, kind))

    def _member_url(self, member, kind, base_url=None):
        """The personal link of ``kind`` of ``member`` (a member row), by
        default opening in the context's language (mails, pages)."""
        self.ensure_one()
        base_url = base_url or self._mail_group_base_url()
        return self._member_links_builder(base_url, kinds=(kind,))(member.id, member.email_normalized)[kind]

    def _link_member(self, kind, member_id, email, token):
        """The member row a personal link of ``kind`` names, as superuser:
        empty when it is no longer a member, None when the link is forged.
        Links name their row (``member_id``); older ones, signed for an
        address (as Odoo's), name only the address-only member of that
        address: the address may also be a partner's, typed by anyone."""
        self.ensure_one()
        Member = self.env['mail.group.member'].sudo()
        if member_id:
            if not same_token(self._generate_member_token(member_id, kind), token):
                return None
            return Member.search([('id', '=', member_id), ('mail_group_id', '=', self.id)])
        email_normalized = tools.email_normalize(email) if isinstance(email, str) else False
        address_token = self._generate_email_access_token if kind == 'unsubscribe' else self._generate_delivery_token
        if not email_normalized or not same_token(address_token(email_normalized), token):
            return None
        return Member.search([('mail_group_id', '=', self.id), ('email_normalized', '=', email_normalized),
                              ('partner_id', '=', False)])

    def _get_delivery_settings_url(self, email, base_url=None):
        """Personal page where a member picks every message / digests / no
        mail, for the member of ``email`` (for mails to that address)."""
        return self._address_member_links(email, base_url)['settings']

    def _get_email_unsubscribe_url(self, email, base_url=None):
        """Personal RFC 8058 URL: a POST unsubscribes at once, a GET shows a
        confirmation page; for the member of ``email`` (for mails to that
        address)."""
        return self._address_member_links(email, base_url)['unsubscribe']

    def _address_member_links(self, email, base_url=None):
        self.ensure_one()
        email_normalized = tools.email_normalize(email) or email
        member = self._find_member(email_normalized)
        return self._member_links_builder(base_url)(member.id if member else None, email_normalized)

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
        # the language of the address's partner, else the visitor's page's; the link opens in it
        lang = self._mail_group_lang_of(emails=[email_normalized], default=self._mail_group_request_lang())
        template = self.env.ref(template_xmlid).with_context(
            token_url=self.with_context(lang=lang[email_normalized])._generate_action_url(email_normalized, action))
        self._send_private_mails(template, self.ids, langs={self.id: lang[email_normalized]},
                                 email_to=email_normalized)
        return True

    @api.model
    def _send_private_mails(self, template, res_ids, langs=None, **email_values):
        """``template`` rendered for ``res_ids``, each in its recipient's
        language (``langs``: by res_id), each mail on no record and authored
        by OdooBot, so only its recipient reads the links it carries; the
        mail queue is woken to send them now. One rendering per language."""
        langs = langs or {}
        default = None if all(langs.get(res_id) for res_id in res_ids) else self._mail_group_lang()
        by_lang = {}
        for res_id in res_ids:
            by_lang.setdefault(langs.get(res_id) or default, []).append(res_id)
        for lang, lang_res_ids in by_lang.items():
            template.with_context(lang=lang).sudo().send_mail_batch(
                lang_res_ids, email_layout_xmlid=LAYOUT, email_values={
                    'recipient_ids': [], 'model': False, 'res_id': False, 'auto_delete': True,
                    'author_id': self.env.ref('base.partner_root').id, **email_values})
        self.env['mail.mail']._mail_group_wake_queue()

    def _send_subscribe_confirmation_email(self, email):
        return self._send_confirmation_email(email, 'subscribe', 'website_mail_group.mail_template_list_subscribe')

    def _send_unsubscribe_confirmation_email(self, email):
        return self._send_confirmation_email(email, 'unsubscribe', 'website_mail_group.mail_template_list_unsubscribe')
