"""Membership seen from the group: is the current user a member, who may see
which members, finding members."""
from odoo import _, api, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from .mail_layout import LAYOUT


class MailGroup(models.Model):
    """Membership.

    A logged-in user is a member through a member row linked to their
    partner, never through an address: Odoo lets users change their address
    without verifying it. Rights (record rules), ``is_member``, Join and Leave
    follow the partner link. The mail gateway knows nothing but the From
    address, so mail and the confirmation links mailed to an address match
    addresses (``_find_member``); a member's personal links name their row
    (``_link_member``)."""
    _inherit = 'mail.group'

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    def _known_members_domain(self):
        """Domain of the partner members the current user may know of: all
        for the superuser and mail group administrators, else their own and
        those of the groups they moderate."""
        if self.env.su or self.env.user.has_group('website_mail_group.group_mail_group_manager'):
            return [('partner_id', '!=', False)]
        return ['|', ('partner_id', '=', self.env.user.partner_id.id),
                '&', ('partner_id', '!=', False), ('mail_group_id.moderator_ids', 'in', self.env.user.ids)]

    @api.depends('member_ids.partner_id')
    @api.depends_context('uid')
    def _compute_member_partner_ids(self):
        members = self.env['mail.group.member'].sudo().search(
            [('mail_group_id', 'in', self.ids), *self._known_members_domain()])
        for group in self:
            group.member_partner_ids = members.filtered(lambda m: m.mail_group_id == group).partner_id

    def _search_member_partner_ids(self, operator, operand):
        """Groups having these partners as members (through the partner link
        only), among the members the user may know of; record rules run as
        superuser and see them all."""
        if operator in ('ilike', 'not ilike') and isinstance(operand, str):
            # the search view's "Member" field: partners by name
            partner_ids = self.env['res.partner']._search([('complete_name', 'ilike', operand)])
        elif operator in ('in', 'not in', '=', '!='):
            partner_ids = [pid for pid in (operand if isinstance(operand, (list, tuple)) else [operand]) if pid]
        else:
            raise UserError(_('Unsupported search on members: %s', operator))
        query = self.env['mail.group.member'].sudo()._search(
            [('partner_id', 'in', partner_ids), *self._known_members_domain()])
        return [('id', 'in' if operator in ('in', '=', 'ilike') else 'not in',
                 query.subselect(SQL.identifier(query.table, 'mail_group_id')))]

    @api.depends_context('uid')
    def _compute_is_member(self):
        if self.env.user._is_public() or not self.ids:
            self.is_member = False
            return
        member_groups = self.env['mail.group.member'].sudo()._read_group(
            [('mail_group_id', 'in', self.ids), ('partner_id', '=', self.env.user.partner_id.id)], ['mail_group_id'])
        member_group_ids = {group.id for group, in member_groups}
        for group in self:
            group.is_member = group.id in member_group_ids

    def _search_is_member(self, operator, value):
        if operator not in ('=', '!=') or not isinstance(value, bool):
            raise UserError(_('Unsupported search on membership.'))
        positive = (operator == '=') == value
        return [('member_partner_ids', 'in' if positive else 'not in', [self.env.user.partner_id.id])]

    # ------------------------------------------------------------
    # MEMBERSHIP
    # ------------------------------------------------------------

    @api.model
    def _member_domain(self, email, partner_id=None):
        email_normalized = tools.email_normalize(email) if email else False
        domain = [('email_normalized', '=', email_normalized)] if email_normalized else expression.FALSE_DOMAIN
        if partner_id:
            domain = expression.OR([[('partner_id', '=', partner_id)], domain])
        return domain

    def _find_members(self, email, partner_id):
        """Members of these groups matching the partner or the address."""
        return self.env['mail.group.member'].sudo().search(
            [('mail_group_id', 'in', self.ids), *self._member_domain(email, partner_id)])

    def _find_member(self, email, partner_id=None):
        """The member for this address: the given partner's member first,
        else the partner-less member with that address; without a partner,
        the partner-less member is preferred; ``None`` without either
        (as Odoo's mail_group answers)."""
        self.ensure_one()
        if not tools.email_normalize(email or '') and not partner_id:
            return None
        members = self._find_members(email, partner_id)
        if not members:
            return members
        if partner_id:
            return (members.filtered(lambda m: m.partner_id.id == partner_id)[:1]
                    or members.filtered(lambda m: not m.partner_id)[:1])
        return members.filtered(lambda m: not m.partner_id)[:1] or members[:1]

    def _partner_member(self, partner_id):
        """The member linked to this partner (one per group)."""
        self.ensure_one()
        return self.env['mail.group.member'].sudo().search(
            [('mail_group_id', '=', self.id), ('partner_id', '=', partner_id)], limit=1)

    def _join_group(self, email, partner_id=None):
        """Add a member. With ``partner_id``, the member linked to that
        partner: a member of the same address without that partner does not
        make them one. Without, the address (already a member: nobody added)."""
        self.ensure_one()
        if partner_id:
            partner = self.env['res.partner'].sudo().browse(partner_id).exists()
            email = partner.email or email
        email_normalized = tools.email_normalize(email)
        if not email_normalized:
            raise UserError(_('The email "%s" is not valid.', email))
        existing = self._partner_member(partner_id) if partner_id else self._find_member(email_normalized)
        if existing:
            return self.env['mail.group.member']
        member = self.env['mail.group.member'].sudo().create({
            'email': email,
            'partner_id': partner_id or False,
            'mail_group_id': self.id,
        })
        self._send_welcome(member)  # with the guidelines when enabled
        return member

    def _leave_group(self, email, partner_id=None, all_members=False):
        """Remove a member. With ``partner_id``, that partner's member only: a
        logged-in user leaves for themselves, never for an address. Without,
        the member of the address (partner-less preferred), or every member
        with that address when ``all_members`` (the address was proven by a
        signed link)."""
        self.ensure_one()
        if partner_id:
            members = self._partner_member(partner_id)
        elif all_members:
            members = self._find_members(email, False)
        else:
            members = self._find_member(email) or self.env['mail.group.member']
        members.sudo().unlink()

    def _check_can_join(self):
        """Joining from Odoo follows the group's privacy."""
        self.ensure_one()
        if self.access_mode == 'groups' and self.access_group_id not in self.env.user.groups_id \
                and not self.env.user.has_group('website_mail_group.group_mail_group_manager'):
            raise AccessError(_('You do not belong to the authorized group of this mail group.'))

    # action_join follows the subscription policy: mail_group_subscription_policy.py

    def action_leave(self):
        """Leave: the current user's own membership only."""
        self.check_access_rights('read')
        self.check_access_rule('read')
        partner = self.env.user.partner_id
        for group in self:
            group._leave_group(partner.email, partner.id)
        return True  # an answer XML-RPC can carry

    def action_send_guidelines(self, members=None):
        """Mail the guidelines to ``members`` (records or ids; default: every
        member), banned addresses and unusable ones excepted."""
        if not self.env.is_admin() and not self.env.su and any(not group.can_manage_group for group in self):
            raise AccessError(_('Only an administrator or a moderator can send guidelines to group members.'))
        if isinstance(members, (list, tuple)):
            members = self.env['mail.group.member'].browse(members)
        template = self.env.ref('website_mail_group.mail_template_guidelines')
        for group in self:
            if tools.is_html_empty(group.moderation_guidelines_msg):
                raise UserError(_('The guidelines description is empty.'))
            group_members = (members or group.member_ids).sudo().filtered(lambda m: m.mail_group_id == group)
            banned = set(self.env['mail.group.moderation'].sudo().search(
                [('mail_group_id', '=', group.id), ('status', '=', 'ban')]).mapped('email'))
            group_members = group_members.filtered(lambda m: m.email_normalized and m.email_normalized not in banned)
            langs = group._mail_group_member_langs(group_members)
            for lang in dict.fromkeys(langs.values()):
                template.with_context(lang=lang).sudo().send_mail_batch(
                    [member_id for member_id in group_members.ids if langs[member_id] == lang],
                    email_layout_xmlid=LAYOUT)
        return True

    def action_go_to_website(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_url',
            'target': 'self',
            'url': f'/groups/{self.id}',
        }
