"""Translations of the website JavaScript; our static files served from
this addon's folder (hooks.py)."""
from odoo import models

from ..hooks import _serve_own_static


class IrHttp(models.AbstractModel):
    _inherit = 'ir.http'

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """Translate the strings of our website JavaScript."""
        return super()._get_translation_frontend_modules_name() + ['website_mail_group']

    def _register_hook(self):
        """On every load of a registry with the addon (post_load is skipped
        when the addon was imported before, as by tests)."""
        super()._register_hook()
        _serve_own_static()
