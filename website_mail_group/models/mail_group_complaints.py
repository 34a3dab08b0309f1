"""Complaints from mailbox providers' feedback loops (ARF reports): the
member who marked a copy as spam gets no more mail at once, as Gmail and
Yahoo expect, and the group counts it for its moderators. Only a report
naming a member by a signature of ours counts (inbound/complaints.py)."""
import logging

from odoo import api, fields, models

from ..inbound import complaints

_logger = logging.getLogger(__name__)


class MailGroup(models.Model):
    _inherit = 'mail.group'

    complaint_count = fields.Integer(
        'Spam Complaints', default=0, readonly=True, copy=False,
        help='Copies that members marked as spam at their mailbox provider (feedback-loop reports); '
             'each such member receives no more mail.')


class MailGroupMember(models.Model):
    _inherit = 'mail.group.member'

    complaint_date = fields.Datetime(
        'Spam Complaint On', readonly=True, copy=False,
        help='This member marked a copy as spam: delivery was set to "No mail".')

    def _register_complaint(self):
        members = self.sudo()
        members.write({'delivery_mode': 'none', 'complaint_date': fields.Datetime.now()})
        for group in members.mail_group_id:
            complained = members.filtered(lambda member: member.mail_group_id == group)
            group.complaint_count += len(complained)
            _logger.info('Mail group %s: spam complaint from members %s, their delivery is off',
                         group.id, complained.ids)


class MailThread(models.AbstractModel):
    _inherit = 'mail.thread'

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """A feedback-loop report is a complaint, not a failed delivery."""
        if not complaints.is_feedback_report(email_message):
            return super()._routing_handle_bounce(email_message, message_dict)
        members = self._mail_group_complainers(email_message, message_dict)
        if members:
            members._register_complaint()
        else:
            _logger.info('Mail group: feedback report naming no member by a valid signature, ignored')
        return None

    @api.model
    def _mail_group_complainers(self, email_message, message_dict):
        """Members a report names by a signature of ours: the signed bounce
        address it came to or names (Original-Mail-From, the copy's
        Return-Path), or a member's signed one-click link in the copy."""
        addresses, links = complaints.named(email_message)
        to = ', '.join([message_dict.get('to') or ''] + addresses)
        members, probed = self._mail_group_bounced_members({'to': to})
        members |= probed
        Group = self.env['mail.group'].sudo()
        for group_id, query in links:
            group = Group.browse(group_id).exists()
            member_id = query.get('member', '')
            member = group._link_member(
                'unsubscribe', int(member_id) if member_id.isdigit() and len(member_id) < 10 else None,
                query.get('email'), query.get('token') or '') if group else None
            if member:
                members |= member
        return members
