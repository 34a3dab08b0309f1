"""What tells the member sources that their records changed: contacts,
users, user groups and the blacklist (the sync then runs within a minute,
see ``mail.group._trigger_source_sync``). Events and mailing lists are not
dependencies: their bridge addons (website_mail_group_event,
website_mail_group_mass_mailing) tell it of theirs."""
from odoo import api, models


class ResPartner(models.Model):
    _inherit = 'res.partner'

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        self.env['mail.group']._trigger_source_sync('res.partner')
        return partners

    def write(self, vals):
        result = super().write(vals)
        self.env['mail.group']._trigger_source_sync('res.partner', vals)
        return result

    def unlink(self):
        result = super().unlink()
        self.env['mail.group']._trigger_source_sync('res.partner')
        return result


class ResUsers(models.Model):
    _inherit = 'res.users'

    def write(self, vals):
        result = super().write(vals)
        if {'active', 'partner_id'} & set(vals) or any(name.startswith(('groups_id', 'in_group_', 'sel_groups_'))
                                                        for name in vals):
            self.env['mail.group']._trigger_source_sync('res.users')
        return result


class ResGroups(models.Model):
    _inherit = 'res.groups'

    def write(self, vals):
        result = super().write(vals)
        if {'users', 'implied_ids'} & set(vals):
            self.env['mail.group']._trigger_source_sync('res.groups')
        return result


class MailBlacklist(models.Model):
    _inherit = 'mail.blacklist'

    def write(self, vals):
        result = super().write(vals)
        if 'active' in vals:  # leaving the blacklist: the sources may add the address again
            self.env['mail.group']._trigger_source_sync('mail.blacklist')
        return result
