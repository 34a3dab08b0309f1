"""mail.group.header.rule: per group, a header of inbound mail matched
against a wildcard pattern, and what happens to mail matching it (hold,
reject, discard). Read on mail from the gateway only (inbound/rules.py,
``rule_headers``)."""
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..inbound import patterns

HEADER_NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9-]{0,75}')
MAX_RULES = 50
# ready-made rules: (header, pattern), held
SPAM_FILTER_RULES = [
    ('X-Spam-Flag', 'YES'),  # SpamAssassin
    ('X-Spam', 'Yes'),       # rspamd
]


class MailGroupHeaderRule(models.Model):
    _name = 'mail.group.header.rule'
    _description = 'Mail Group Header Rule'
    _order = 'sequence, id'

    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, index=True, ondelete='cascade')
    sequence = fields.Integer(default=10)
    header = fields.Char(required=True, help='The name of the header, such as X-Spam-Flag.')
    pattern = fields.Char(
        'Value', required=True,
        help='A pattern for the whole value, in any case: * stands for any characters, ? for one, e.g. YES or *spam*.')
    action = fields.Selection([
        ('hold', 'Hold for moderation'),
        ('reject', 'Reject'),
        ('discard', 'Discard'),
    ], required=True, default='hold')

    @api.constrains('header', 'pattern')
    def _check_header(self):
        for rule in self:
            if not HEADER_NAME.fullmatch((rule.header or '').strip()):
                raise ValidationError(_('"%s" is not a header name: letters, digits and dashes only, '
                                        'e.g. X-Spam-Flag.', rule.header))
            if len(rule.pattern or '') > patterns.MAX_PATTERN_LENGTH:
                raise ValidationError(_('The value of a header rule is longer than %s characters.',
                                        patterns.MAX_PATTERN_LENGTH))

    @api.constrains('mail_group_id')
    def _check_count(self):
        for group in self.mail_group_id:
            if len(group.header_rule_ids) > MAX_RULES:
                raise ValidationError(_('At most %s header rules per group.', MAX_RULES))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get('header'):
                vals['header'] = vals['header'].strip()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get('header'):
            vals['header'] = vals['header'].strip()
        result = super().write(vals)
        if not self.env.su and 'mail_group_id' in vals:
            # a rule moved to another group must still be one the writer moderates
            self.check_access_rule('write')
        return result


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def action_add_spam_filter_rules(self):
        """Add the usual spam filters' verdicts (SpamAssassin, rspamd) as
        rules holding the mail, once."""
        for group in self:
            group._check_can_manage_rules()
            existing = {(rule.header.lower(), rule.pattern.lower()) for rule in group.header_rule_ids}
            group.write({'header_rule_ids': [
                fields.Command.create({'header': header, 'pattern': pattern, 'action': 'hold'})
                for header, pattern in SPAM_FILTER_RULES if (header.lower(), pattern.lower()) not in existing
            ]})
        return True

    def _check_can_manage_rules(self):
        self.check_access_rights('write')
        self.check_access_rule('write')
