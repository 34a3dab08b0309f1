"""The four ends of the inbound pipeline: inbound/rules.py decides which,
``message_post`` (mail_group_posting.py) stores the post and calls it.
Accept distributes, hold alerts the moderators, reject answers a
non-member, discard stores nothing."""
import logging

from odoo import models

from ..inbound import reasons, rules

_logger = logging.getLogger(__name__)

# moderation_status of a stored post, by action (a discarded post is not stored)
STATUS = {rules.ACCEPT: 'accepted', rules.HOLD: 'pending_moderation', rules.REJECT: 'rejected'}


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _accept_post(self, group_message, decision):
        self._notify_members(group_message)

    def _hold_post(self, group_message, decision):
        self._alert_moderators(group_message)
        if self.moderation_notify:
            self._send_moderation_notification(group_message)

    def _reject_post(self, group_message, decision):
        if decision.reason == reasons.NON_MEMBER:
            self._send_rejection_notice(group_message)

    def _discard_post(self, decision, email_from, message_id):
        _logger.info('Mail group %s: discarded post from %s (%s), Message-Id %s',
                     self.id, email_from, decision.reason, message_id)
        return self.env['mail.message']

    def _end_of_post(self, group_message, decision):
        """Call the action ``decision`` names for a stored post."""
        {rules.ACCEPT: self._accept_post, rules.HOLD: self._hold_post,
         rules.REJECT: self._reject_post}[decision.action](group_message, decision)
