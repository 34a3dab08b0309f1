"""Members from sources: the source a member came from, and the exclusion
that keeps out of the group a person who left it (or was removed) while a
source still names them, until they join again themselves."""
from odoo import api, fields, models


class MailGroupMemberExclusion(models.Model):
    _name = 'mail.group.member.exclusion'
    _description = 'Mailing List Exclusion'
    _rec_name = 'email_normalized'

    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, index=True, ondelete='cascade')
    email_normalized = fields.Char('Email', required=True)

    _sql_constraints = [
        ('unique_email', 'UNIQUE(mail_group_id, email_normalized)', 'This address is already excluded from the group.'),
    ]


class MailGroupMember(models.Model):
    _inherit = 'mail.group.member'

    source_id = fields.Many2one('mail.group.member.source', index='btree_not_null', ondelete='cascade',
                                readonly=True, help='The records this member comes from; empty: added by hand or joined.')

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        if not self.env.context.get('mail_group_source_sync'):
            # joining again (or being added by hand) lifts an exclusion
            self._exclusions(members).unlink()
        return members

    def unlink(self):
        if not self.env.context.get('mail_group_source_sync'):
            from_sources = self.filtered('source_id').filtered('email_normalized')
            known = self._exclusions(from_sources)
            known_keys = {(exclusion.mail_group_id.id, exclusion.email_normalized) for exclusion in known}
            keys = {(member.mail_group_id.id, member.email_normalized) for member in from_sources} - known_keys
            self.env['mail.group.member.exclusion'].sudo().create(
                [{'mail_group_id': group_id, 'email_normalized': email} for group_id, email in keys])
        return super().unlink()

    def _exclusions(self, members):
        members = members.filtered('email_normalized')
        if not members:
            return self.env['mail.group.member.exclusion']
        keys = {(member.mail_group_id.id, member.email_normalized) for member in members}
        return self.env['mail.group.member.exclusion'].sudo().search([
            ('mail_group_id', 'in', members.mail_group_id.ids),
            ('email_normalized', 'in', members.mapped('email_normalized')),
        ]).filtered(lambda exclusion: (exclusion.mail_group_id.id, exclusion.email_normalized) in keys)
