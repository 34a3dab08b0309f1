from odoo import api, models

# raw headers the inbound rules read (the gateway's message_dict drops them)
INBOUND_HEADERS = ('auto-submitted', 'precedence', 'list-id', 'x-loop', 'x-autoreply', 'x-autorespond')


class MailThread(models.AbstractModel):
    _inherit = 'mail.thread'

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        if any(route[0] == 'mail.group' for route in routes or ()):
            headers = {
                name: str(message.get(name, ''))
                for name in INBOUND_HEADERS if message.get(name) is not None
            }
            self = self.with_context(mail_group_inbound_headers=headers)
        return super()._message_route_process(message, message_dict, routes)
