"""The thread page of a post, with the whole conversation, and the replies
JSON (our path and Odoo's)."""
from urllib.parse import quote, urlencode

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request
from odoo.osv import expression

from odoo.addons.http_routing.models.ir_http import slug, unslug

from ..outbound import identity
from .access import page_number, to_id
from .mute import ACTIONS, done_message, topic_choices
from .pages import GroupPages, sanitize_body

# replies sent per "load replies" call
REPLIES_STEP = 10
# replies per page of a thread page (the rest behind a "more" link)
THREAD_STEP = 100


class MailGroupThread(GroupPages, http.Controller):

    @http.route('/groups/<string:group_ref>/<string:message_ref>', type='http', auth='public',
                website=True, sitemap=False)
    def group_message(self, group_ref, message_ref, mode='thread', replies_page=1, group_access_token=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        message = self._get_message(group, message_ref)
        if request.httprequest.method == 'GET' and (group_ref != slug(group) or message_ref != slug(message)):
            return request.redirect_query(f'/groups/{slug(group)}/{slug(message)}',
                                          request.httprequest.args, code=301)
        mode = 'date' if mode == 'date' else 'thread'
        Message = self._posts()
        base = self._accepted_domain(group)
        if mode == 'thread' and self._is_thread_root(message):
            base = expression.AND([base, self._thread_root_domain()])
        # the archive lists newest first: "previous" is the newer one. (date, id) after
        # the message's, written "date >= d AND (date > d OR id > i)": the bare OR made
        # PostgreSQL walk half the archive instead of seeking to the date (bench/README.md)
        newer = Message.search(expression.AND([base, [('date', '>=', message.date), '|',
                                                      ('date', '>', message.date), ('id', '>', message.id)]]),
                               order='date ASC, id ASC', limit=1)
        older = Message.search(expression.AND([base, [('date', '<=', message.date), '|',
                                                      ('date', '<', message.date), ('id', '<', message.id)]]),
                               order='date DESC, id DESC', limit=1)
        parent = Message if self._is_thread_root(message) else message.group_message_parent_id
        thread_start = self._thread_start(message) if parent else Message

        reply_subject = identity.reply_subject(message.subject) or ''
        # RFC 6068 header fields, percent-encoded: the reply lands in this thread
        reply_id = message.mail_message_id.message_id
        reply_fields = {'subject': reply_subject, **({'In-Reply-To': reply_id, 'References': reply_id} if reply_id else {})}
        page = page_number(replies_page)
        thread = self._thread(message, page)
        can_moderate = self._can_send_notice(group)
        return request.render('website_mail_group.group_message', {
            'group': group,
            'reply_mailto': f"mailto:{group.alias_email}?{urlencode(reply_fields, quote_via=quote)}"
            if group.alias_email else None,
            'message': message,
            'body': sanitize_body(message.body),
            'attachments': self._attachments(message)[message.id],
            'parent': parent,
            'thread_start': thread_start,
            'thread': thread,
            'reply_count': thread['total'],
            'prev_message': newer,
            'next_message': older,
            'mode': mode,
            'is_member': self._is_member(group),
            'is_public_user': request.env.user._is_public(),
            'topic': self._topic(group, thread_start or message, kw.get('topic_done')),
            'can_send_notice': can_moderate,
            'topic_locked': message._topic_locked(),
            'can_moderate': can_moderate,
            'main_object': group,
            **self._page_helpers(group_access_token),
        })

    def _topic(self, group, thread, done=None):
        """The logged-in member's Mute / Follow toggle of ``thread`` (None
        for others), and what their last click did."""
        member = self._own_member(group)
        if not member:
            return None
        return {**topic_choices(member, thread), 'done': done_message(done, thread) if done in ACTIONS else None}

    def _thread(self, message, page):
        """The accepted replies under ``message``, THREAD_STEP per page in
        date order, nested under the reply they answer when it is on the
        same page. One query finds the tree (ids only), one batch reads the
        page's posts, whatever the size of the thread."""
        Message = self._posts()
        ids = self._thread_reply_ids(message)
        offset = (page - 1) * THREAD_STEP
        replies = Message.browse(ids[offset:offset + THREAD_STEP])
        shown = set(replies.ids) | {message.id}
        children = {}
        for reply in replies:
            parent_id = reply.group_message_parent_id.id
            children.setdefault(parent_id if parent_id in shown else message.id, []).append(reply)
        return {
            'total': len(ids),
            'children': children,
            'bodies': {reply.id: sanitize_body(reply.body) for reply in replies},
            'attachments': self._attachments(replies),
            'more_page': page + 1 if offset + THREAD_STEP < len(ids) else None,
            'page': page,
        }

    @http.route('/groups/<string:group_ref>/<string:message_ref>/get_replies', type='json', auth='public',
                website=True)
    def group_message_get_replies_slug(self, group_ref, message_ref, last_displayed_id=None, group_access_token=None,
                                       **kw):
        """The path of Odoo's module (slugs, as its pages write them)."""
        return self.group_message_get_replies(
            to_id(unslug(group_ref)[1]) or 0, to_id(unslug(message_ref)[1]) or 0, last_displayed_id=last_displayed_id,
            group_access_token=group_access_token)

    @http.route('/groups/<int:group_id>/<int:message_id>/get_replies', type='json', auth='public', website=True)
    def group_message_get_replies(self, group_id, message_id, last_displayed_id=None, group_access_token=None, **kw):
        """Replies of a post, REPLIES_STEP at a time, as rendered HTML."""
        try:
            group = self._get_group(group_id, group_access_token)
            message = self._get_message(group, message_id)
        except NotFound:
            return {'error': 'not_found'}
        domain = [('group_message_parent_id', '=', message.id), ('moderation_status', '=', 'accepted')]
        if to_id(last_displayed_id):
            domain.append(('id', '>', to_id(last_displayed_id)))
        Message = self._posts()
        replies = Message.search(domain, order='id ASC', limit=REPLIES_STEP + 1)
        has_more = len(replies) > REPLIES_STEP
        replies = replies[:REPLIES_STEP]
        html = request.env['ir.qweb']._render('website_mail_group.message_replies', {
            'group': group,
            'replies': replies,
            'reply_counts': {post_id: count for post_id, (count, __) in self._thread_counts(replies).items()}
            if replies else {},
            'bodies': {reply.id: sanitize_body(reply.body) for reply in replies},
            'attachments': self._attachments(replies),
            **self._page_helpers(group_access_token),
        })
        return {
            'html': html,
            'last_displayed_id': replies[-1].id if replies else last_displayed_id,
            'has_more': has_more,
        }
