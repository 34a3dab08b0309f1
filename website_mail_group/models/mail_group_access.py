"""Who may create and change a group: its managers only, and each group keeps
its own alias."""
from odoo import Command, _, api, models
from odoo.exceptions import AccessError

MANAGER_GROUP = 'website_mail_group.group_mail_group_manager'


class MailGroup(models.Model):
    """Who manages a group: mail group administrators, and its moderators
    (record rules in security/website_mail_group_security.xml). Creating a
    group gives no lasting right by itself: the creator is made a moderator,
    and loses the group's management when removed from its moderators."""
    _inherit = 'mail.group'

    @api.model_create_multi
    def create(self, vals_list):
        self._check_alias_link(vals_list)
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            for vals in vals_list:
                commands = vals.get('moderator_ids') or []
                if all(isinstance(command, int) for command in commands):
                    commands = [Command.set(commands)] if commands else []
                vals['moderator_ids'] = [*commands, Command.link(self.env.uid)]
        return super().create(vals_list)

    def write(self, vals):
        self._check_alias_link([vals])
        # mail.alias.mixin writes the alias fields (address, who may post) as
        # superuser after checking the access rights only: the record rules
        # apply to them as to every other field
        if not self.env.su and set(vals) & set(self.ALIAS_WRITEABLE_FIELDS):
            self.check_access_rights('write')
            self.check_access_rule('write')
        return super().write(vals)

    def _check_alias_link(self, vals_list):
        """Each group creates its own alias: pointed at an existing one (another
        group's, a team's), the mixin would rewrite it as superuser to deliver
        into this group, and delete it with the group."""
        if not self.env.su and any(vals.get('alias_id') for vals in vals_list):
            raise AccessError(_('The alias of a mail group cannot be chosen; set its address instead.'))

    def _check_can_manage(self):
        """Raise unless the current user manages every group of ``self``."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        if any(self.env.user not in group.sudo().moderator_ids for group in self):
            raise AccessError(_('Only the moderators of the group and the mail group administrators can do this.'))
