"""What happens to members, in the audit trail: joined or added, left or
removed, delivery disabled by bounces or turned back on (one entry per
member, written in one batch per change)."""
from odoo import api, models

SELF_SERVICE = ('website', 'mail')  # the person themselves: joining, leaving


class MailGroupMember(models.Model):
    _inherit = 'mail.group.member'

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        Audit = self.env['mail.group.audit']
        event = 'member_joined' if Audit._how() in SELF_SERVICE else 'member_added'
        Audit._log([{'mail_group_id': member.mail_group_id.id, 'event': event, 'email': member.email}
                    for member in members.sudo()])
        return members

    def unlink(self):
        Audit = self.env['mail.group.audit']
        event = 'member_left' if Audit._how() in SELF_SERVICE else 'member_removed'
        Audit._log([{'mail_group_id': member.mail_group_id.id, 'event': event, 'email': member.email}
                    for member in self.sudo()])
        return super().unlink()

    def write(self, vals):
        if 'delivery_disabled_date' not in vals:
            return super().write(vals)
        disabling = bool(vals['delivery_disabled_date'])
        changed = self.sudo().filtered(lambda member: bool(member.delivery_disabled_date) != disabling)
        result = super().write(vals)
        event = 'member_disabled' if disabling else 'member_enabled'
        how = self.env.context.get('mail_group_audit_how') or ('bounces' if disabling else None)
        self.env['mail.group.audit'].with_context(mail_group_audit_how=how)._log(
            [{'mail_group_id': member.mail_group_id.id, 'event': event, 'email': member.email} for member in changed])
        return result
