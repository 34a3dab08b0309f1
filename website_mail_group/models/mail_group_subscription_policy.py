"""Who may join a group: its subscription policy.

- *Open, with confirmation* (the default, as before): a visitor confirms
  their address through a signed link, a logged-in user joins at once;
- *Confirmation, then moderator approval*: the same, then the request waits
  for a moderator (``mail.group.member.request``), who approves or declines
  it; the requester is told by mail (the welcome mail, or a refusal);
- *Invitation only*: no public subscription at all (form, ``+subscribe``,
  Join); the group's managers add members or invite them (their invitation
  link joins at once, whatever the policy).

Every path that makes a member goes through ``_subscribe_by_policy``: the
website (visitors' links and logged-in users), ``action_join`` (back office
and RPC). The group's managers (moderators, mail group administrators) join
or add members directly. A closed group takes no new member."""
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


class MailGroup(models.Model):
    _inherit = 'mail.group'

    subscription_policy = fields.Selection([
        ('open', 'Open, with confirmation'),
        ('approval', 'Confirmation, then moderator approval'),
        ('invitation', 'Invitation only'),
    ], string='Subscription policy', required=True, default='open',
        help='Open: whoever confirms their address joins. Approval: once the address is confirmed, a moderator '
             'approves or declines the request. Invitation only: only the moderators add or invite members.')
    member_request_ids = fields.One2many('mail.group.member.request', 'mail_group_id', string='Subscription Requests')
    member_request_count = fields.Integer('Pending Requests', compute='_compute_member_request_count')

    @api.depends('member_request_ids.state')
    @api.depends_context('uid')
    def _compute_member_request_count(self):
        """Pending requests, for the group's managers only."""
        counts = self._count_by_group('mail.group.member.request', [('state', '=', 'pending')])
        for group in self:
            group.member_request_count = counts.get(group.id, 0) if group.can_manage_group else 0

    @api.constrains('subscription_policy', 'moderator_ids')
    def _check_subscription_policy(self):
        if any(group.subscription_policy == 'approval' and not group.moderator_ids for group in self):
            raise ValidationError(_('A group whose subscriptions need approval must have moderators.'))

    # ------------------------------------------------------------
    # JOINING BY THE POLICY
    # ------------------------------------------------------------

    def _subscription_refusal(self, invited=False):
        """Why nobody may ask to join now (a message), else None."""
        self.ensure_one()
        if self.sudo().closed:
            return _('This list is closed: it accepts no new members.')
        if self.sudo().subscription_policy == 'invitation' and not invited:
            return _('This group accepts new members by invitation only.')
        return None

    def _subscribe_by_policy(self, email, partner_id=None, invited=False):
        """Join as the policy says, for an address proven by a signed link or
        a logged-in user's partner: ``'joined'``, ``'already'`` (a member
        already) or ``'pending'`` (a request waits for the moderators).
        ``invited``: the link of a manager's invitation. Raises a
        ``UserError`` when the group takes nobody (closed, invitation only)."""
        self.ensure_one()
        group = self.sudo()
        refusal = group._subscription_refusal(invited)
        if refusal:
            raise UserError(refusal)
        if partner_id:
            partner = self.env['res.partner'].sudo().browse(partner_id).exists()
            email = partner.email or email
        existing = group._partner_member(partner_id) if partner_id else group._find_member(email)
        if existing:
            return 'already'
        if invited or group.subscription_policy == 'open':
            group._join_group(email, partner_id)
            return 'joined'
        group.env['mail.group.member.request']._request(group, email, partner_id)
        return 'pending'

    def _join_as_user(self):
        """The current user joins as their partner (the website's Subscribe,
        ``action_join``), as the policy says; the group's managers join at
        once unless it is closed. Same answers as ``_subscribe_by_policy``."""
        self.ensure_one()
        partner = self.env.user.partner_id
        if self._can_moderate() and not self.sudo().closed:
            return 'joined' if self.sudo()._join_group(partner.email, partner.id) else 'already'
        return self._subscribe_by_policy(partner.email, partner.id)

    def action_join(self):
        """Join as the current user's partner: the record rules let users read
        only the groups they may join (members-only ones: their members and
        moderators), then the policy applies (``_join_as_user``): an approval
        group gets a request, an invitation-only or closed one refuses."""
        self.check_access_rights('read')
        self.check_access_rule('read')
        pending = self.browse()
        for group in self:
            group._check_can_join()
            if group._join_as_user() == 'pending':
                pending |= group
        if pending:
            return {'type': 'ir.actions.client', 'tag': 'display_notification', 'params': {
                'type': 'info', 'sticky': False,
                'message': _('Your request to join %s was sent to its moderators.', ', '.join(pending.mapped('name'))),
            }}
        return True

    # ------------------------------------------------------------
    # CONFIRMATION MAILS
    # ------------------------------------------------------------

    def _send_subscribe_confirmation_email(self, email):
        """No confirmation link from a group that takes nobody (website form,
        ``+subscribe`` command): the caller answers as usual."""
        if self.sudo()._subscription_refusal():
            _logger.info('Mail group %s: subscription confirmation to %s not sent (%s)',
                         self.id, email, 'closed' if self.sudo().closed else 'invitation only')
            return False
        return super()._send_subscribe_confirmation_email(email)

    def _send_subscribe_confirmation_emails(self, emails):
        """Invitations from a manager: none from a closed group."""
        if self.sudo().closed:
            raise UserError(_('This list is closed: reopen it to invite members.'))
        return super()._send_subscribe_confirmation_emails(emails)

    def _invitation_action(self):
        """The action of an invitation's link: it joins at once whatever the
        policy (``invite``); an open group's is the usual ``subscribe``."""
        self.ensure_one()
        return 'subscribe' if self.sudo().subscription_policy == 'open' else 'invite'

    def _mail_group_request_lang(self):
        return self.env.context.get('mail_group_request_lang') or super()._mail_group_request_lang()
