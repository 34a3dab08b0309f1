"""What the alias tells an author it refuses."""
from odoo import _, models


class MailAlias(models.Model):
    _inherit = 'mail.alias'

    def _get_alias_contact_description(self):
        """Tell refused authors who may post to a private list."""
        if self.alias_model_id.model == 'mail.group' and self.alias_force_thread_id:
            group = self.env['mail.group'].sudo().browse(self.alias_force_thread_id).exists()
            if group.access_mode == 'members':
                return _('members of the mailing list')
            if group.access_mode == 'groups':
                return _('users of the group "%s"', group.access_group_id.name)
        return super()._get_alias_contact_description()
