import hmac

from odoo import http
from odoo.http import request


class MailGroupController(http.Controller):

    @http.route('/group/<int:group_id>/unsubscribe_oneclick', type='http', auth='public',
                methods=['POST'], csrf=False)
    def group_unsubscribe_oneclick(self, group_id, email=None, token=None, **post):
        """RFC 8058 one-click unsubscribe: POST with the signed token of the
        footer URL, no session. Answers the same whatever the address, so it
        reveals nothing about membership."""
        group = request.env['mail.group'].sudo().browse(group_id).exists()
        if group and email and token and hmac.compare_digest(
                group._generate_email_access_token(email), token):
            group._leave_group(email, all_members=True)
        return request.make_response('', status=200)
