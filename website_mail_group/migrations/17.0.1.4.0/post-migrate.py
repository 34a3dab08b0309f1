"""Issue 18, first day:
- groups created in the form had no alias domain, so no address: they get
  the company's, unless another alias holds that address."""
import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger('odoo.addons.website_mail_group.migrations')


def migrate(cr, installed_version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    domain = env.company.alias_domain_id
    groups = env['mail.group'].with_context(active_test=False).search(
        [('alias_name', '!=', False), ('alias_domain_id', '=', False)])
    if not domain or not groups:
        return
    taken = set(env['mail.alias'].search(
        [('alias_name', 'in', groups.mapped('alias_name')), ('alias_domain_id', '=', domain.id)]).mapped('alias_name'))
    for group in groups.filtered(lambda group: group.alias_name not in taken):
        group.alias_id.alias_domain_id = domain
        _logger.info('Mail group %s: address %s', group.id, group.alias_email)
