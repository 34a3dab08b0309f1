"""The member's delivery settings page, reached from the footer link."""
from odoo import _, http, tools
from odoo.addons.http_routing.models.ir_http import slug
from odoo.http import request

from ..models.mail_group_links import same_token
from .access import link_group
from .pages import confirm_page, invalid_link


class MailGroupDeliveryController(http.Controller):

    @http.route('/group/<int:group_id>/delivery', type='http', auth='public', website=True,
                methods=['GET', 'POST'], sitemap=False)
    def group_delivery_settings(self, group_id, email=None, token=None, delivery_mode=None, **post):
        """Personal page (signed link of the footer) where a member picks
        every message, a daily or weekly digest, or no mail."""
        group = link_group(group_id)
        email = tools.email_normalize(email or '')
        if not (group and email and same_token(group._generate_delivery_token(email), token)):
            return invalid_link()
        members = group._find_members(email, None)
        if not members:
            return confirm_page(group, 'not_subscribed', _('Not subscribed'),
                                _('%s is not a member of this group.', email))
        Member = request.env['mail.group.member']
        modes = Member._fields['delivery_mode']._description_selection(request.env)
        saved = False
        if request.httprequest.method == 'POST' and delivery_mode in dict(modes):
            members.write({'delivery_mode': delivery_mode})
            members._enable_delivery()
            saved = True
        return request.render('website_mail_group.delivery_settings_page', {
            'group': group,
            'email': email,
            'token': token,
            'modes': modes,
            'current': members[:1].delivery_mode,
            'disabled': bool(members[:1].delivery_disabled_date),
            'saved': saved,
            'group_url': f'/groups/{slug(group)}',
            'unsubscribe_url': group._get_email_unsubscribe_url(email),
        })
