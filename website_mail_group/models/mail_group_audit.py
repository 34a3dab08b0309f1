"""The audit trail of a group, for those who manage it: what changed, who did
it, when, how. Entries are written as superuser by the code making each
change (in batches), read by the group's moderators and the mail group
administrators only, and never written over RPC."""
from odoo import _, api, fields, models
from odoo.http import request

EVENTS = [
    ('settings', 'Settings changed'),
    ('privacy', 'Privacy changed'),
    ('moderator_added', 'Moderator added'),
    ('moderator_removed', 'Moderator removed'),
    ('member_joined', 'Member joined'),
    ('member_added', 'Member added'),
    ('member_left', 'Member left'),
    ('member_removed', 'Member removed'),
    ('member_disabled', 'Delivery disabled by bounces'),
    ('member_enabled', 'Delivery turned back on'),
    ('moderation', 'Moderation decision'),
    ('import', 'Import'),
]
HOW = [
    ('website', 'Website'),
    ('backend', 'Back office'),
    ('mail', 'Mail'),
    ('source', 'Member source'),
    ('import', 'Import'),
    ('bounces', 'Bounces'),
    ('system', 'Automatic'),
]
PRIVACY_FIELDS = ('access_mode', 'access_group_id')
UNAUDITED_FIELDS = {  # what the group's pages or the system change, not its managers' settings
    'moderator_ids', 'member_ids', 'mail_group_message_ids', 'moderation_rule_ids', 'member_source_ids',
    'header_rule_ids', 'image_128', 'message_follower_ids', 'website_message_ids',
}


class MailGroupAudit(models.Model):
    _name = 'mail.group.audit'
    _description = 'Mailing List Audit Entry'
    _order = 'date DESC, id DESC'
    _rec_name = 'event'

    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, index=True, ondelete='cascade',
                                    readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, readonly=True)
    event = fields.Selection(EVENTS, required=True, readonly=True)
    how = fields.Selection(HOW, required=True, readonly=True)
    user_id = fields.Many2one('res.users', string='Done By', readonly=True, ondelete='set null')
    email = fields.Char('Member or Author', readonly=True, index='btree_not_null')
    detail = fields.Char('Details', readonly=True)

    @api.model
    def _how(self):
        """How the current change is made: said by the caller's context, else
        read from the request (the web client's routes, else the website)."""
        context = self.env.context
        if context.get('mail_group_audit_how'):
            return context['mail_group_audit_how']
        if context.get('mail_group_source_sync'):
            return 'source'
        if context.get('import_file'):
            return 'import'
        if request and getattr(request, 'httprequest', None):
            path = request.httprequest.path
            return 'backend' if path.startswith(('/web/', '/xmlrpc', '/jsonrpc')) else 'website'
        return 'system'

    @api.model
    def _log(self, entries):
        """Write ``entries`` (dicts of ``mail_group_id``, ``event``, and
        ``email``, ``detail``, ``how``), done by the current user."""
        if not entries or self.env.context.get('install_mode'):
            return self
        how, user_id = self._how(), self.env.user.id if not self.env.user._is_public() else False
        return self.sudo().create([{'how': how, 'user_id': user_id, **entry} for entry in entries])


class MailGroup(models.Model):
    _inherit = 'mail.group'

    audit_count = fields.Integer('Audit Entries', compute='_compute_audit_count', groups='base.group_user')

    def _compute_audit_count(self):
        counts = dict(self.env['mail.group.audit']._read_group(
            [('mail_group_id', 'in', self.ids)], ['mail_group_id'], ['__count']))
        for group in self:
            group.audit_count = counts.get(group, 0)

    def write(self, vals):
        # what managers set on the form; not what the system keeps (dates of the last digest, ...)
        audited = [name for name in vals if name not in UNAUDITED_FIELDS and name in self._fields
                   and self._fields[name].store and not self._fields[name].readonly
                   and not name.startswith(('alias_defaults', 'message_'))]
        before = {group.id: {name: group[name] for name in audited} for group in self.sudo()}
        moderators = {group.id: group.moderator_ids for group in self.sudo()} if 'moderator_ids' in vals else {}
        result = super().write(vals)
        entries = []
        for group in self.sudo():
            for name in audited:
                old, new = before[group.id][name], group[name]
                if old != new:
                    entries.append({'mail_group_id': group.id, 'event': 'privacy' if name in PRIVACY_FIELDS else 'settings',
                                    'detail': f'{group._fields[name].get_description(self.env)["string"]}: '
                                              f'{group._audit_value(name, old)} → {group._audit_value(name, new)}'})
            if group.id in moderators:
                entries += [{'mail_group_id': group.id, 'event': 'moderator_added', 'detail': user.name,
                             'email': user.email} for user in group.moderator_ids - moderators[group.id]]
                entries += [{'mail_group_id': group.id, 'event': 'moderator_removed', 'detail': user.name,
                             'email': user.email} for user in moderators[group.id] - group.moderator_ids]
        self.env['mail.group.audit']._log(entries)
        return result

    def _audit_value(self, name, value):
        field = self._fields[name]
        if field.type == 'selection':
            return dict(field._description_selection(self.env)).get(value, value or '')
        if field.type in ('many2one', 'many2many', 'one2many'):
            return ', '.join(value.mapped('display_name')) or '—'
        if field.type == 'html':
            return _('(text changed)')
        if field.type == 'boolean':
            return _('Yes') if value else _('No')
        if value is False or value is None:
            return '—'
        return str(value)[:100]
