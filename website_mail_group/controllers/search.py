"""Searching the archive of a group, or of every group the visitor may read
(full text, models/mail_group_message_search.py)."""
from odoo import http
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from ..models.mail_group_message_review import text_lines
from ..models.mail_group_message_search import MAX_QUERY, parse_query
from .access import to_id
from .pages import GroupPages, sanitize_body

SEARCH_STEP = 20
# results reachable through the pager (and counted): beyond, refine the query
MAX_RESULTS = 1000
# characters of a post given to ts_headline to find its excerpt
HEADLINE_SOURCE = 20000


class MailGroupSearch(GroupPages, http.Controller):

    @http.route([
        '/groups/<string:group_ref>/search',
        '/groups/<string:group_ref>/search/page/<int:page>',
    ], type='http', auth='public', website=True, sitemap=False)
    def group_search(self, group_ref, q='', page=1, group_access_token=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        page = min(to_id(page) or 1, max(MAX_RESULTS // SEARCH_STEP, 1))
        if request.httprequest.method == 'GET' and group_ref != slug(group):
            path = f'/groups/{slug(group)}/search' + (f'/page/{page}' if page > 1 else '')
            return request.redirect_query(path, request.httprequest.args, code=301)
        return self._search_page(group, group, f'/groups/{slug(group)}/search', q, page, group_access_token)

    @http.route(['/groups/search', '/groups/search/page/<int:page>'], type='http', auth='public', website=True,
                sitemap=False)
    def groups_search(self, q='', page=1, **kw):
        """Every group the visitor may read (the record rules say which)."""
        page = min(to_id(page) or 1, max(MAX_RESULTS // SEARCH_STEP, 1))
        groups = request.env['mail.group'].search([]).sudo()
        return self._search_page(groups, groups.browse(), '/groups/search', q, page)

    def _search_page(self, groups, group, url, q, page, group_access_token=None):
        """The results page of a search in ``groups``: the archive of
        ``group``, or every list (``group`` empty)."""
        query = (q if isinstance(q, str) else '')[:MAX_QUERY].replace('\x00', '')
        parsed = parse_query(query)
        searched = bool(parsed['terms'] or parsed['after'] or parsed['before'])
        Message = self._posts()
        total, posts = 0, Message
        if searched and groups:
            total, posts = Message._archive_search(groups, parsed, (page - 1) * SEARCH_STEP, SEARCH_STEP, MAX_RESULTS)
        pager = request.website.pager(
            url=url, total=min(total, MAX_RESULTS), page=page, step=SEARCH_STEP,
            url_args={'q': query, **self._token_args(group_access_token)})
        texts = {post.id: ' '.join(' '.join(text_lines(sanitize_body(post.body))).split())[:HEADLINE_SOURCE]
                 for post in posts}
        values = {'main_object': group} if group else {}
        return request.render('website_mail_group.group_search', {
            **values,
            'group': group,
            'query': query,
            'searched': searched,
            'posts': posts,
            'total': min(total, MAX_RESULTS),
            'more_results': total > MAX_RESULTS,
            'excerpts': Message._search_headlines(parsed, texts),
            'pager': pager,
            **self._page_helpers(group_access_token),
        })
