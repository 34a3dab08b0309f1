"""A contact subscribed to a mailing list, opted out, removed, or changed
address: the groups whose source is that list are synced a minute later
(website_mail_group's member sources read the list's contacts)."""
from odoo import api, models


class MailingSubscription(models.Model):
    _inherit = 'mailing.subscription'

    @api.model_create_multi
    def create(self, vals_list):
        subscriptions = super().create(vals_list)
        self.env['mail.group']._trigger_source_sync('mailing.subscription')
        return subscriptions

    def write(self, vals):
        result = super().write(vals)
        if {'opt_out', 'contact_id', 'list_id'} & set(vals):
            self.env['mail.group']._trigger_source_sync('mailing.subscription')
        return result

    def unlink(self):
        result = super().unlink()
        self.env['mail.group']._trigger_source_sync('mailing.subscription')
        return result


class MailingContact(models.Model):
    _inherit = 'mailing.contact'

    @api.model_create_multi
    def create(self, vals_list):
        contacts = super().create(vals_list)  # list_ids fill the subscriptions' table directly
        self.env['mail.group']._trigger_source_sync('mailing.contact')
        return contacts

    def write(self, vals):
        result = super().write(vals)
        if {'email', 'active', 'subscription_ids', 'list_ids'} & set(vals):
            self.env['mail.group']._trigger_source_sync('mailing.contact')
        return result

    def unlink(self):
        result = super().unlink()
        self.env['mail.group']._trigger_source_sync('mailing.contact')
        return result
