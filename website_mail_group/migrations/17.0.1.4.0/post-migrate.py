"""Issue 18, first day:
- links of a mail open in its language: the welcome template (noupdate)
  links the archive through _mail_group_base_url, which adds the
  language's prefix; each stored translation of its body is updated, a
  customised body too (only the expression changes);
- groups created in the form had no alias domain, so no address: they get
  the company's, unless another alias holds that address."""
import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger('odoo.addons.website_mail_group.migrations')

OLD = 'object.mail_group_id.get_base_url()'
NEW = 'object.mail_group_id._mail_group_base_url()'


def migrate(cr, installed_version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref('website_mail_group.mail_template_welcome', raise_if_not_found=False)
    for code, _name in env['res.lang'].get_installed() if template else []:
        # check_translations: only the languages the body is stored in
        body = template.with_context(lang=code, check_translations=True).body_html
        if body and OLD in body:
            template.with_context(lang=code).body_html = body.replace(OLD, NEW)

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
