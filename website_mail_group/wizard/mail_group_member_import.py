"""Bring members over from another list server: addresses pasted one a line
or comma-separated (``Name <address>`` accepted), added at once or sent the
subscription confirmation, in one pass whatever their number."""
import re

from odoo import _, api, fields, models, tools

MAX_ENTRY = 512  # characters of one entry: longer ones are refused
SHOWN_INVALID = 100  # invalid entries listed back to the user
CONTROL = re.compile(r'[\x00-\x1f\x7f-\x9f]')
# an address alone, <address>, or a name (quoted or not) then <address>
ENTRY = re.compile(r'^(?:(?P<name>"[^"]*"|[^<>"]*?)\s*<(?P<address>[^<>\s]+)>|(?P<bare>[^<>\s"]+))$')
# one @, a dot in the domain, none of the characters that separate or quote addresses
ADDRESS = re.compile(r'^[^@\s<>()\[\],;:"\\]+@[^@\s<>()\[\],;:"\\.]+(?:\.[^@\s<>()\[\],;:"\\.]+)+$')


def split_entries(text):
    """The entries of ``text``: one a line, or separated by commas or
    semicolons outside double quotes (``"Doe, John" <j@example.com>``)."""
    for line in text.splitlines():
        entry, quoted = [], False
        for char in line:
            if char == '"':
                quoted = not quoted
            elif char in ',;' and not quoted:
                yield ''.join(entry).strip()
                entry = []
                continue
            entry.append(char)
        yield ''.join(entry).strip()


def parse_entry(entry):
    """``(name, normalized address)`` of one entry, or None if invalid."""
    if len(entry) > MAX_ENTRY:
        return None
    match = ENTRY.match(entry)
    address = match and (match['address'] or match['bare'])
    if not address or not ADDRESS.match(address) or len(address) > 254:
        return None
    normalized = tools.email_normalize(address)
    if not normalized:
        return None
    name = CONTROL.sub('', (match['name'] or '').strip().strip('"')).strip()
    return name[:128], normalized


class MailGroupMemberImport(models.TransientModel):
    _name = 'mail.group.member.import'
    _description = 'Import Mailing List Members'

    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, ondelete='cascade')
    emails = fields.Text('Addresses', help='One address a line, or separated by commas; "Name <address>" is accepted.')
    mode = fields.Selection([
        ('add', 'Add them as members now'),
        ('invite', 'Send each the subscription confirmation'),
    ], string='Import', required=True, default='add',
        help='Added members get no mail; invited addresses become members when they click the link of their mail.')
    state = fields.Selection([('draft', 'Draft'), ('done', 'Done')], default='draft', readonly=True)
    added_count = fields.Integer('Added', readonly=True)
    invited_count = fields.Integer('Invited', readonly=True)
    existing_count = fields.Integer('Already Members', readonly=True)
    repeated_count = fields.Integer('Repeated', readonly=True, help='Addresses given more than once, counted once.')
    invalid_count = fields.Integer('Invalid', readonly=True)
    invalid_lines = fields.Text('Invalid Entries', readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        """Only who manages the group opens the wizard."""
        for vals in vals_list:
            self._clean_text(vals)
        self.env['mail.group'].browse(
            [vals['mail_group_id'] for vals in vals_list if vals.get('mail_group_id')])._check_can_manage()
        return super().create(vals_list)

    def write(self, vals):
        self._clean_text(vals)
        if vals.get('mail_group_id'):
            self.env['mail.group'].browse(vals['mail_group_id'])._check_can_manage()
        return super().write(vals)

    @api.model
    def _clean_text(self, vals):
        """PostgreSQL stores no NUL character: pasted text loses them."""
        if isinstance(vals.get('emails'), str):
            vals['emails'] = vals['emails'].replace('\x00', '')

    def action_import(self):
        self.ensure_one()
        group = self.mail_group_id
        group._check_can_manage()
        entries, invalid, repeated = {}, [], 0
        for entry in split_entries(self.emails or ''):
            if not entry:
                continue
            parsed = parse_entry(entry)
            if not parsed:
                invalid.append(entry)
            elif parsed[1] in entries:
                repeated += 1
            else:
                entries[parsed[1]] = parsed[0]
        Member = self.env['mail.group.member'].sudo().with_context(mail_group_audit_how='import')
        existing = {member['email_normalized'] for member in Member.search_read(
            [('mail_group_id', '=', group.id), ('email_normalized', 'in', list(entries))], ['email_normalized'])}
        new = [email for email in entries if email not in existing]
        added = invited = 0
        if self.mode == 'add':
            # the normalized address given, not computed: Odoo would store it with one UPDATE per row
            Member.create([{
                'mail_group_id': group.id,
                'email': tools.formataddr((entries[email], email)) if entries[email] else email,
                'email_normalized': email,
            } for email in new])
            added = len(new)
        else:
            invited = len(group.sudo()._send_subscribe_confirmation_emails(new))
        self.env['mail.group.audit'].with_context(mail_group_audit_how='import')._log([{
            'mail_group_id': group.id, 'event': 'import',
            'detail': _('Members: %(added)s added, %(invited)s invited, %(invalid)s invalid',
                        added=added, invited=invited, invalid=len(invalid))}])
        shown = [CONTROL.sub(' ', entry)[:80] for entry in invalid[:SHOWN_INVALID]]
        if len(invalid) > SHOWN_INVALID:
            shown.append(_('… and %s more', len(invalid) - SHOWN_INVALID))
        self.write({
            'state': 'done', 'added_count': added, 'invited_count': invited,
            'existing_count': len(entries) - len(new), 'repeated_count': repeated,
            'invalid_count': len(invalid), 'invalid_lines': '\n'.join(shown),
        })
        return {
            'type': 'ir.actions.act_window',
            'name': _('Import Members'),
            'res_model': self._name,
            'res_id': self.id,
            'view_mode': 'form',
            'target': 'new',
        }

