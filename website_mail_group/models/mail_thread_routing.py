"""Routing of inbound mail for groups: delivery reports to a member's signed
VERP address count against that member, mail no alias takes is refused in
one log line, and a reply addressed to a group stays in that group."""
import logging

from odoo import api, fields, models, tools

from ..outbound import bounces

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = 'mail.thread'

    @api.model
    def _mail_group_verp_addresses(self, message_dict):
        """``(member id, is probe, signature)`` of the addresses the mail was
        sent to that have the shape of our VERP addresses."""
        bounce_emails = [email for email in self.env['mail.alias.domain'].sudo().search([]).mapped('bounce_email') if email]
        return [
            parsed
            for address in tools.email_split(message_dict.get('to') or '')
            for bounce in bounce_emails
            for parsed in [bounces.parse(tools.email_normalize(address) or '', bounce)]
            if parsed
        ]

    @api.model
    def _mail_group_bounced_members(self, message_dict):
        """Members named by a correctly signed VERP address the mail was sent
        to: ``(members, probed members)``; unsigned or badly signed
        addresses name nobody."""
        secret = self.env['ir.config_parameter'].sudo().get_param('database.secret').encode()
        Member = self.env['mail.group.member'].sudo()
        members = probed = Member
        # a real report is sent to one address: a few are plenty
        for member_id, probe, sig in self._mail_group_verp_addresses(message_dict)[:5]:
            if not sig:
                continue
            if not probe:
                if bounces.verify(secret, member_id, sig):
                    members |= Member.browse(member_id)
                continue
            member = Member.browse(member_id).exists()
            stamp = member.bounce_probe_date and fields.Datetime.to_string(member.bounce_probe_date)
            if stamp and bounces.verify(secret, member_id, sig, stamp):
                probed |= member
        return members.exists(), probed

    @api.model
    def _detect_is_bounce(self, message, message_dict):
        """Mail to one of our VERP addresses is never routed, signed or not."""
        return super()._detect_is_bounce(message, message_dict) or bool(self._mail_group_verp_addresses(message_dict))

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """A delivery report coming back to a member's signed VERP address
        counts against that member; to a probe's address, it turns the
        member's delivery off. Anything else counts for nothing: plain
        mail, reports to unsigned addresses, reports naming an address."""
        super()._routing_handle_bounce(email_message, message_dict)
        members, probed = self._mail_group_bounced_members(message_dict)
        if not members and not probed:
            return
        if not bounces.is_delivery_failure(email_message, message_dict.get('email_from')):
            _logger.info('Mail group: mail to a bounce address of members %s is not a failure report, ignored',
                         (members | probed).ids)
            return
        members._register_delivery_failure()
        probed._register_probe_bounce()

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """A mail no alias takes is refused (the mailgate script exits 1 and
        the MTA bounces it) with one line in the log: spam to made-up
        addresses is routine, not a server error with its traceback."""
        try:
            return self._mail_group_route(message, message_dict, model, thread_id, custom_values)
        except ValueError as error:
            if str(error).startswith('No possible route found'):
                _logger.info('Mail gateway: no alias or group at %s: mail from %s (Message-Id %s) refused',
                             message_dict.get('to'), message_dict.get('email_from'), message_dict.get('message_id'))
            else:
                _logger.info('Mail gateway: mail from %s to %s (Message-Id %s) refused: %s', message_dict.get(
                    'email_from'), message_dict.get('to'), message_dict.get('message_id'), error)
            error.loglevel = logging.DEBUG  # odoo.http logs it at this level, without its traceback
            raise

    @api.model
    def _mail_group_route(self, message, message_dict, model, thread_id, custom_values):
        """Mail addressed to a group stays in that group: Odoo routes a reply
        to the newest message with an id of its In-Reply-To / References,
        and a Message-ID is no proof of where the mail belongs. When that
        message is in another group than the ones addressed, the aliases
        decide, as they do for any mail (the parent is then found in each
        group, ``mail.group._mail_group_reply_parent``)."""
        # the parent's routing, under this class's own message_route (which calls this method)
        # pylint: disable-next=super-method-mismatch
        routes = super().message_route(message, message_dict, model=model, thread_id=thread_id,
                                       custom_values=custom_values)
        if not self._mail_group_reply_elsewhere(message_dict, routes):
            return routes
        references = {key: message_dict.get(key) for key in ('references', 'in_reply_to')}
        message_dict.update(references='', in_reply_to='')
        try:
            # pylint: disable-next=super-method-mismatch
            return super().message_route(message, message_dict, model=model, thread_id=thread_id,
                                         custom_values=custom_values)
        finally:
            message_dict.update(references)

    @api.model
    def _mail_group_reply_elsewhere(self, message_dict, routes):
        """Whether ``routes`` send the mail to a group it is not addressed
        to while it is addressed to a group."""
        group_ids = {route[1] for route in routes or () if route[0] == 'mail.group'}
        if not group_ids:
            return False
        recipients = [address.lower() for address in tools.email_split(message_dict.get('recipients') or '')]
        addressed = self.env['mail.alias'].sudo().search([
            ('alias_full_name', 'in', recipients), ('alias_model_id.model', '=', 'mail.group'),
            ('alias_force_thread_id', '!=', False)])
        return bool(addressed) and not group_ids <= set(addressed.mapped('alias_force_thread_id'))
