"""ARC seals by an alias domain (outbound/arc.py): optional, with the
domain's DKIM key, on the copies of posts that came by mail."""
from odoo import fields, models

from ..outbound import arc


class MailAliasDomain(models.Model):
    _inherit = 'mail.alias.domain'

    arc_seal = fields.Boolean(
        'ARC Seal', default=False,
        help='With a DKIM key, copies of posts that came by mail also carry an ARC seal (RFC 8617) stating how '
             'their sender was authenticated, so that providers trusting this list accept them even when the '
             "list's changes break the author's DKIM signature.")

    def _arc_sealer(self, address):
        """The ``arc.Sealer`` of the alias domain of ``address`` (an
        envelope sender), or None when it does not seal."""
        authserv_id = self.env['ir.config_parameter'].sudo().get_param('website_mail_group.authserv_id')
        return self._signer_of(address, 'mail_group_arc_sealers', lambda domain: arc.Sealer(
            domain.name, domain.dkim_selector, domain.dkim_private_key, authserv_id)
            if domain.arc_seal and domain.dkim_private_key and domain.dkim_selector else None)


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    def _arc_results(self):
        """The inbound verdict of this post for its copies' ARC seal, or
        None (posts from Odoo and the website, groups trusting From)."""
        self.ensure_one()
        post = self.sudo()
        return arc.results(post.authentication_status, post.authentication_details,
                           (post.email_from_normalized or '').rpartition('@')[2])
