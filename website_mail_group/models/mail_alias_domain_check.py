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
        # the report is written on the domain: for those who may write it
        self.check_access_rights('write')
        self.check_access_rule('write')
        labels = {deliverability.OK: _('ok'), deliverability.MISSING: _('missing'),
                  deliverability.UNKNOWN: _('could not be checked')}
        notes = {'no_record': _('no record'), 'other_key': _('a different key'), 'several': _('several records'),
                 'no_key': _('no key: generate one, or sign in your mail server (OpenDKIM)'),
                 'org_domain': _('organizational domain')}
        lookup = self.env['mail.group']._dns_lookup()
        for domain in self:
            checks = deliverability.check(
                domain.name, lookup, notes, domain.dkim_selector, domain.sudo().dkim_private_key)
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
