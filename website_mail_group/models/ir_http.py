"""Translations of the website JavaScript."""
from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = 'ir.http'

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """Translate the strings of our website JavaScript."""
        return super()._get_translation_frontend_modules_name() + ['website_mail_group']
