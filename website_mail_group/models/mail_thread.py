import logging

from odoo import api, models, tools

_logger = logging.getLogger(__name__)

# raw headers the inbound rules read (the gateway's message_dict drops them)
INBOUND_HEADERS = ('auto-submitted', 'precedence', 'list-id', 'x-loop', 'x-autoreply', 'x-autorespond', 'content-type')


class MailThread(models.AbstractModel):
    _inherit = 'mail.thread'

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        if any(route[0] == 'mail.group' for route in routes or ()):
            self = self.with_context(mail_group_inbound=self._mail_group_inbound_facts(message))
        return super()._message_route_process(message, message_dict, routes)

    @api.model
    def _mail_group_inbound_facts(self, message):
        """Raw facts for the inbound rules: a few headers, the size and the
        number of addressed recipients. Broken headers count as absent."""
        headers = {}
        for name in INBOUND_HEADERS:
            try:
                value = message.get(name)
            except Exception:  # noqa: BLE001 - hostile header values
                value = None
            if value is not None:
                headers[name] = str(value)
        try:
            size = len(message.as_bytes())
        except Exception:  # noqa: BLE001 - unserializable hostile message
            size = sum(len(str(part.get_payload())) for part in message.walk())
        recipients = set()
        for name in ('to', 'cc'):
            try:
                recipients.update(tools.email_split(tools.decode_message_header(message, name, separator=',')))
            except Exception:  # noqa: BLE001
                _logger.info('Unreadable %s header in inbound mail', name)
        return {'headers': headers, 'size': size, 'recipient_count': len(recipients)}

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """A delivery report for a group post counts against the member."""
        super()._routing_handle_bounce(email_message, message_dict)
        bounced_message = message_dict.get('bounced_message')
        bounced_email = message_dict.get('bounced_email')
        if bounced_email and bounced_message and bounced_message.model == 'mail.group' and bounced_message.res_id:
            members = self.env['mail.group.member'].sudo().search([
                ('mail_group_id', '=', bounced_message.res_id), ('email_normalized', '=', bounced_email)])
            members._register_delivery_failure()
