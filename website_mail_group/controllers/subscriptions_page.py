"""/groups/subscriptions: every subscription of a visitor (signed link
mailed to the address) or of the logged-in user, with Leave buttons."""
from werkzeug.exceptions import NotFound

from odoo import _, http, tools
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from .access import any_group, to_id
from .pages import invalid_link


class MailGroupSubscriptionsPage(http.Controller):

    def _owner(self, email, token):
        """(email, partner) whose subscriptions the request may see: the
        logged-in user's partner, or an address proven by a valid signed
        link; (None, None) for the request form. Anything else: the status
        of the refused link."""
        if email or token:
            status = request.env['mail.group']._check_subscriptions_token(email, token)
            if status != 'valid':
                return None, None, status
            return tools.email_normalize(email), None, None
        if not request.env.user._is_public():
            return None, request.env.user.partner_id, None
        return None, None, None

    def _render(self, email=None, partner=None, token=None, status=None, message=None):
        members = request.env['mail.group']._subscription_members(email, partner) if (email or partner) \
            else request.env['mail.group.member']
        modes = dict(request.env['mail.group.member']._fields['delivery_mode']._description_selection(request.env))
        return request.render('website_mail_group.subscriptions_page', {
            'email': email,
            'partner': partner,
            'token': token,
            'status': status,
            'message': message,
            'subscriptions': [{
                'group': member.mail_group_id,
                'group_url': f'/groups/{slug(member.mail_group_id)}',
                'mode': modes.get(member.delivery_mode, ''),
                'member': member,
                'settings_url': member.mail_group_id._member_url(member, 'settings'),
            } for member in members],
        })

    @http.route('/groups/subscriptions', type='http', auth='public', website=True, methods=['GET', 'POST'],
                sitemap=False)
    def subscriptions_page(self, email=None, token=None, **post):
        if request.httprequest.method == 'POST':
            # "Manage my subscriptions": the same answer whoever the address is
            email_normalized = tools.email_normalize(email or '')
            if not email_normalized:
                return self._render(status='invalid_email', message=_('Please enter a valid email address.'))
            any_group()._send_subscriptions_link(email_normalized)
            return self._render(status='email_sent', message=_(
                'Check your mailbox: if this address has subscriptions, we sent a link to %s to manage them.',
                email_normalized))
        email, partner, refused = self._owner(email, token)
        if refused:
            return invalid_link(refused)
        return self._render(email=email, partner=partner, token=token)

    @http.route('/groups/subscriptions/leave', type='http', auth='public', website=True, methods=['POST'],
                sitemap=False)
    def subscriptions_leave(self, group_id=None, member_id=None, email=None, token=None, **post):
        """Leave with one of the rows the page lists: the logged-in user's
        partner's, or the signed address's."""
        email, partner, refused = self._owner(email, token)
        if refused or not (email or partner):
            return invalid_link(refused or 'invalid')
        member = request.env['mail.group']._subscription_members(email, partner).filtered(
            lambda row: row.id == to_id(member_id) and row.mail_group_id.id == to_id(group_id))
        if not member:
            raise NotFound()
        group = member.mail_group_id
        member.unlink()
        return self._render(email=email, partner=partner, token=token, status='unsubscribed',
                            message=_('You left %s.', group.name))
