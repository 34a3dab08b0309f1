"""The archive of a group: thread and flat lists, by month, the thread
page with the whole conversation, and the replies JSON (compatibility)."""
from datetime import datetime
from urllib.parse import quote, urlencode

from dateutil.relativedelta import relativedelta
from werkzeug.exceptions import NotFound

from odoo import fields, http, tools
from odoo.addons.http_routing.models.ir_http import slug, unslug
from odoo.http import request
from odoo.osv import expression
from odoo.tools import SQL

from ..models.mail_group_message_review import text_excerpt
from .pages import GroupPages, author_name, display_subject, sanitize_body, to_id

# threads (or messages in flat mode) per archive page
ARCHIVE_STEP = 20
# replies sent per "load replies" call
REPLIES_STEP = 10
# replies per page of a thread page (the rest behind a "more" link)
THREAD_STEP = 100


class MailGroupArchive(GroupPages, http.Controller):

    def _parse_date(self, value):
        try:
            return fields.Date.to_date(value) if value else None
        except ValueError:
            return None

    @http.route([
        '/groups/<string:group_ref>',
        '/groups/<string:group_ref>/page/<int:page>',
    ], type='http', auth='public', website=True, sitemap=False)
    def group_archive(self, group_ref, page=1, mode='thread', date_begin=None, date_end=None,
                      group_access_token=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        canonical = f'/groups/{slug(group)}'
        if request.httprequest.method == 'GET' and group_ref != slug(group):
            path = canonical + (f'/page/{page}' if page > 1 else '')
            return request.redirect_query(path, request.httprequest.args, code=301)

        mode = 'date' if mode == 'date' else 'thread'
        begin, end = self._parse_date(date_begin), self._parse_date(date_end)
        domain = self._accepted_domain(group)
        if begin:
            domain = expression.AND([domain, [('date', '>=', begin)]])
        if end:
            domain = expression.AND([domain, [('date', '<', end)]])
        list_domain = expression.AND([domain, self._thread_root_domain()]) if mode == 'thread' else domain

        Message = request.env['mail.group.message'].sudo()
        if mode == 'thread':
            # the list is the threads: count them once
            total = thread_count = Message.search_count(list_domain)
        else:
            total, thread_count = self._message_and_thread_counts(Message, domain)
        url_args = {key: value for key, value in {
            'mode': mode if mode != 'thread' else None,
            'date_begin': begin and begin.isoformat(),
            'date_end': end and end.isoformat(),
            'group_access_token': group_access_token,
        }.items() if value}
        pager = request.website.pager(url=canonical, total=total, page=page, step=ARCHIVE_STEP, url_args=url_args)
        # threads by latest activity (a stored, indexed date on the thread roots)
        order = 'last_activity_date DESC, id DESC' if mode == 'thread' else 'date DESC, id DESC'
        messages = Message.search(list_domain, limit=ARCHIVE_STEP, offset=pager['offset'], order=order)

        reply_counts = {}
        if mode == 'thread' and messages:
            reply_counts = self._reply_counts(messages)

        month_label = begin and tools.format_date(request.env, begin, date_format='MMMM yyyy')
        months = Message._read_group(self._accepted_domain(group), ['date:month'], ['__count'],
                                     order='date:month DESC')
        archive_months = []
        for month_start, count in months:
            month_start = month_start.date() if isinstance(month_start, datetime) else month_start
            archive_months.append({
                'label': tools.format_date(request.env, month_start, date_format='MMMM yyyy'),
                'date_begin': month_start.isoformat(),
                'date_end': (month_start + relativedelta(months=1)).isoformat(),
                'count': count,
                'active': begin == month_start,
            })

        return request.render('website_mail_group.group_messages', {
            'group': group,
            'messages': messages,
            'reply_counts': reply_counts,
            'mode': mode,
            'pager': pager,
            'total': total,
            'thread_count': thread_count,
            'archive_months': archive_months,
            'date_begin': begin,
            'date_end': end,
            'month_label': month_label,
            'month_args': {'date_begin': begin and begin.isoformat(), 'date_end': end and end.isoformat()},
            'is_member': self._is_member(group),
            'is_public_user': request.env.user._is_public(),
            'excerpt': self._excerpt,
            'main_object': group,
            **self._page_helpers(group_access_token),
        })

    def _page_helpers(self, group_access_token):
        """What every archive template uses: the hidden group's token and
        the formatting helpers."""
        return {
            'group_access_token': group_access_token,
            'token_args': self._token_args(group_access_token),
            'author_name': author_name,
            'subject': display_subject,
            'url': self._url,
            'slug': slug,
        }

    def _message_and_thread_counts(self, Message, domain):
        """(posts, threads) of ``domain`` in one scan: two search_count read every
        post of the group twice (about 20 ms each with 100,000 posts, bench/README.md).
        A thread root is what _thread_root_domain() selects."""
        query = Message._search(domain)
        Message.flush_model(['group_message_parent_id', 'moderation_status'])
        request.env.cr.execute(SQL(
            """SELECT COUNT(*), COUNT(*) FILTER (WHERE "mail_group_message"."group_message_parent_id" IS NULL
                                                OR "mail_group_message"."group_message_parent_id" IN (
                        SELECT id FROM mail_group_message WHERE moderation_status IN ('pending_moderation', 'rejected')))
                 FROM %s WHERE %s""", query.from_clause, query.where_clause))
        return request.env.cr.fetchone()

    def _reply_counts(self, messages):
        """{message id: number of accepted replies in its whole sub-thread},
        one recursive query for all ``messages``."""
        if not messages:
            return {}
        request.env['mail.group.message'].flush_model(['group_message_parent_id', 'moderation_status'])
        request.env.cr.execute("""
            WITH RECURSIVE tree(root_id, id) AS (
                SELECT group_message_parent_id, id
                  FROM mail_group_message
                 WHERE group_message_parent_id = ANY(%s) AND moderation_status = 'accepted'
                 UNION
                SELECT tree.root_id, child.id
                  FROM mail_group_message child
                  JOIN tree ON child.group_message_parent_id = tree.id
                 WHERE child.moderation_status = 'accepted'
            )
            SELECT root_id, count(*) FROM tree GROUP BY root_id
        """, [messages.ids])
        return dict(request.env.cr.fetchall())

    def _excerpt(self, message, length=200):
        return text_excerpt(sanitize_body(message.body), length)

    @http.route('/groups/<string:group_ref>/<string:message_ref>', type='http', auth='public',
                website=True, sitemap=False)
    def group_message(self, group_ref, message_ref, mode='thread', replies_page=1, group_access_token=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        message = self._get_message(group, message_ref)
        if request.httprequest.method == 'GET' and (group_ref != slug(group) or message_ref != slug(message)):
            return request.redirect_query(f'/groups/{slug(group)}/{slug(message)}',
                                          request.httprequest.args, code=301)
        mode = 'date' if mode == 'date' else 'thread'
        Message = request.env['mail.group.message'].sudo()
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
        parent = message.group_message_parent_id
        if parent and parent.moderation_status != 'accepted':
            parent = Message
        thread_start = self._thread_start(message) if parent else Message

        reply_subject = message.subject or ''
        if reply_subject and not reply_subject.lower().startswith('re:'):
            reply_subject = f'Re: {reply_subject}'
        # RFC 6068 header fields, percent-encoded: the reply lands in this thread
        reply_id = message.mail_message_id.message_id
        reply_fields = {'subject': reply_subject, **({'In-Reply-To': reply_id, 'References': reply_id} if reply_id else {})}
        page = max(to_id(replies_page) or 1, 1)
        thread = self._thread(message, page)
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
            'main_object': group,
            **self._page_helpers(group_access_token),
        })

    def _thread(self, message, page):
        """The accepted replies under ``message``, THREAD_STEP per page in
        date order, nested under the reply they answer when it is on the
        same page. One query finds the tree (ids only), one batch reads the
        page's posts, whatever the size of the thread."""
        Message = request.env['mail.group.message'].sudo()
        Message.flush_model(['group_message_parent_id', 'moderation_status', 'date'])
        request.env.cr.execute(SQL("""
            WITH RECURSIVE tree(id) AS (
                SELECT id FROM mail_group_message
                 WHERE group_message_parent_id = %(root)s AND moderation_status = 'accepted'
                 UNION
                SELECT child.id FROM mail_group_message child JOIN tree ON child.group_message_parent_id = tree.id
                 WHERE child.moderation_status = 'accepted'
            )
            SELECT post.id FROM tree JOIN mail_group_message post ON post.id = tree.id
             ORDER BY post.date, post.id
        """, root=message.id))
        ids = [row[0] for row in request.env.cr.fetchall()]
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

    def _thread_start(self, message):
        """The first post of the thread of ``message``: its highest accepted
        ancestor, found in one query."""
        request.env['mail.group.message'].flush_model(['group_message_parent_id', 'moderation_status'])
        request.env.cr.execute(SQL("""
            WITH RECURSIVE up(id, parent_id, depth) AS (
                SELECT id, group_message_parent_id, 0 FROM mail_group_message WHERE id = %(id)s
                 UNION
                SELECT parent.id, parent.group_message_parent_id, up.depth + 1
                  FROM mail_group_message parent JOIN up ON parent.id = up.parent_id
                 WHERE parent.moderation_status = 'accepted'
            )
            SELECT id FROM up ORDER BY depth DESC LIMIT 1
        """, id=message.id))
        return request.env['mail.group.message'].sudo().browse(request.env.cr.fetchone()[0])

    def _is_thread_root(self, message):
        parent = message.group_message_parent_id
        return not parent or parent.moderation_status != 'accepted'

    def _attachments(self, messages):
        """{post id: attachments} of accepted posts, with links that work for
        whoever may read the post (access token, no record rule on the group)."""
        result = {message.id: [] for message in messages}
        attachments = messages.attachment_ids.sudo()
        if not attachments:
            return result
        tokens = dict(zip(attachments.ids, attachments.generate_access_token()))
        for message in messages:
            result[message.id] = [{
                'name': attachment.name,
                'mimetype': attachment.mimetype,
                'size': attachment.file_size,
                'url': f'/web/content/{attachment.id}?access_token={tokens[attachment.id]}&download=true',
            } for attachment in message.attachment_ids.sudo()]
        return result

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
        Message = request.env['mail.group.message'].sudo()
        replies = Message.search(domain, order='id ASC', limit=REPLIES_STEP + 1)
        has_more = len(replies) > REPLIES_STEP
        replies = replies[:REPLIES_STEP]
        html = request.env['ir.qweb']._render('website_mail_group.message_replies', {
            'group': group,
            'replies': replies,
            'reply_counts': self._reply_counts(replies) if replies else {},
            'bodies': {reply.id: sanitize_body(reply.body) for reply in replies},
            'attachments': self._attachments(replies),
            **self._page_helpers(group_access_token),
        })
        return {
            'html': html,
            'last_displayed_id': replies[-1].id if replies else last_displayed_id,
            'has_more': has_more,
        }
