"""Closing a list: its archive stays readable, it takes no post (the rule
``rule_closed`` of inbound/rules.py refuses them, "List closed"), no new
member, and sends its members nothing (copies, digests, guidelines) until
it is reopened. Members are kept."""
import logging
from dataclasses import replace

from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

from ..inbound import reasons

_logger = logging.getLogger(__name__)



class MailGroup(models.Model):
    _inherit = 'mail.group'

    closed = fields.Boolean(
        default=False, copy=False, readonly=True,
        help='A closed list keeps its archive readable on the website, but takes no post and no new member, '
             'and sends nothing to its members. Reopen it to restore everything.')
    closed_date = fields.Datetime('Closed On', readonly=True, copy=False)

    def _check_can_close(self):
        for group in self:
            if not group._can_moderate():
                raise AccessError(_('Only the moderators of a group and the mail group administrators can close or '
                                    'reopen it.'))

    def action_close(self):
        """Close the list (moderators and mail group administrators). Copies
        still waiting to be sent wait for the list to be reopened."""
        self._check_can_close()
        closing = self.sudo().filtered(lambda group: not group.closed)
        closing.write({'closed': True, 'closed_date': fields.Datetime.now()})
        self.env['mail.group.audit']._log([{'mail_group_id': group.id, 'event': 'settings', 'detail': _('List closed')}
                                           for group in closing])
        closing._queued_copies('outgoing').write({
            'state': 'cancel', 'mail_group_held_closed': True,
            'failure_reason': _('List closed: sent when it is reopened')})
        return True

    def action_reopen(self):
        """Reopen a closed list: posts, subscriptions and mail come back,
        the copies its closing held back are sent."""
        self._check_can_close()
        reopening = self.sudo().filtered('closed')
        reopening.write({'closed': False, 'closed_date': False})
        self.env['mail.group.audit']._log([{'mail_group_id': group.id, 'event': 'settings', 'detail': _('List reopened')}
                                           for group in reopening])
        held = reopening._queued_copies('cancel').filtered('mail_group_held_closed')
        if held:
            held.write({'state': 'outgoing', 'failure_reason': False, 'mail_group_held_closed': False})
            self.env['mail.mail']._mail_group_wake_senders()
        return True

    def _queued_copies(self, state):
        """The members' copies of these groups' posts in ``state``."""
        return self.env['mail.mail'].sudo().search([
            ('mail_group_post', '=', True), ('state', '=', state),
            ('mail_message_id.model', '=', 'mail.group'), ('mail_message_id.res_id', 'in', self.ids)])

    # ------------------------------------------------------------
    # WHAT A CLOSED LIST REFUSES
    # ------------------------------------------------------------

    def _moderation_policy(self, email_normalized, author_id=None, by_address=True):
        policy = super()._moderation_policy(email_normalized, author_id=author_id, by_address=by_address)
        return replace(policy, closed=self.closed) if self.closed else policy

    def _check_can_post(self):
        result = super()._check_can_post()
        if self.sudo().closed:
            raise UserError(_('This list is closed: it accepts no new messages.'))
        return result

    def _notify_members(self, group_message):
        if self.sudo().closed:
            _logger.info('Mail group %s is closed: post %s not sent to the members', self.id, group_message.id)
            return
        return super()._notify_members(group_message)

    def _send_digest(self, mode, now=None):
        if self.sudo().closed:
            return False
        return super()._send_digest(mode, now=now)

    def action_send_guidelines(self, members=None):
        if any(group.sudo().closed for group in self):
            raise UserError(_('This list is closed: reopen it to send its guidelines.'))
        return super().action_send_guidelines(members=members)

    def _reject_post(self, group_message, decision):
        """A mail refused because the list is closed or the topic locked
        gets a notice saying so (web posts read it on the result page)."""
        result = super()._reject_post(group_message, decision)
        if decision.reason in (reasons.CLOSED, reasons.TOPIC_LOCKED) and not group_message.author_from_account:
            group = self._mail_group_in_lang_of(group_message.email_from)
            group._send_notice(group_message, group._refusal_notice_body(decision.reason))
        return result

    def _refusal_notice_body(self, reason):
        """The notice of a post refused by a closed list or a locked topic,
        in the context's language."""
        if reason == reasons.CLOSED:
            text = _('Your message to %(group)s was not distributed: this list is closed. Its archive stays '
                     'readable on the website.', group=self.name)
        else:
            text = _('Your message to %(group)s was not distributed: the topic you replied to is locked. '
                     'Start a new topic to write to the group.', group=self.name)
        return Markup('<p>%s</p>') % text


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    def action_moderate_accept(self):
        if any(message.sudo().mail_group_id.closed for message in self):
            raise UserError(_('This list is closed: reopen it to accept posts.'))
        return super().action_moderate_accept()


class MailMail(models.Model):
    _inherit = 'mail.mail'

    mail_group_held_closed = fields.Boolean(
        'Held by a Closed List', readonly=True, copy=False,
        help='A copy waiting when its list closed: sent when the list is reopened.')
