import hmac

from odoo import _, http
from odoo.addons.http_routing.models.ir_http import slug
from odoo.http import request

from .main import MailGroupController


class MailGroupDeliveryController(MailGroupController):

    @http.route('/group/<int:group_id>/delivery', type='http', auth='public', website=True,
                methods=['GET', 'POST'], sitemap=False)
    def group_delivery_settings(self, group_id, email=None, token=None, delivery_mode=None, **post):
        """Personal page (signed link of the footer) where a member picks
        every message, a daily or weekly digest, or no mail."""
        group = request.env['mail.group'].sudo().browse(group_id).exists()
        if not (group and email and isinstance(token, str) and hmac.compare_digest(
                group._generate_action_token(email, 'delivery'), token)):
            return self._invalid_link()
        members = group._find_members(email, None)
        if not members:
            return self._confirm_page(group, 'not_subscribed', _('Not subscribed'),
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
