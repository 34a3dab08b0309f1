"""/groups, the list of groups, and the data of the "Discussion Group" snippet."""
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from .access import to_id
from .pages import GroupPages


def sitemap_groups(env, rule, qs):
    if qs and qs.lower() not in '/groups':
        return
    yield {'loc': '/groups'}
    for group in env['mail.group'].search([('access_mode', '=', 'public')]):
        loc = f'/groups/{slug(group)}'
        if not qs or qs.lower() in loc:
            yield {'loc': loc}


class MailGroupList(GroupPages, http.Controller):

    @http.route('/groups', type='http', auth='public', website=True, sitemap=sitemap_groups)
    def groups_index(self, group_id=None, group_access_token=None, email=None, **kw):
        groups, shared_group = self._listed_groups(group_id, group_access_token)
        is_public = request.env.user._is_public()
        return request.render('website_mail_group.mail_groups', {
            'groups': groups,
            'is_public_user': is_public,
            'member_group_ids': set() if is_public else set(self._member_group_ids(groups)),
            'managed_group_ids': set() if is_public else self._managed_group_ids(groups),
            'group_tokens': {shared_group.id: group_access_token} if shared_group else {},
            'email': email or '',
            'slug': slug,
        })

    @http.route('/group/get_info', type='json', auth='public', website=True)
    def group_get_info(self, group_id=0, group_access_token=None, **kw):
        """Data of the "Discussion Group" snippet."""
        try:
            group = self._get_group(to_id(group_id), group_access_token)
        except NotFound:
            return {'error': 'not_found'}
        is_public = request.env.user._is_public()
        return {
            'id': group.id,
            'name': group.name,
            'description': group.description or '',
            'alias_email': group.alias_email or '',
            'member_count': group.member_count,
            'url': self._url(f'/groups/{slug(group)}', **self._token_args(group_access_token)),
            'is_public_user': is_public,
            'is_member': self._is_member(group),
            'user_email': '' if is_public else (request.env.user.partner_id.email or ''),
            # closed, or invitation only: no Subscribe button, the reason instead
            'refusal': group._subscription_refusal() or '',
        }
