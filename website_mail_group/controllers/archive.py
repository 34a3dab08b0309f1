"""The archive of a group: thread and flat lists, by month (the thread page
is controllers/thread.py)."""
from datetime import datetime

from dateutil.relativedelta import relativedelta
from werkzeug.exceptions import BadRequest

from odoo import _, fields, http
from odoo.http import request
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.misc import get_lang

from odoo.addons.http_routing.models.ir_http import slug

from . import labels
from .access import page_number
from .pages import GroupPages

# threads (or messages in flat mode) per archive page
ARCHIVE_STEP = 20


class MailGroupArchive(GroupPages, http.Controller):

    def _parse_date(self, value):
        """A date of the query string (YYYY-MM-DD), None when absent; 400
        when it is not a date."""
        if not value:
            return None
        try:
            return fields.Date.to_date(value)
        except (TypeError, ValueError, OverflowError):
            raise BadRequest(_('Invalid date.')) from None

    @http.route([
        '/groups/<string:group_ref>',
        '/groups/<string:group_ref>/page/<int:page>',
    ], type='http', auth='public', website=True, sitemap=False)
    def group_archive(self, group_ref, page=1, mode='thread', date_begin=None, date_end=None,
                      group_access_token=None, sort='activity', **kw):
        group = self._get_group(group_ref, group_access_token)
        page = page_number(page)
        canonical = f'/groups/{slug(group)}'
        if request.httprequest.method == 'GET' and group_ref != slug(group):
            path = canonical + (f'/page/{page}' if page > 1 else '')
            return request.redirect_query(path, request.httprequest.args, code=301)

        mode = 'date' if mode == 'date' else 'thread'
        # threads by latest activity (default) or by when they started
        sort = 'created' if mode == 'thread' and sort == 'created' else 'activity'
        begin, end = self._parse_date(date_begin), self._parse_date(date_end)
        domain = self._accepted_domain(group)
        if begin:
            domain = expression.AND([domain, [('date', '>=', begin)]])
        if end:
            domain = expression.AND([domain, [('date', '<', end)]])
        list_domain = expression.AND([domain, self._thread_root_domain()]) if mode == 'thread' else domain

        Message = self._posts()
        if mode == 'thread':
            # the list is the threads: count them once
            total = thread_count = Message.search_count(list_domain)
        else:
            total, thread_count = self._message_and_thread_counts(Message, domain)
        url_args = {key: value for key, value in {
            'mode': mode if mode != 'thread' else None,
            'date_begin': begin and begin.isoformat(),
            'date_end': end and end.isoformat(),
            'sort': sort if sort != 'activity' else None,
            'group_access_token': group_access_token,
        }.items() if value}
        pager = request.website.pager(url=canonical, total=total, page=page, step=ARCHIVE_STEP, url_args=url_args)
        # threads by latest activity (a stored, indexed date on the thread roots)
        order = 'last_activity_date DESC, id DESC' if mode == 'thread' and sort == 'activity' else 'date DESC, id DESC'
        messages = Message.search(list_domain, limit=ARCHIVE_STEP, offset=pager['offset'], order=order)

        thread_counts = {}
        if mode == 'thread' and messages:
            thread_counts = self._thread_counts(messages)

        lang_code = get_lang(request.env).code
        month_label = begin and labels.month_label(lang_code, begin)
        months = Message._read_group(self._accepted_domain(group), ['date:month'], ['__count'],
                                     order='date:month DESC')
        archive_months = []
        for month_start, count in months:
            month_start = month_start.date() if isinstance(month_start, datetime) else month_start
            archive_months.append({
                'label': labels.month_label(lang_code, month_start),
                'date_begin': month_start.isoformat(),
                'date_end': (month_start + relativedelta(months=1)).isoformat(),
                'count': count,
                'active': begin == month_start,
            })

        member = self._own_member(group)
        return request.render('website_mail_group.group_messages', {
            'group': group,
            'messages': messages,
            'thread_counts': thread_counts,
            'mode': mode,
            'sort': sort,
            'sort_args': {'sort': sort} if sort != 'activity' else {},
            'pager': pager,
            'total': total,
            'thread_count': thread_count,
            'archive_months': archive_months,
            'date_begin': begin,
            'date_end': end,
            'month_label': month_label,
            'month_args': {'date_begin': begin and begin.isoformat(), 'date_end': end and end.isoformat()},
            'is_member': bool(member),
            'delivery': self._delivery(member),
            'can_send_notice': self._can_send_notice(group),
            'is_public_user': request.env.user._is_public(),
            'main_object': group,
            **self._page_helpers(group_access_token),
        })

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
