"""Helpers shared by the website routes: hostile ids, the groups of signed
links, the one-card result page, access to groups and posts, and how posts
are shown (sanitized bodies, author names, subjects)."""
import re

from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import _
from odoo.addons.http_routing.models.ir_http import slug, unslug
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools import SQL, html_sanitize

from ..models.mail_group_links import same_token
from ..models.mail_group_message_review import author_label

MAX_ID = 2 ** 31 - 1  # PostgreSQL integer ids
# leading "Re:", "AW:", "[Group]" ... of a subject, repeated ("Fwd:" is kept: it says something)
SUBJECT_PREFIXES = re.compile(r'^(?:\s*(?:(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:|\[[^\]]{1,60}\]))+\s*', re.IGNORECASE)
REPLY_PREFIX = re.compile(r'\b(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:', re.IGNORECASE)


def to_id(value):
    """A record id from hostile input (string, huge number...), or None."""
    try:
        value = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if 0 < value <= MAX_ID else None


def link_group(group_id):
    """The active group of a signed link (sudo), or an empty recordset."""
    group = request.env['mail.group'].sudo().browse(to_id(group_id) or []).exists()
    return group if group.active else group.browse()


def confirm_page(group, status, title, message, http_status=200):
    return request.render('website_mail_group.confirmation_page', {
        'group': group,
        'status': status,
        'title': title,
        'message': message,
        'group_url': f'/groups/{slug(group)}' if group else '/groups',
    }, status=http_status)


def invalid_link(status='invalid'):
    """A refused signed link: forged (400), expired or already used (410)."""
    titles = {
        'invalid': (_('Invalid link'), _(
            'This link is invalid. Ask for a new confirmation email from the group page.')),
        'expired': (_('Expired link'), _(
            'This link has expired. Ask for a new confirmation email from the group page.')),
        'used': (_('Link already used'), _(
            'This link was already used. Ask for a new confirmation email from the group page.')),
    }
    title, message = titles[status]
    return confirm_page(None, status, title, message, http_status=400 if status == 'invalid' else 410)


def sanitize_body(body, env=None):
    """Every message body shown on the website goes through the strict
    sanitizer at render time: stored HTML is never trusted. ``env`` when
    there is no request (a streamed response)."""
    if not body:
        return ''
    body = (env or request.env)['mail.group']._clean_email_body(str(body))
    return html_sanitize(
        body, silent=True, sanitize_tags=True, sanitize_attributes=True,
        sanitize_style=True, strip_style=True, strip_classes=True, sanitize_form=True,
    ) or ''


def author_name(message):
    """Display name of an author without publishing their address."""
    return author_label(message.email_from, message.author_id.name)


def display_subject(subject):
    """A subject as the archive shows it: the "Re:" and "[Group]" prefixes
    that repliers stack ("Re: [Dev] Re: [Dev] Hello") reduced to one "Re:"."""
    subject = (subject or '').strip()
    rest = SUBJECT_PREFIXES.sub('', subject)
    if not rest:
        return subject or _('(no subject)')
    is_reply = bool(REPLY_PREFIX.search(subject[:len(subject) - len(rest)]))
    return f'Re: {rest}' if is_reply else rest


class GroupPages:
    """Access to groups and posts shared by the website controllers."""

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

    def _member_group_ids(self, groups):
        """Groups of ``groups`` where the logged-in user's partner is a member
        (through the partner link: an address is not an identity)."""
        members = request.env['mail.group.member'].sudo()._read_group(
            [('mail_group_id', 'in', groups.ids), ('partner_id', '=', request.env.user.partner_id.id)],
            ['mail_group_id'])
        return [group.id for group, in members]

    def _is_member(self, group):
        if request.env.user._is_public():
            return False
        return group.id in self._member_group_ids(group)

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

    def _thread_reply_ids(self, message):
        """Ids of the accepted replies in the whole sub-thread of ``message``,
        in date order: one query, whatever the size of the thread."""
        request.env['mail.group.message'].flush_model(['group_message_parent_id', 'moderation_status', 'date'])
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
        return [row[0] for row in request.env.cr.fetchall()]

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
