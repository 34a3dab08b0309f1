"""Searching the archive of a group (full text, models/mail_group_message_search.py)."""
from odoo import http
from odoo.addons.http_routing.models.ir_http import slug
from odoo.http import request

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
        last_page = max(MAX_RESULTS // SEARCH_STEP, 1)
        page = min(to_id(page) or 1, last_page)
        if request.httprequest.method == 'GET' and group_ref != slug(group):
            path = f'/groups/{slug(group)}/search' + (f'/page/{page}' if page > 1 else '')
            return request.redirect_query(path, request.httprequest.args, code=301)
        query = (q if isinstance(q, str) else '')[:MAX_QUERY].replace('\x00', '')
        parsed = parse_query(query)
        searched = bool(parsed['terms'] or parsed['after'] or parsed['before'])
        Message = self._posts()
        total, posts = 0, Message
        if searched:
            total, posts = Message._archive_search(group, parsed, (page - 1) * SEARCH_STEP, SEARCH_STEP, MAX_RESULTS)
        pager = request.website.pager(
            url=f'/groups/{slug(group)}/search', total=min(total, MAX_RESULTS), page=page, step=SEARCH_STEP,
            url_args={'q': query, **self._token_args(group_access_token)})
        texts = {post.id: ' '.join(' '.join(text_lines(sanitize_body(post.body))).split())[:HEADLINE_SOURCE]
                 for post in posts}
        return request.render('website_mail_group.group_search', {
            'group': group,
            'query': query,
            'searched': searched,
            'posts': posts,
            'total': min(total, MAX_RESULTS),
            'more_results': total > MAX_RESULTS,
            'excerpts': Message._search_headlines(parsed, texts),
            'pager': pager,
            'main_object': group,
            **self._page_helpers(group_access_token),
        })
