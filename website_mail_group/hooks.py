"""Hooks Odoo calls on loading the addon."""
import os

from odoo import http

MODULE = os.path.basename(os.path.dirname(os.path.abspath(__file__)))


def _serve_own_static():
    """Serve ``/website_mail_group/static/`` from this addon's folder.

    Odoo maps each module name to a static folder by walking the addons
    path and keeping the last folder found (``Application.statics``),
    whereas it loads a module from the first: Odoo's own module of this
    name, later on the path, would answer for our files (404, or its
    bytes). Called when the addon is loaded (``post_load``, also for a
    server-wide load) and when a registry with it is (``ir.http``'s
    ``_register_hook``), before that registry serves a request."""
    http.root.statics[MODULE] = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static')
