"""Atom feeds of the archive: a group's latest posts and one thread
(archive/atom.py builds the document)."""
from odoo import fields, http
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from ..archive import atom
from .pages import GroupPages, author_name, display_subject, sanitize_body

# entries of a feed
FEED_SIZE = 50


class MailGroupFeeds(GroupPages, http.Controller):

    @http.route('/groups/<string:group_ref>/feed', type='http', auth='public', website=True, sitemap=False)
    def group_feed(self, group_ref, group_access_token=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        posts = self._posts().search(
            self._accepted_domain(group), order='date DESC, id DESC', limit=FEED_SIZE)
        return self._feed_response(
            group, posts, group_access_token,
            feed_id=atom.stable_id(request.env['ir.config_parameter'].sudo().get_param('database.uuid'),
                                   'mail.group', group.id),
            title=group.name, subtitle=group.description, path=f'/groups/{slug(group)}')

    @http.route('/groups/<string:group_ref>/<string:message_ref>/feed', type='http', auth='public', website=True,
                sitemap=False)
    def thread_feed(self, group_ref, message_ref, group_access_token=None, **kw):
        """The whole thread of the post, its latest FEED_SIZE posts."""
        group = self._get_group(group_ref, group_access_token)
        root = self._thread_start(self._get_message(group, message_ref))
        ids = [root.id, *self._thread_reply_ids(root)][-FEED_SIZE:]
        posts = self._posts().browse(ids[::-1])
        return self._feed_response(
            group, posts, group_access_token,
            feed_id=atom.stable_id('thread', self._message_id(root)),
            title=display_subject(root.subject), subtitle=group.name,
            path=f'/groups/{slug(group)}/{slug(root)}')

    def _message_id(self, post):
        return post.mail_message_id.message_id or f'post-{post.id}'

    def _feed_response(self, group, posts, token, feed_id, title, subtitle, path):
        base_url = group.get_base_url()
        token_args = self._token_args(token)
        # the mail.message's own fields: the post's related fields would run
        # the HTML sanitizer of the field on every body read
        entries = [{
            'id': atom.stable_id(self._message_id(post)),
            'title': display_subject(post.mail_message_id.subject),
            'author': author_name(post.mail_message_id),
            'published': post.date,
            'updated': post.accepted_date or post.date,
            'url': base_url + self._url(f'/groups/{slug(group)}/{slug(post)}', **token_args),
            'content': sanitize_body(post.mail_message_id.body),
        } for post in posts]
        updated = max((entry['updated'] for entry in entries), default=None) \
            or group.create_date or fields.Datetime.now()
        body = atom.feed(
            feed_id, title, subtitle,
            self_url=base_url + self._url(f'{path}/feed', **token_args),
            alternate_url=base_url + self._url(path, **token_args),
            updated=updated, entries=entries)
        return request.make_response(body, headers=[('Content-Type', 'application/atom+xml; charset=utf-8')])
