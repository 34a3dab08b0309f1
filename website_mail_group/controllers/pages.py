"""Helpers shared by the website routes: the one-card result page, the
archive pages' helpers, and how posts are shown (sanitized bodies, author
names, subjects). Access to groups and posts: access.py."""
import re

from werkzeug.urls import url_encode

from odoo import _
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.http_routing.models.ir_http import slug

from ..models.mail_group_message_review import author_label
from ..outbound import text as post_text
from . import labels
from .access import GroupAccess

# leading "Re:", "AW:", "[Group]" ... of a subject, repeated ("Fwd:" is kept: it says something)
SUBJECT_PREFIXES = re.compile(r'^(?:\s*(?:(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:|\[[^\]]{1,60}\]))+\s*', re.IGNORECASE)
REPLY_PREFIX = re.compile(r'\b(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:', re.IGNORECASE)


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
    return post_text.sanitize((env or request.env)['mail.group']._clean_email_body(str(body)))


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


class GroupPages(GroupAccess):
    """What the archive pages share: URLs, template helpers, reply counts,
    attachments (on posts that access.py returned)."""

    def _token_args(self, token):
        return {'group_access_token': token} if token else {}

    def _url(self, path, **params):
        params = {key: value for key, value in params.items() if value}
        if not params:
            return path
        return f'{path}?{url_encode(params)}'

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
            'time_label': labels.time_labeller(request.env),
        }

    def _thread_counts(self, roots):
        """{root id: (accepted replies in its whole sub-thread, distinct
        authors of the thread, root included)}, one recursive query for a
        page of threads (a CTE: the ORM has none)."""
        request.env['mail.group.message'].flush_model(['group_message_parent_id', 'moderation_status', 'email_from_normalized'])
        # the authors are carried along the tree: joined afterwards, the
        # planner hashed every post of the database (14 ms with 20,000 posts)
        request.env.cr.execute(SQL("""
            WITH RECURSIVE tree(root_id, id, author) AS (
                SELECT id, id, email_from_normalized FROM mail_group_message WHERE id = ANY(%(ids)s)
                 UNION
                SELECT tree.root_id, child.id, child.email_from_normalized
                  FROM mail_group_message child
                  JOIN tree ON child.group_message_parent_id = tree.id
                 WHERE child.moderation_status = 'accepted'
            )
            SELECT root_id, COUNT(*) - 1, COUNT(DISTINCT author) FROM tree GROUP BY root_id
        """, ids=roots.ids))
        return {root_id: (replies, participants) for root_id, replies, participants in request.env.cr.fetchall()}

    def _attachments(self, messages):
        """{post id: attachments} of accepted posts, with links that work for
        whoever may read the post (access token, no record rule on the group)."""
        result = {message.id: [] for message in messages}
        attachments = messages.attachment_ids  # the posts are sudo: access.py
        if not attachments:
            return result
        tokens = dict(zip(attachments.ids, attachments.generate_access_token()))
        for message in messages:
            result[message.id] = [{
                'name': attachment.name,
                'mimetype': attachment.mimetype,
                'size': attachment.file_size,
                'url': f'/web/content/{attachment.id}?access_token={tokens[attachment.id]}&download=true',
            } for attachment in message.attachment_ids]
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
        ancestor (``mail.group.message._mail_group_thread_root``)."""
        return self._posts().browse(message._mail_group_thread_root().id)
