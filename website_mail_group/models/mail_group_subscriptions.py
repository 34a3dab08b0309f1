"""The visitor's page of all their subscriptions: a signed, expiring link
mailed to the address (purpose-bound: it opens that page only)."""
import logging
from urllib.parse import urlencode

from markupsafe import Markup

from odoo import _, api, models, tools
from odoo.http import request

from .mail_group_links import check_expiring, sign_expiring

_logger = logging.getLogger(__name__)


class MailGroup(models.Model):
    _inherit = 'mail.group'

    @api.model
    def _generate_subscriptions_token(self, email, expires_at=None):
        """``<expiry>.<signature>`` of the subscriptions page of ``email``."""
        return sign_expiring(self.env, 'mail_group-subscriptions-page', (tools.email_normalize(email),), expires_at)

    @api.model
    def _check_subscriptions_token(self, email, token):
        """``'valid'``, ``'invalid'`` or ``'expired'``."""
        email_normalized = tools.email_normalize(email or '')
        if not email_normalized:
            return 'invalid'
        return check_expiring(self.env, 'mail_group-subscriptions-page', (email_normalized,), token)

    @api.model
    def _subscription_members(self, email=None, partner=None):
        """Memberships of an address (proven by a signed link) or of a
        logged-in user's partner, as superuser."""
        domain = [('partner_id', '=', partner.id)] if partner else \
            [('email_normalized', '=', tools.email_normalize(email or '') or False)]
        return self.env['mail.group.member'].sudo().search(
            domain + [('mail_group_id.active', '=', True)], order='mail_group_id')

    @api.model
    def _send_subscriptions_link(self, email):
        """Mail the link of the subscriptions page, if the address has any
        subscription, throttled like confirmations; the caller answers the
        same in every case."""
        email_normalized = tools.email_normalize(email)
        client = request.httprequest.remote_addr if request else None
        if not self.env['mail.group.throttle']._allow({'email': email_normalized, 'client': client}):
            _logger.warning('Mail groups: subscriptions link to %s throttled (client %s)', email_normalized, client)
            return False
        if not self._subscription_members(email_normalized):
            return False
        # the language of the address's partner, else the visitor's page's; the link opens in it
        lang = self._mail_group_lang_of(emails=[email_normalized], default=self._mail_group_request_lang())
        url = '%s/groups/subscriptions?%s' % (self._mail_group_base_url(lang[email_normalized]), urlencode({
            'email': email_normalized, 'token': self._generate_subscriptions_token(email_normalized)}))
        self.with_context(lang=lang[email_normalized])._queue_subscriptions_link(email_normalized, url)
        self.env['mail.mail']._mail_group_wake_queue()
        return True

    @api.model
    def _queue_subscriptions_link(self, email_normalized, url):
        """The mail of the subscriptions page's link, in the context's language."""
        company = self.env.company
        body = self.env['ir.qweb']._render('website_mail_group.subscriptions_link_mail', {
            'url': url, 'company': company, 'email': email_normalized})
        self.env['mail.mail'].sudo().create({
            'subject': _('Your mailing list subscriptions at %s', company.name),
            'body_html': Markup(body),
            'email_from': company.email_formatted or company.catchall_formatted,
            'email_to': email_normalized,
            'auto_delete': True,
            'headers': repr({'Auto-Submitted': 'auto-generated'}),
        })
