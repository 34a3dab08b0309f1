from datetime import datetime
from urllib.parse import quote, urlencode

from dateutil.relativedelta import relativedelta
from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import _, fields, http, tools
from odoo.addons.http_routing.models.ir_http import slug, unslug
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import SQL, html_sanitize

from ..models.mail_group_links import same_token
from .pages import confirm_page, invalid_link, link_group, to_id

# threads (or messages in flat mode) per archive page
ARCHIVE_STEP = 20
# replies sent per "load replies" call
REPLIES_STEP = 10


def sanitize_body(body):
    """Every message body shown on the website goes through the strict
    sanitizer at render time: stored HTML is never trusted."""
    if not body:
        return ''
    body = request.env['mail.group']._clean_email_body(str(body))
    return html_sanitize(
        body, silent=True, sanitize_tags=True, sanitize_attributes=True,
        sanitize_style=True, strip_style=True, strip_classes=True, sanitize_form=True,
    ) or ''


def author_name(message):
    """Display name of an author without publishing their address: the
    name of the From header, else the author's partner, else a shortened
    address."""
    name, email = (tools.email_split_tuples(message.email_from or '') or [('', '')])[0]
    if name:
        return name
    if message.author_id and message.author_id.name:
        return message.author_id.name
    if email and '@' in email:
        local, domain = email.split('@', 1)
        return f'{local}@{domain[:1]}…'
    return _('Anonymous')


def sitemap_groups(env, rule, qs):
    if qs and qs.lower() not in '/groups':
        return
    yield {'loc': '/groups'}
    for group in env['mail.group'].search([('access_mode', '=', 'public')]):
        loc = f'/groups/{slug(group)}'
        if not qs or qs.lower() in loc:
            yield {'loc': loc}


class MailGroupController(http.Controller):

    # ------------------------------------------------------------
    # ACCESS
    # ------------------------------------------------------------

    def _check_group_token(self, group_sudo, token):
        return bool(group_sudo) and same_token(group_sudo._generate_group_access_token(), token)

    def _get_group(self, group_ref, token=None):
        """The group of ``group_ref`` (a slug, an id or a record) as sudo,
        once the current user proved they may read it: through the record
        rules first, else through the group's signed access token.
        Hidden groups and missing ones answer the same (404)."""
        if isinstance(group_ref, str):
            group_id = to_id(unslug(group_ref)[1])
        else:
            group_id = to_id(getattr(group_ref, 'id', group_ref))
        if not group_id:
            raise NotFound()
        group = request.env['mail.group'].browse(group_id)
        try:
            group.check_access_rights('read')
            group.check_access_rule('read')
            if not group.exists():
                raise NotFound()
        except AccessError:
            if not self._check_group_token(group.sudo().exists(), token):
                raise NotFound()
        except MissingError:
            raise NotFound()
        group_sudo = group.sudo()
        if not group_sudo.active:
            raise NotFound()
        return group_sudo

    def _accepted_domain(self, group):
        return [('mail_group_id', '=', group.id), ('moderation_status', '=', 'accepted')]

    def _thread_root_domain(self):
        # a reply whose parent is not visible (pending, rejected) starts its own thread.
        # Written with 'in' (the field is required): the subquery then reads the few
        # non-accepted posts through the moderation_status index, where '!= accepted'
        # scanned the whole table on every archive query (bench/README.md).
        return ['|', ('group_message_parent_id', '=', False),
                ('group_message_parent_id', 'any', [('moderation_status', 'in', ('pending_moderation', 'rejected'))])]

    def _get_message(self, group, message_ref):
        message_id = to_id(unslug(message_ref)[1] if isinstance(message_ref, str) else message_ref)
        if not message_id:
            raise NotFound()
        message = request.env['mail.group.message'].sudo().search(
            [('id', '=', message_id), *self._accepted_domain(group)], limit=1)
        if not message:
            raise NotFound()
        return message

    def _token_args(self, token):
        return {'group_access_token': token} if token else {}

    def _url(self, path, **params):
        params = {key: value for key, value in params.items() if value}
        if not params:
            return path
        return f'{path}?{url_encode(params)}'

    # ------------------------------------------------------------
    # GROUP LIST
    # ------------------------------------------------------------

    @http.route('/groups', type='http', auth='public', website=True, sitemap=sitemap_groups)
    def groups_index(self, group_id=None, group_access_token=None, email=None, **kw):
        groups = request.env['mail.group'].search([])
        shared_group = request.env['mail.group'].sudo()
        if to_id(group_id) and group_access_token:
            try:
                shared_group = self._get_group(to_id(group_id), group_access_token)
            except NotFound:
                shared_group = request.env['mail.group'].sudo()
        groups = groups.sudo() | shared_group
        is_public = request.env.user._is_public()
        return request.render('website_mail_group.mail_groups', {
            'groups': groups,
            'is_public_user': is_public,
            'member_group_ids': set() if is_public else set(self._member_group_ids(groups)),
            'group_tokens': {shared_group.id: group_access_token} if shared_group else {},
            'email': email or '',
            'slug': slug,
        })

    def _member_group_ids(self, groups):
        """Groups of ``groups`` where the logged-in user's partner is a member
        (through the partner link: an address is not an identity)."""
        members = request.env['mail.group.member'].sudo()._read_group(
            [('mail_group_id', 'in', groups.ids), ('partner_id', '=', request.env.user.partner_id.id)],
            ['mail_group_id'])
        return [group.id for group, in members]

    # ------------------------------------------------------------
    # SUBSCRIPTION
    # ------------------------------------------------------------

    def _subscription(self, group_id, action, email=None, token=None):
        """Subscribe or unsubscribe. Logged-in users act at once for their
        own partner; visitors get a confirmation email whatever the
        membership of the address, so the answer reveals nothing."""
        if action not in ('subscribe', 'unsubscribe'):
            return {'status': 'error', 'message': _('Unknown action.')}
        try:
            group = self._get_group(to_id(group_id), token)
        except NotFound:
            return {'status': 'not_found', 'message': _('This group does not exist or is not accessible.')}

        if not request.env.user._is_public():
            partner = request.env.user.partner_id
            if not partner.email_normalized:
                return {'status': 'invalid_email',
                        'message': _('Add an email address to your profile to join a group.')}
            if action == 'subscribe':
                group._join_group(partner.email, partner.id)
                return {'status': 'subscribed', 'is_member': True,
                        'message': _('You are now a member of %s.', group.name)}
            # their own membership only, never the members of their address
            group._leave_group(partner.email, partner.id)
            return {'status': 'unsubscribed', 'is_member': False,
                    'message': _('You left %s.', group.name)}

        email_normalized = tools.email_normalize(email or '')
        if not email_normalized:
            return {'status': 'invalid_email', 'message': _('Please enter a valid email address.')}
        if action == 'subscribe':
            group._send_subscribe_confirmation_email(email_normalized)
        else:
            group._send_unsubscribe_confirmation_email(email_normalized)
        return {'status': 'email_sent', 'message': _(
            'Check your mailbox: if this request is valid, we sent a confirmation link to %s.',
            email_normalized)}

    @http.route('/group/subscribe', type='json', auth='public', website=True)
    def group_subscribe_json(self, group_id=0, email=None, action='subscribe', group_access_token=None, **kw):
        return self._subscription(group_id, action, email=email, token=group_access_token)

    @http.route('/groups/<int:group_id>/subscription', type='http', auth='public', website=True,
                methods=['POST'], sitemap=False)
    def group_subscribe_form(self, group_id, email=None, action='subscribe', group_access_token=None, **kw):
        """The same as the JSON route for browsers without JavaScript."""
        result = self._subscription(group_id, action, email=email, token=group_access_token)
        if result['status'] == 'not_found':
            raise NotFound()
        group = self._get_group(group_id, group_access_token)
        return request.render('website_mail_group.confirmation_page', {
            'group': group,
            'status': result['status'],
            'message': result['message'],
            'group_url': self._url(f'/groups/{slug(group)}', **self._token_args(group_access_token)),
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
            'is_member': bool(not is_public and group.id in self._member_group_ids(group)),
            'user_email': '' if is_public else (request.env.user.partner_id.email or ''),
        }

    def _confirmation_link(self, action, group_id, email, token):
        """A confirmation link of a mail: a GET shows what it will do and a
        button (mail scanners open links); the button POSTs, which acts
        once. The link is refused once used, expired, or forged."""
        group = link_group(group_id)
        status = group._check_action_token(email, action, token) if group else 'invalid'
        if status != 'valid':
            return invalid_link(status)
        email = tools.email_normalize(email)
        if request.httprequest.method != 'POST':
            return request.render('website_mail_group.confirm_link_page', {
                'group': group,
                'action': action,
                'email': email,
                'token': token,
                'group_url': f'/groups/{slug(group)}',
            })
        if not group._consume_action_token(token):
            return invalid_link('used')
        if action == 'subscribe':
            if group._find_member(email):
                return confirm_page(group, 'already_subscribed', _('Already subscribed'), _(
                    '%(email)s is already a member of %(group)s.', email=email, group=group.name))
            group._join_group(email)
            return confirm_page(group, 'subscribed', _('Subscription confirmed'), _(
                '%(email)s is now a member of %(group)s.', email=email, group=group.name))
        if not group._find_members(email, False):
            return confirm_page(group, 'already_unsubscribed', _('Not subscribed'), _(
                '%(email)s is not a member of %(group)s.', email=email, group=group.name))
        group._leave_group(email, all_members=True)
        return confirm_page(group, 'unsubscribed', _('Unsubscribed'), _(
            '%(email)s no longer receives the emails of %(group)s.', email=email, group=group.name))

    @http.route('/group/subscribe-confirm', type='http', auth='public', website=True,
                methods=['GET', 'POST'], sitemap=False)
    def group_subscribe_confirm(self, group_id=None, email=None, token=None, **kw):
        return self._confirmation_link('subscribe', group_id, email, token)

    @http.route('/group/unsubscribe-confirm', type='http', auth='public', website=True,
                methods=['GET', 'POST'], sitemap=False)
    def group_unsubscribe_confirm(self, group_id=None, email=None, token=None, **kw):
        return self._confirmation_link('unsubscribe', group_id, email, token)

    @http.route('/group/<int:group_id>/unsubscribe_oneclick', type='http', auth='public', website=True,
                methods=['GET', 'POST'], csrf=False, sitemap=False)
    def group_unsubscribe_oneclick(self, group_id, email=None, token=None, **post):
        """Personal unsubscribe URL of the footer.

        - POST without ``confirm`` (RFC 8058 one-click, no session): leave
          and answer an empty 200 whether or not the address was a member;
          a forged token gets a 400, so the mail provider knows it failed;
        - GET: a page with a button that POSTs here with ``confirm``;
        - POST with ``confirm`` (that button): leave and show the result."""
        group = link_group(group_id)
        email = tools.email_normalize(email or '')
        valid = bool(group and email) and same_token(group._generate_email_access_token(email), token)
        method = request.httprequest.method
        if method == 'POST' and not post.get('confirm'):
            if not valid:
                return request.make_response('', status=400)
            group._leave_group(email, all_members=True)
            return request.make_response('', status=200)
        if not valid:
            return invalid_link()
        if method == 'POST':
            group._leave_group(email, all_members=True)
            return confirm_page(group, 'unsubscribed', _('Unsubscribed'),
                                      _('%(email)s no longer receives the emails of %(group)s.',
                                        email=email, group=group.name))
        return request.render('website_mail_group.unsubscribe_oneclick_page', {
            'group': group,
            'email': email,
            'token': token,
            'group_url': f'/groups/{slug(group)}',
        })

    # ------------------------------------------------------------
    # ARCHIVE
    # ------------------------------------------------------------

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
        messages = Message.search(list_domain, limit=ARCHIVE_STEP, offset=pager['offset'])

        reply_counts = {}
        if mode == 'thread' and messages:
            reply_counts = self._reply_counts(messages)

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
            'group_access_token': group_access_token,
            'token_args': self._token_args(group_access_token),
            'is_member': self._is_member(group),
            'is_public_user': request.env.user._is_public(),
            'author_name': author_name,
            'excerpt': self._excerpt,
            'url': self._url,
            'slug': slug,
            'main_object': group,
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

    def _is_member(self, group):
        if request.env.user._is_public():
            return False
        return group.id in self._member_group_ids(group)

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
        text = tools.html2plaintext(sanitize_body(message.body) or '')
        text = ' '.join(text.split())
        return text if len(text) <= length else text[:length].rsplit(' ', 1)[0] + '…'

    @http.route('/groups/<string:group_ref>/<string:message_ref>', type='http', auth='public',
                website=True, sitemap=False)
    def group_message(self, group_ref, message_ref, mode='thread', group_access_token=None, **kw):
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

        reply_subject = message.subject or ''
        if reply_subject and not reply_subject.lower().startswith('re:'):
            reply_subject = f'Re: {reply_subject}'
        # RFC 6068 header fields, percent-encoded: the reply lands in this thread
        reply_id = message.mail_message_id.message_id
        reply_fields = {'subject': reply_subject, **({'In-Reply-To': reply_id, 'References': reply_id} if reply_id else {})}
        return request.render('website_mail_group.group_message', {
            'group': group,
            'reply_mailto': f"mailto:{group.alias_email}?{urlencode(reply_fields, quote_via=quote)}"
            if group.alias_email else None,
            'message': message,
            'body': sanitize_body(message.body),
            'attachments': self._attachments(message),
            'parent': parent,
            'reply_count': self._reply_counts(message).get(message.id, 0),
            'prev_message': newer,
            'next_message': older,
            'mode': mode,
            'group_access_token': group_access_token,
            'token_args': self._token_args(group_access_token),
            'author_name': author_name,
            'url': self._url,
            'slug': slug,
            'is_member': self._is_member(group),
            'main_object': group,
        })

    def _is_thread_root(self, message):
        parent = message.group_message_parent_id
        return not parent or parent.moderation_status != 'accepted'

    def _attachments(self, message):
        """Attachments of an accepted post, with links that work for whoever
        may read the post (access token, no record rule on the group)."""
        attachments = message.attachment_ids.sudo()
        tokens = attachments.generate_access_token() if attachments else []
        return [{
            'name': attachment.name,
            'mimetype': attachment.mimetype,
            'size': attachment.file_size,
            'url': f'/web/content/{attachment.id}?access_token={token}&download=true',
        } for attachment, token in zip(attachments, tokens)]

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
            'attachments': {reply.id: self._attachments(reply) for reply in replies},
            'group_access_token': group_access_token,
            'token_args': self._token_args(group_access_token),
            'author_name': author_name,
            'url': self._url,
            'slug': slug,
        })
        return {
            'html': html,
            'last_displayed_id': replies[-1].id if replies else last_displayed_id,
            'has_more': has_more,
        }
