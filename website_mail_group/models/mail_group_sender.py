"""How the copies of a group present their sender (From rewriting), shown on
the group form."""
import logging

from odoo import _, api, fields, models, tools

from ..inbound import authentication, dns_lookup

_logger = logging.getLogger(__name__)
OUTSIDER = 'someone@outside.invalid'  # an author no mail server is set up for
# domains whose authors' copies always leave "via" the group: their providers
# reject or junk failing mail whatever their published policy says
DMARC_REWRITE_DOMAINS = 'gmail.com,googlemail.com,yahoo.com,aol.com,outlook.com,hotmail.com,live.com,msn.com'


class MailGroup(models.Model):
    """Which From the copies really leave with, given the outgoing mail
    servers: a server limited to some domains (``from_filter``) cannot send
    from any author's address, and the copies then leave "via" the group
    (models/mail_mail.py, outbound/identity.py)."""
    _inherit = 'mail.group'

    copies_from_display = fields.Char(
        'Copies will be sent from', compute='_compute_copies_from_display',
        help="The From of the copies as your outgoing mail server allows it: when it cannot send from the "
             "author's address, copies come from the group's address, with the author in Reply-To or Cc.")

    @api.depends('from_policy', 'alias_name', 'alias_domain_id', 'name')
    @api.depends_context('uid')
    def _compute_copies_from_display(self):
        Server = self.env['ir.mail_server'].sudo()
        for group in self:
            alias_email = group.alias_email
            via = f'"{_("Author")} via {group.name}" <{alias_email}>'
            if not alias_email:
                group.copies_from_display = _("The author's address")
                continue
            if group.from_policy == 'group':
                group.copies_from_display = via
                continue
            if group.from_policy == 'wrap':
                group.copies_from_display = _(
                    '%(via)s, with the mail as its author sent it attached (posts by mail only)', via=via)
                continue
            alias_domain = group.alias_domain_id.sudo()
            server, smtp_from = Server.with_context(
                domain_notifications_email=alias_domain.default_from_email)._find_mail_server(OUTSIDER)
            if tools.email_normalize(smtp_from) == OUTSIDER:
                group.copies_from_display = _("The author's address") if group.from_policy != 'dmarc' else _(
                    "The author's address; %(via)s when the author's domain publishes DMARC quarantine or reject "
                    "(or is %(domains)s)", via=via, domains=', '.join(group._dmarc_rewrite_domains()))
                continue
            from_filter = server.from_filter if server else Server._get_default_from_filter()
            others = [part.strip() for part in (from_filter or '').split(',')
                      if part.strip() and part.strip().lower() != (alias_domain.name or '').lower()]
            group.copies_from_display = _('%(via)s; authors at %(others)s keep their own address',
                                          via=via, others=', '.join(others)) if others else via

    def _dmarc_rewrite_domains(self):
        value = self.env['ir.config_parameter'].sudo().get_param(
            'website_mail_group.dmarc_rewrite_domains', DMARC_REWRITE_DOMAINS)
        return [domain.strip().lower() for domain in (value or '').split(',') if domain.strip()]

    def _author_requires_via(self, author):
        """Whether copies of ``author``'s post must leave "via" the group
        (``from_policy`` ``dmarc``): their domain (or its organizational
        domain) publishes DMARC quarantine or reject, or is one of the
        always-rewritten domains. A DNS failure rewrites: the safe side."""
        domain = (tools.email_normalize(author or '') or '').rpartition('@')[2]
        if not domain:
            return True
        if domain in self._dmarc_rewrite_domains() or authentication.org_domain(domain) in self._dmarc_rewrite_domains():
            return True
        try:
            return authentication.dmarc_policy(domain, self._dns_lookup()) in ('quarantine', 'reject')
        except dns_lookup.DnsError as error:
            _logger.info('Mail group: DMARC of %s unknown (%s), copies leave via the group', domain, error)
            return True
