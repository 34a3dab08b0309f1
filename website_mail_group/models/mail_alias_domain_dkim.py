"""DKIM keys of alias domains: every mail leaving with an envelope sender on
a domain that has a key is signed by that domain when it is sent (copies in
outbound/copies.py, every other mail in ir_mail_server.py). The signature
itself: outbound/signing.py."""
from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError

from ..outbound import signing

# the signers and sealers of the domains, per cursor (mail_alias_domain_arc.py)
SIGNER_CACHES = ('mail_group_dkim_signers', 'mail_group_arc_sealers')


class MailAliasDomain(models.Model):
    _inherit = 'mail.alias.domain'

    dkim_selector = fields.Char(
        'DKIM Selector', help='The name of the key in DNS: <selector>._domainkey.<domain>. '
                              'A new key takes a new selector, so the old record can stay while mail is in flight.')
    dkim_private_key = fields.Text('DKIM Private Key', groups='base.group_system', copy=False)
    dkim_dns_record = fields.Char('DKIM DNS Record', compute='_compute_dkim_dns_record',
                                  help='The TXT record to publish so that receivers can check the signatures.')

    def write(self, vals):
        for name in SIGNER_CACHES:
            self.env.cr.cache.pop(name, None)
        return super().write(vals)

    @api.depends('dkim_selector', 'name')
    def _compute_dkim_dns_record(self):
        for domain in self:
            key = domain.sudo().dkim_private_key
            domain.dkim_dns_record = signing.dns_record(domain.dkim_selector, domain.name, key) \
                if key and domain.dkim_selector and domain.name else False

    def action_generate_dkim_key(self):
        """A new RSA 2048 key and selector: publish the DNS record shown,
        mail is signed with it from now on."""
        if not (self.env.su or self.env.user.has_group('base.group_system')):
            raise AccessError(_('Only administrators can generate DKIM keys.'))
        for domain in self:
            private, __ = signing.generate_key()
            domain.sudo().write({
                'dkim_private_key': private,
                'dkim_selector': 'wmg%s' % fields.Datetime.now().strftime('%Y%m%d%H%M'),
            })
        return True

    @api.model
    def _dkim_signer(self, address):
        """The ``signing.Signer`` of the alias domain of ``address`` (an
        envelope sender), or None when that domain has no key."""
        return self._signer_of(address, 'mail_group_dkim_signers', lambda domain: signing.Signer(
            domain.name, domain.dkim_selector, domain.dkim_private_key)
            if domain.dkim_private_key and domain.dkim_selector else None)

    @api.model
    def _signer_of(self, address, cache_name, make):
        """``make(domain)`` for the alias domain of ``address`` (None
        without one), made once per cursor and kept in ``cache_name``, one
        of ``SIGNER_CACHES`` (emptied when a domain is written)."""
        domain_name = (tools.email_normalize(address) or '').rpartition('@')[2]
        if not domain_name:
            return None
        cache = self.env.cr.cache.setdefault(cache_name, {})
        if domain_name not in cache:
            cache[domain_name] = make(self.sudo().search([('name', '=', domain_name)], limit=1))
        return cache[domain_name]
