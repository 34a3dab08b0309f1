"""What only a group's moderators and the administrators may know: its
inbound limits, banned addresses and held posts. Moderators are chosen per
group, not by a res.groups, so ``groups=`` cannot say it: others read these
fields empty (counts 0) and only administrators search or group by them."""
from odoo import _, models
from odoo.exceptions import AccessError
from odoo.models import NewId

from .mail_group_access import MANAGER_GROUP

# stored settings; the counts of held posts and rules are computed per reader
MODERATOR_FIELDS = frozenset({
    'banned_patterns', 'nonmember_action', 'max_message_size_kb', 'max_recipients', 'moderation_notify_msg',
    'mail_group_message_moderation_count', 'moderation_rule_count', 'sender_authentication', 'complaint_count',
    'emergency_hold', 'new_member_moderation', 'new_member_moderation_date', 'require_explicit_destination',
    'accepted_addresses', 'auth_fail_action', 'held_expiry_days', 'held_expiry_action', 'held_expiry_start',
})


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _managed_groups(self):
        """The groups of ``self`` the current user moderates or administers."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return self
        return self.filtered(lambda group: self.env.user in group.sudo().moderator_ids)

    def _read_format(self, fnames, load='_classic_read'):
        result = super()._read_format(fnames, load=load)
        private = MODERATOR_FIELDS.intersection(fnames or ())
        if private and not self.env.su:
            managed = set(self._origin._managed_groups().ids)
            for values in result:
                # onchange reads a form's record as a NewId: its group's, or none for a group being created
                record_id = values['id'].origin if isinstance(values['id'], NewId) else values['id']
                if record_id and record_id not in managed:
                    values.update({name: 0 if self._fields[name].type == 'integer' else False for name in private})
        return result

    def _search(self, domain, *args, **kwargs):
        self._check_moderator_fields(
            leaf[0].split('.')[0] for leaf in domain or () if isinstance(leaf, (list, tuple)) and len(leaf) == 3
            and isinstance(leaf[0], str))
        return super()._search(domain, *args, **kwargs)

    def _read_group_check_field_access_rights(self, field_names):
        result = super()._read_group_check_field_access_rights(field_names)
        self._check_moderator_fields(field_names)
        return result

    def export_data(self, fields_to_export):
        if self - self._managed_groups():
            self._check_moderator_fields(path.split('/')[0] for path in fields_to_export)
        return super().export_data(fields_to_export)

    def _check_moderator_fields(self, field_names):
        """Searching, grouping or exporting by moderators' fields across
        groups: administrators only."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        if MODERATOR_FIELDS.intersection(field_names):
            raise AccessError(
                _('Only the mail group administrators can search, group or export moderation settings across groups.'))
