"""An attendee registered, confirmed, cancelled or removed: the groups whose
source is their event are synced a minute later (website_mail_group's
member sources read the confirmed attendees)."""
from odoo import api, models


class EventRegistration(models.Model):
    _inherit = 'event.registration'

    @api.model_create_multi
    def create(self, vals_list):
        registrations = super().create(vals_list)
        self.env['mail.group']._trigger_source_sync('event.registration')
        return registrations

    def write(self, vals):
        result = super().write(vals)
        if {'state', 'email', 'partner_id', 'event_id', 'active'} & set(vals):
            self.env['mail.group']._trigger_source_sync('event.registration')
        return result

    def unlink(self):
        result = super().unlink()
        self.env['mail.group']._trigger_source_sync('event.registration')
        return result
