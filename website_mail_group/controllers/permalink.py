"""Permalinks by Message-ID (what the Archived-At header of every copy
names is the post's page; this finds a post from any mail that cites it)."""
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from .pages import GroupPages

# RFC 5322 lines are at most 998 characters; Odoo stores the id with its brackets
MAX_MESSAGE_ID = 998


class MailGroupPermalink(GroupPages, http.Controller):

    @http.route('/groups/<string:group_ref>/message-id/<path:message_id>', type='http', auth='public',
                website=True, sitemap=False)
    def group_message_permalink(self, group_ref, message_id, group_access_token=None, **kw):
        """The page of the accepted post of the group with this Message-ID
        (without its angle brackets); anything else is not found, whether
        unknown, waiting, rejected or in a group the visitor may not read."""
        group = self._get_group(group_ref, group_access_token)
        message_id = message_id.strip().removeprefix('<').removesuffix('>')
        if not message_id or len(message_id) > MAX_MESSAGE_ID or '\x00' in message_id:
            raise NotFound()
        post = self._posts().search([
            *self._accepted_domain(group),
            ('mail_message_id', 'any', [('model', '=', 'mail.group'), ('res_id', '=', group.id),
                                        ('message_id', 'in', [f'<{message_id}>', message_id])]),
        ], limit=1)
        if not post:
            raise NotFound()
        return request.redirect(self._url(f'/groups/{slug(group)}/{slug(post)}', **self._token_args(group_access_token)),
                                code=302)
