"""A moderator locks or unlocks a topic from its thread page (a POST with
the session's CSRF token); ``mail.group.message.action_lock_topic`` decides
who may."""
from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from .pages import GroupPages


class MailGroupTopicLock(GroupPages, http.Controller):

    @http.route('/groups/<string:group_ref>/<string:message_ref>/lock', type='http', auth='user', website=True,
                methods=['POST'], sitemap=False)
    def group_topic_lock(self, group_ref, message_ref, lock='1', group_access_token=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        message = self._get_message(group, message_ref)
        if not group.with_env(request.env)._can_moderate():
            raise Forbidden()
        post = message.with_env(request.env)
        if lock == '0':
            post.action_unlock_topic()
        else:
            post.action_lock_topic()
        return request.redirect(self._url(f'/groups/{slug(group)}/{slug(message)}',
                                          **self._token_args(group_access_token)), code=303)
