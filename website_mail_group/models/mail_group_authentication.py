"""Sender authentication of mail: whether a post's From is proven (DKIM and
DMARC, or the site's MTA) before the privileges of that address apply. The
verdict itself is ``inbound/authentication.py``."""
import logging

from odoo import api, fields, models

from ..inbound import authentication, dns_lookup

_logger = logging.getLogger(__name__)

AUTHENTICATION_STATUS = [
    (authentication.PASS, 'Authenticated'),
    (authentication.FAIL, 'Failed'),
    (authentication.NONE, 'No DMARC policy'),
    (authentication.TEMPERROR, 'Could not be checked'),
]
MAX_DNS_SECONDS = 5.0


class MailGroup(models.Model):
    _inherit = 'mail.group'

    sender_authentication = fields.Selection([
        ('dmarc', "Where the sender's domain publishes DMARC"),
        ('required', 'Always'),
        ('off', 'Never (trust the From address)'),
    ], string='Authenticate senders', required=True, default='dmarc',
        help="Mail proves its From address by an aligned DKIM signature (or your mail server's DMARC verdict). "
             "A post that fails gets no privilege of that address (moderator, whitelist, membership): "
             "it is held with the reason \"Sender not authenticated\", never refused.")

    def _sender_verdict(self, facts):
        """The ``authentication.Verdict`` on the mail of ``facts`` (computed
        once per mail, shared by the groups it is posted to), or None when
        the group trusts the From address."""
        self.ensure_one()
        if self.sender_authentication == 'off' or facts is None:
            return None
        if facts.verdict is None:
            authserv_id = self.env['ir.config_parameter'].sudo().get_param('website_mail_group.authserv_id') or ''
            facts.verdict = authentication.verdict(facts.raw, authserv_id.strip(), self._dns_lookup())
            _logger.info('Mail group: sender authentication %s (%s)', facts.verdict.status, facts.verdict.details)
        return facts.verdict

    @api.model
    def _dns_lookup(self):
        """The look-ups of one mail, with the site's name servers and time
        budget (at most 5 s in all), read anew each time."""
        params = self.env['ir.config_parameter'].sudo()
        try:
            budget = min(float(params.get_param('website_mail_group.dns_timeout') or MAX_DNS_SECONDS),
                         MAX_DNS_SECONDS)
        except ValueError:
            budget = MAX_DNS_SECONDS
        return dns_lookup.Lookup(params.get_param('website_mail_group.dns_nameservers') or '', budget)

    def _sender_authenticated(self, verdict):
        """Whether the privileges of the post's address apply."""
        self.ensure_one()
        if verdict is None:
            return True
        if self.sender_authentication == 'required':
            return verdict.status == authentication.PASS
        return verdict.status in (authentication.PASS, authentication.NONE)


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    authentication_status = fields.Selection(
        AUTHENTICATION_STATUS, string='Sender authentication', readonly=True, groups='base.group_user',
        help='What was proven of the From address of this mail (DKIM, DMARC); empty for posts from Odoo '
             'and for groups that do not authenticate senders.')
    authentication_details = fields.Char(
        'Authentication details', readonly=True, groups='base.group_user',
        help='What was checked and found: signatures, DMARC policy, DNS failures.')

    def _authentication_display(self):
        """The verdict on one line for its moderators, or ''."""
        self.ensure_one()
        post = self.sudo()
        if not post.authentication_status:
            return ''
        label = dict(self._fields['authentication_status']._description_selection(self.env))[post.authentication_status]
        return '%s (%s)' % (label, post.authentication_details) if post.authentication_details else label

    @api.model
    def _authentication_values(self, verdict):
        return {'authentication_status': verdict.status, 'authentication_details': verdict.details} if verdict else {}
