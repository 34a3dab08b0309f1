"""Moderation rules for busy lists: new members' first posts held, an
emergency hold, the list's address required in To or Cc, a verdict on
failed sender authentication, and the header rules
(mail_group_header_rule.py). The rules themselves are in inbound/rules.py:
this gathers the facts they read."""
from dataclasses import replace

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from ..inbound import patterns

MAX_ACCEPTED_ADDRESSES = 50


class MailGroup(models.Model):
    _inherit = 'mail.group'

    emergency_hold = fields.Boolean(
        'Emergency hold', copy=False,
        help='Every post is held for a moderator until this is turned off, whitelisted authors\' and moderators\' '
             'mail included; only moderators posting from Odoo or the website are not held.')
    new_member_moderation = fields.Integer(
        "Moderate new members' first posts", default=0,
        help='The first posts of each member who joined after this was turned on are held ("New member") until '
             'this many of them have been accepted. Whitelisting the member ends it. 0: off.')
    new_member_moderation_date = fields.Datetime(
        'New members moderated since', readonly=True, copy=False,
        help='Members who joined from this date on are new members; those who joined before are not.')
    require_explicit_destination = fields.Boolean(
        'Require the list address in To or Cc', default=True,
        help='Mail naming none of the group\'s addresses in To or Cc (sent in Bcc, as spam often is) is held '
             '("List address not in To or Cc").')
    accepted_addresses = fields.Text(
        'Other accepted addresses',
        help='One per line: other addresses of this list that may appear in To or Cc instead of its own '
             '(an old address forwarded to it, a list it is subscribed to).')
    auth_fail_action = fields.Selection([
        ('hold', 'Hold for moderation'),
        ('reject', 'Reject'),
        ('discard', 'Discard'),
    ], string='Mail failing sender authentication',
        help='Mail whose sender\'s domain publishes DMARC and which fails it (as checked under "Authenticate '
             'senders"). Empty: it is only treated as a non-member\'s post.')
    header_rule_ids = fields.One2many('mail.group.header.rule', 'mail_group_id', string='Header rules', copy=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get('new_member_moderation'):
                vals['new_member_moderation_date'] = self.env.cr.now()
        return super().create(vals_list)

    def write(self, vals):
        if 'new_member_moderation' not in vals:
            return super().write(vals)
        turned_on = self.filtered(lambda group: not group.new_member_moderation)
        result = super().write(vals)
        if vals['new_member_moderation']:
            turned_on.write({'new_member_moderation_date': self.env.cr.now()})
        else:
            self.write({'new_member_moderation_date': False})
        return result

    @api.constrains('new_member_moderation')
    def _check_new_member_moderation(self):
        if any(group.new_member_moderation < 0 for group in self):
            raise ValidationError(_('The number of moderated first posts cannot be negative.'))

    @api.constrains('accepted_addresses')
    def _check_accepted_addresses(self):
        for group in self:
            lines = patterns.pattern_lines(group.accepted_addresses)
            if len(lines) > MAX_ACCEPTED_ADDRESSES:
                raise ValidationError(_('At most %s other accepted addresses per group.', MAX_ACCEPTED_ADDRESSES))
            for line in lines:
                if not tools.email_normalize(line):
                    raise ValidationError(_('"%s" is not an email address.', line))

    # ------------------------------------------------------------
    # FACTS FOR THE RULES
    # ------------------------------------------------------------

    def _gateway_post_facts(self, facts, verdict):
        """The ``rules.Post`` values of a mail from the gateway (``facts``)."""
        if facts is None:
            return {}
        return {
            'via_gateway': True,
            'header_values': tuple(facts.header_values),
            'destinations': tuple(facts.destinations),
            'authentication': verdict.status if verdict else '',
        }

    def _moderation_policy(self, email_normalized, author_id=None, by_address=True):
        policy = super()._moderation_policy(email_normalized, author_id, by_address=by_address)
        return replace(
            policy,
            emergency_hold=self.emergency_hold,
            header_rules=tuple((rule.header, rule.pattern, rule.action) for rule in self.header_rule_ids),
            auth_fail_action=self.auth_fail_action or '',
            list_addresses=self._list_addresses() if self.require_explicit_destination and by_address else (),
            author_is_new_member=self._is_new_member(email_normalized, author_id, by_address),
        )

    def _list_addresses(self):
        """The addresses naming this list in To or Cc, lower-cased: its alias
        under each alias domain (the gateway may route by the alias name
        alone) and the accepted addresses. Empty without an alias."""
        self.ensure_one()
        if not self.alias_name:
            return ()
        name = self.alias_name.lower()
        # pylint: disable-next=no-search-all  # a database has a handful of alias domains
        domains = self.env['mail.alias.domain'].sudo().search([]).mapped('name')
        addresses = {f'{name}@{domain.lower()}' for domain in domains}
        if self.alias_email:
            addresses.add(self.alias_email.lower())
        addresses.update(filter(None, map(tools.email_normalize, patterns.pattern_lines(self.accepted_addresses))))
        return tuple(sorted(addresses))

    def _is_new_member(self, email_normalized, author_id, by_address):
        """Whether the author is a member who joined since new members are
        moderated and has fewer accepted posts in the group than it says.
        Mail proves an address, web and Odoo posts their partner."""
        self.ensure_one()
        if not self.new_member_moderation or not self.new_member_moderation_date:
            return False
        if by_address:
            member = self._find_member(email_normalized, author_id) if email_normalized else None
        else:
            member = self._partner_member(author_id) if author_id else None
        if not member or member.create_date < self.new_member_moderation_date:
            return False
        authors = [('email_from_normalized', '=', member.email_normalized)] if member.email_normalized else []
        if member.partner_id:
            authors = ['|', ('author_id', '=', member.partner_id.id), *authors] if authors \
                else [('author_id', '=', member.partner_id.id)]
        accepted = self.env['mail.group.message'].sudo().search_count(
            [('mail_group_id', '=', self.id), ('moderation_status', '=', 'accepted'), *authors],
            limit=self.new_member_moderation)
        return accepted < self.new_member_moderation
