"""Moderation from the inbox: the moderators' alert of a held post and the
daily reminder carry Accept, Reject, Discard, Whitelist and Ban links, each
signed for one moderator, one post of one group and one action, valid a few
days (``website_mail_group.moderation_link_hours``, 72 by default).

A link is ``/group/<group id>/moderate/<action>?post=<post id>&moderator=<user
id>&token=<expiry>.<signature>``; the signature (``sign_expiring``) covers
the group, the post, the moderator, the action and the expiry. Notifications
are rendered once with random placeholders, then each moderator's links are
put in by one regular-expression pass over the rendered body."""
import re
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from markupsafe import Markup, escape

from odoo import _, fields, models

from ..outbound import text
from .mail_group_links import check_expiring, sign_expiring

MODERATION_ACTIONS = ('accept', 'notice', 'reject', 'discard', 'whitelist', 'ban')  # notice: accept as a special notice
LINK_SCOPE = 'mail_group-moderate'
LINK_VALIDITY_PARAM = 'website_mail_group.moderation_link_hours'
LINK_VALIDITY_HOURS = 72


class ModerationLinks:
    """Placeholders of one rendering: ``url(post_id, action)`` goes into the
    template; :meth:`sign` puts one moderator's signed links in their place.
    The nonce is fresh for each rendering, so no post can contain them."""

    def __init__(self, group, post_ids):
        self.group = group
        self.post_ids = set(post_ids)
        self.nonce = secrets.token_hex(16)
        self.pattern = re.compile(rf'https://moderate-{self.nonce}\.placeholder\.invalid/(\d+)/([a-z]+)')
        hours = int(group.env['ir.config_parameter'].sudo().get_param(LINK_VALIDITY_PARAM, LINK_VALIDITY_HOURS))
        self.expires_at = fields.Datetime.now() + timedelta(hours=hours)
        self.base_url = group.get_base_url()

    def url(self, post_id, action):
        return f'https://moderate-{self.nonce}.placeholder.invalid/{post_id}/{action}'

    def links(self, post_id):
        return {action: self.url(post_id, action) for action in MODERATION_ACTIONS}

    def sign(self, body, user):
        """``body`` (rendered HTML) with ``user``'s links in place of the
        placeholders."""
        def replace(match):
            post_id, action = int(match[1]), match[2]
            if post_id not in self.post_ids or action not in MODERATION_ACTIONS:
                return ''
            return str(escape(self.group._moderation_url(post_id, user.id, action, self.expires_at, self.base_url)))
        return Markup(self.pattern.sub(replace, str(body)))


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _moderation_token(self, post_id, user_id, action, expires_at=None):
        self.ensure_one()
        return sign_expiring(self.env, LINK_SCOPE, (self.id, post_id, user_id, action), expires_at)

    def _moderation_url(self, post_id, user_id, action, expires_at=None, base_url=None):
        self.ensure_one()
        query = urlencode({'post': post_id, 'moderator': user_id,
                           'token': self._moderation_token(post_id, user_id, action, expires_at)})
        return f'{base_url or self.get_base_url()}/group/{self.id}/moderate/{action}?{query}'

    def _check_moderation_link(self, post_id, user_id, action, token):
        """``(status, post, user)`` of a moderation link of this group (sudo).
        Status: ``'invalid'`` (forged, or signed for another group, post,
        moderator or action), ``'expired'``, ``'not_moderator'`` (the signer
        was removed from the moderators, or archived), ``'moderated'`` (the
        post is no longer pending: accepted, rejected or discarded), or
        ``'valid'``. The signature is checked first: a forged link learns
        nothing about the post."""
        self.ensure_one()
        Post, User = self.env['mail.group.message'].sudo(), self.env['res.users'].sudo()
        if action not in MODERATION_ACTIONS or not post_id or not user_id:
            return 'invalid', Post, User
        status = check_expiring(self.env, LINK_SCOPE, (self.id, post_id, user_id, action), token)
        if status != 'valid':
            return status, Post, User
        user = User.browse(user_id).exists()
        if not user.active or user not in self.sudo().moderator_ids:
            return 'not_moderator', Post, User
        post = Post.browse(post_id).exists()
        if post.mail_group_id != self or post.moderation_status != 'pending_moderation':
            return 'moderated', Post, User
        return 'valid', post, user


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    def _moderate_from_link(self, user, action, comment=''):
        """Act on this post as ``user`` (a moderator whose signed link was
        checked) through the moderation methods, so the rights, the
        moderator of the post and the rules are theirs. ``comment``: an
        optional explanation mailed to the author (reject and ban), under
        the subject of :meth:`_moderation_answer_subject` in the author's
        language."""
        self.ensure_one()
        post = self.with_user(user)
        post._check_can_moderate()
        post._assert_pending()
        body = text.text_to_html(comment.strip()) if comment and comment.strip() else False
        if action == 'accept':
            post.action_moderate_accept()
        elif action == 'notice':
            post.action_moderate_accept_notice()
        elif action == 'discard':
            post.action_moderate_discard()
        elif action == 'whitelist':
            post.action_moderate_allow()
        elif action == 'reject':
            if body:
                post.action_moderate_reject_with_comment(False, body)
            else:
                post.action_moderate_reject()
        elif action == 'ban':
            if body:
                post.action_moderate_ban_with_comment(False, body)
            else:
                post.action_moderate_ban()
        else:
            raise ValueError(_('Unknown moderation action %s', action))
