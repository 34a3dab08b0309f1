"""The member's delivery settings page, reached from the footer link."""
from odoo import _, http
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from .access import link_group, to_id
from .pages import confirm_page, invalid_link


class MailGroupDeliveryController(http.Controller):

    @http.route('/group/<int:group_id>/delivery', type='http', auth='public', website=True,
                methods=['GET', 'POST'], sitemap=False)
    def group_delivery_settings(self, group_id, member=None, email=None, token=None, delivery_mode=None, **post):
        """Personal page (signed link of the footer) where a member picks
        every message, a daily or weekly digest, or no mail: for the member
        row the link names (``mail.group._link_member``)."""
        group = link_group(group_id)
        member = group._link_member('settings', to_id(member), email, token) if group else None
        if member is None:
            return invalid_link()
        if not member:
            return confirm_page(group, 'not_subscribed', _('Not subscribed'),
                                _('This subscription no longer exists.'))
        Member = request.env['mail.group.member']
        modes = Member._fields['delivery_mode']._description_selection(request.env)
        saved = False
        if request.httprequest.method == 'POST' and delivery_mode in dict(modes):
            member.write({'delivery_mode': delivery_mode})
            member._enable_delivery()
            saved = True
        return request.render('website_mail_group.delivery_settings_page', {
            'group': group,
            'email': member.email_normalized,
            'member': member.id,
            'token': group._generate_member_token(member.id, 'settings'),
            'modes': modes,
            'current': member.delivery_mode,
            'disabled': bool(member.delivery_disabled_date),
            'saved': saved,
            'group_url': f'/groups/{slug(group)}',
            'unsubscribe_url': group._member_url(member, 'unsubscribe'),
        })
