"""The deliverability check of an alias domain, in the back office: DKIM,
SPF, DMARC and MX as found in DNS, with the records to publish
(outbound/deliverability.py). It never blocks sending."""
from markupsafe import Markup

from odoo import _, fields, models

from ..outbound import deliverability


class MailAliasDomain(models.Model):
    _inherit = 'mail.alias.domain'

    deliverability_report = fields.Html('Deliverability', readonly=True, sanitize=True, copy=False)
    deliverability_date = fields.Datetime('Checked On', readonly=True, copy=False)

    def action_check_deliverability(self):
        labels = {deliverability.OK: _('ok'), deliverability.MISSING: _('missing'),
                  deliverability.UNKNOWN: _('could not be checked')}
        lookup = self.env['mail.group']._dns_lookup()
        for domain in self:
            checks = deliverability.check(domain.name, lookup, domain.dkim_selector, domain.sudo().dkim_private_key)
            rows = Markup('').join(
                Markup('<tr><td>%s</td><td class="%s">%s</td><td>%s</td><td><code>%s</code></td></tr>') % (
                    item.name, 'text-success' if item.status == deliverability.OK else 'text-danger',
                    labels[item.status], item.found, item.publish)
                for item in checks)
            head = Markup('<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>') % (
                _('Record'), _('Status'), _('Found'), _('To publish'))
            domain.write({
                'deliverability_report': Markup('<table class="table table-sm">%s%s</table>') % (head, rows),
                'deliverability_date': fields.Datetime.now(),
            })
        return True
