"""Small helpers shared by the website routes: hostile ids, the groups of
signed links, and the one-card result page."""
from odoo import _
from odoo.addons.http_routing.models.ir_http import slug
from odoo.http import request

MAX_ID = 2 ** 31 - 1  # PostgreSQL integer ids


def to_id(value):
    """A record id from hostile input (string, huge number...), or None."""
    try:
        value = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if 0 < value <= MAX_ID else None


def link_group(group_id):
    """The active group of a signed link (sudo), or an empty recordset."""
    group = request.env['mail.group'].sudo().browse(to_id(group_id) or []).exists()
    return group if group.active else group.browse()


def confirm_page(group, status, title, message, http_status=200):
    return request.render('website_mail_group.confirmation_page', {
        'group': group,
        'status': status,
        'title': title,
        'message': message,
        'group_url': f'/groups/{slug(group)}' if group else '/groups',
    }, status=http_status)


def invalid_link(status='invalid'):
    """A refused signed link: forged (400), expired or already used (410)."""
    titles = {
        'invalid': (_('Invalid link'), _(
            'This link is invalid. Ask for a new confirmation email from the group page.')),
        'expired': (_('Expired link'), _(
            'This link has expired. Ask for a new confirmation email from the group page.')),
        'used': (_('Link already used'), _(
            'This link was already used. Ask for a new confirmation email from the group page.')),
    }
    title, message = titles[status]
    return confirm_page(None, status, title, message, http_status=400 if status == 'invalid' else 410)
