"""Members drawn from Odoo's records: a group's sources (contacts matching a
domain, the users of a user group, an event's confirmed attendees, a
mass-mailing list's contacts) and the pass that keeps its members in step
with them (``_sync_sources``), one group at a time, in batches."""
import logging
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)

CREATE_BATCH = 2000  # members created per ORM call
CRON_DELAY = timedelta(minutes=1)  # a change of the records reaches the members after it
OPTIONAL_SOURCES = {'event': 'event.event', 'mailing_list': 'mailing.list'}  # kind: its record's model, if installed
SOURCE_KINDS = ('partner', 'users', *OPTIONAL_SOURCES)


class MailGroupMemberSource(models.Model):
    _name = 'mail.group.member.source'
    _description = 'Mailing List Member Source'
    _order = 'sequence, id'

    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, index=True, ondelete='cascade')
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(selection='_selection_kind', string='Source', required=True, default='partner')
    partner_domain = fields.Char(
        'Contacts', default='[]',
        help='The contacts whose address becomes a member, e.g. every contact with a given tag.')
    user_group_id = fields.Many2one('res.groups', ondelete='cascade')
    record_ref = fields.Reference(selection='_selection_record_ref', string='Event / Mailing List')
    member_ids = fields.One2many('mail.group.member', 'source_id', string='Members')
    member_count = fields.Integer('Members from this Source', compute='_compute_member_count')
    last_sync_date = fields.Datetime('Last Synchronization', readonly=True, copy=False)

    @api.model
    def _selection_kind(self):
        kinds = [('partner', _('Contacts matching a filter')), ('users', _('Users of a user group'))]
        if OPTIONAL_SOURCES['event'] in self.env:
            kinds.append(('event', _('Confirmed attendees of an event')))
        if OPTIONAL_SOURCES['mailing_list'] in self.env:
            kinds.append(('mailing_list', _('Contacts of a mailing list')))
        return kinds

    @api.model
    def _selection_record_ref(self):
        return [(model, self.env['ir.model']._get(model).name) for model in OPTIONAL_SOURCES.values() if model in self.env]

    @api.depends('member_ids')
    def _compute_member_count(self):
        counts = dict(self.env['mail.group.member']._read_group(
            [('source_id', 'in', self.ids)], ['source_id'], ['__count']))
        for source in self:
            source.member_count = counts.get(source, 0)

    @api.constrains('kind', 'partner_domain', 'user_group_id', 'record_ref')
    def _check_kind(self):
        for source in self:
            if source.kind == 'partner':
                try:
                    domain = safe_eval(source.partner_domain or '[]')
                    self.env['res.partner']._where_calc(domain)
                except Exception as error:
                    raise ValidationError(_('The filter of the contacts is not valid: %s', error)) from error
            elif source.kind == 'users' and not source.user_group_id:
                raise ValidationError(_('Choose the user group whose users become members.'))
            elif source.kind in OPTIONAL_SOURCES and (
                    not source.record_ref or source.record_ref._name != OPTIONAL_SOURCES[source.kind]):
                raise ValidationError(_('Choose the record whose people become members.'))

    @api.depends('kind', 'user_group_id', 'record_ref')
    def _compute_display_name(self):
        kinds = dict(self._selection_kind())
        for source in self:
            what = source.user_group_id.display_name if source.kind == 'users' else (
                source.record_ref.display_name if source.record_ref else '')
            source.display_name = f'{kinds.get(source.kind, source.kind)}: {what}' if what else kinds.get(source.kind)

    @api.model_create_multi
    def create(self, vals_list):
        self.env.cr.precommit.data.pop('mail_group_sources', None)  # read again by the next trigger
        return super().create(vals_list)

    def write(self, vals):
        self.env.cr.precommit.data.pop('mail_group_sources', None)
        return super().write(vals)

    def action_sync(self):
        """Sync now (the form's button)."""
        self.mail_group_id.check_access_rule('write')
        self.mail_group_id.sudo()._sync_sources()
        return True

    # ------------------------------------------------------------
    # WHO EACH SOURCE NAMES
    # ------------------------------------------------------------

    def _people(self):
        """``{email_normalized: (email, partner id or False)}`` named by
        the source, read without record rules (the sync runs as superuser;
        only administrators write sources)."""
        self.ensure_one()
        if self.kind == 'partner':
            rows = self.env['res.partner'].sudo().search_fetch(
                safe_eval(self.partner_domain or '[]') + [('email_normalized', '!=', False)],
                ['email', 'email_normalized'])
            return {partner.email_normalized: (partner.email, partner.id) for partner in rows}
        if self.kind == 'users':
            users = self.env['res.users'].sudo().search_fetch([('groups_id', 'in', self.user_group_id.ids)], ['partner_id'])
            return {partner.email_normalized: (partner.email, partner.id)
                    for partner in users.partner_id if partner.email_normalized}
        if self.kind == 'event' and self.record_ref:
            registrations = self.env['event.registration'].sudo().search_fetch([
                ('event_id', '=', self.record_ref.id), ('state', 'in', ('open', 'done'))], ['email', 'partner_id'])
            return {normalized: (registration.email, registration.partner_id.id)
                    for registration in registrations
                    if (normalized := tools.email_normalize(registration.email or ''))}
        if self.kind == 'mailing_list' and self.record_ref:
            subscriptions = self.env['mailing.subscription'].sudo().search_fetch([
                ('list_id', '=', self.record_ref.id), ('opt_out', '=', False)], ['contact_id'])
            return {contact.email_normalized: (contact.email, False)
                    for contact in subscriptions.contact_id if contact.email_normalized and not contact.is_blacklisted}
        return {}


class MailGroup(models.Model):
    _inherit = 'mail.group'

    member_source_ids = fields.One2many('mail.group.member.source', 'mail_group_id', string='Member Sources',
                                        context={'active_test': False})
    member_source_welcome = fields.Boolean(
        'Welcome Members from Sources',
        help='Members added by a source get the welcome mail, as people who join do.')

    @api.model
    def _cron_sync_sources(self):
        """Nightly, and within minutes of a change of the records sources read."""
        for group in self.env['mail.group.member.source'].search([('active', '=', True)]).mail_group_id:
            group._sync_sources()

    def _sync_sources(self):
        """Make the group's members from sources those its active sources
        name: add who is missing (not a member already by address or
        partner, not excluded, not in Odoo's blacklist), remove who no
        source names any longer, hand a member to the next source naming
        them when theirs stops. Members added by hand are never touched."""
        self.ensure_one()
        Member = self.env['mail.group.member'].sudo().with_context(mail_group_source_sync=True, active_test=False)
        sources = self.member_source_ids.filtered('active')
        wanted = {}  # email_normalized: (email, partner id, source id), first source first
        for source in sources:
            for normalized, (email, partner_id) in source._people().items():
                wanted.setdefault(normalized, (email, partner_id, source.id))
        members = Member.search_fetch([('mail_group_id', '=', self.id)], ['email_normalized', 'partner_id', 'source_id'])
        by_email = {member.email_normalized: member for member in members if member.email_normalized}
        partners = set(members.partner_id.ids)

        gone = members.filtered(lambda m: m.source_id and m.email_normalized not in wanted)
        moved = {}
        for member in members.filtered(lambda m: m.source_id and m.email_normalized in wanted):
            source_id = wanted[member.email_normalized][2]
            if member.source_id.id != source_id:
                moved.setdefault(source_id, []).append(member.id)
        for source_id, member_ids in moved.items():
            Member.browse(member_ids).write({'source_id': source_id})

        missing = {normalized: row for normalized, row in wanted.items()
                   if normalized not in by_email and not (row[1] and row[1] in partners)}
        if missing:
            missing_emails = list(missing)
            excluded = set(self.env['mail.group.member.exclusion'].sudo().search_fetch(
                [('mail_group_id', '=', self.id), ('email_normalized', 'in', missing_emails)],
                ['email_normalized']).mapped('email_normalized'))
            blacklisted = set(self.env['mail.blacklist'].sudo().search_fetch(
                [('email', 'in', missing_emails)], ['email']).mapped('email'))
            missing = {normalized: row for normalized, row in missing.items()
                       if normalized not in excluded and normalized not in blacklisted}
        # email_normalized given: computed after the insert, it is one UPDATE per member
        values = [{'mail_group_id': self.id, 'email': email, 'email_normalized': normalized, 'partner_id': partner_id,
                   'source_id': source_id} for normalized, (email, partner_id, source_id) in missing.items()]
        added = Member
        for start in range(0, len(values), CREATE_BATCH):
            added |= Member.create(values[start:start + CREATE_BATCH])
        gone.unlink()
        sources.write({'last_sync_date': fields.Datetime.now()})
        if added and self.member_source_welcome:
            self.with_context(mail_group_source_sync=False)._send_welcome(added.with_context(mail_group_source_sync=False))
        if added or gone:
            _logger.info('Mail group %s: %d members added and %d removed by its sources', self.id, len(added), len(gone))
        return added, gone

    def _trigger_source_sync(self, model, field_names=None):
        """After a change of ``model``'s records (of ``field_names``, None:
        created or deleted) that a source may read: the sync runs a minute
        after the transaction commits, scheduled once per transaction. The
        active sources are read once per transaction, not once per write."""
        data = self.env.cr.precommit.data
        if data.get('mail_group_source_sync'):
            return
        if 'mail_group_sources' not in data:
            data['mail_group_sources'] = [(source.kind, source.partner_domain) for source in self.env[
                'mail.group.member.source'].sudo().search_fetch([], ['kind', 'partner_domain'])]
        kinds = {'res.partner': ['partner', 'users'], 'res.users': ['users'], 'res.groups': ['users'],
                 'event.registration': ['event'], 'mailing.subscription': ['mailing_list'],
                 'mailing.contact': ['mailing_list'], 'mail.blacklist': list(SOURCE_KINDS)}[model]
        sources = [(kind, domain) for kind, domain in data['mail_group_sources'] if kind in kinds]
        if field_names is not None and model == 'res.partner':
            read = {'email', 'active'} | {name for kind, domain in sources if kind == 'partner'
                                          for name in domain_field_names(domain)}
            if not read & set(field_names):
                return
        if sources:
            data['mail_group_source_sync'] = True
            self.env.cr.precommit.add(self._schedule_source_sync)

    def _schedule_source_sync(self):
        self.env.ref('website_mail_group.ir_cron_mail_group_sync_sources').sudo()._trigger(
            at=fields.Datetime.now() + CRON_DELAY)


def domain_field_names(domain):
    """The fields a domain's conditions start from (``category_id`` of
    ``category_id.name``)."""
    try:
        leaves = safe_eval(domain or '[]')
    except Exception:  # noqa: BLE001  a domain saved before it was checked: read every field
        return {'*'}
    return {leaf[0].split('.')[0] for leaf in leaves if isinstance(leaf, (list, tuple)) and len(leaf) == 3
            and isinstance(leaf[0], str)}
