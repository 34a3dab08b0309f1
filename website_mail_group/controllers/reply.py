"""Members write from the website: a reply under a post, a new topic.
Both go through ``message_post`` and the inbound rules, as mail does
(``mail.group._post_from_web``)."""
from odoo import _, http
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from ..inbound import reasons as reasons_
from ..inbound.cleaning import one_line
from .pages import GroupPages
from .thread import THREAD_STEP

# characters of a post written in the text box
MAX_WEB_BODY = 100_000


class MailGroupReply(GroupPages, http.Controller):

    @http.route('/groups/<string:group_ref>/<string:message_ref>/reply', type='http', auth='public', website=True,
                methods=['POST'], sitemap=False)
    def group_reply(self, group_ref, message_ref, body='', group_access_token=None, notice=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        parent = self._get_message(group, message_ref)
        return self._web_post(group, group_access_token, body, parent=parent, notice=bool(notice))

    @http.route('/groups/<string:group_ref>/new', type='http', auth='public', website=True, methods=['POST'],
                sitemap=False)
    def group_new_topic(self, group_ref, subject='', body='', group_access_token=None, notice=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        subject = one_line(subject)[:200]
        if not subject:
            return self._result(group, group_access_token, 'refused', _('A new topic needs a subject.'),
                                http_status=400)
        return self._web_post(group, group_access_token, body, subject=subject, notice=bool(notice))

    def _web_post(self, group, token, body, subject=None, parent=None, notice=False):
        if not self._is_member(group):
            message = _('Only members of this group can write from the website. Join the group, or write to its '
                        'address.') if not request.env.user._is_public() else \
                _('Log in with the account of a member of this group to write from the website.')
            return self._result(group, token, 'refused', message, http_status=403)
        if notice and not self._can_send_notice(group):
            return self._result(group, token, 'refused', _('Only the moderators of this group can send special notices.'),
                                http_status=403)
        text = (body or '').strip('\r\n')
        if not text.strip():
            return self._result(group, token, 'refused', _('Your message is empty.'), http_status=400)
        if len(text) > MAX_WEB_BODY:
            return self._result(group, token, 'refused', _('Your message is too long.'), http_status=413)
        partner = request.env.user.partner_id
        if not partner.email_normalized:
            return self._result(group, token, 'refused', _('Your account needs an email address to write to a group.'),
                                http_status=403)
        post = group._post_from_web(partner, text, subject=subject, parent=parent, notice=notice)
        if post.moderation_status == 'accepted':
            return self._result(group, token, 'posted', _('Your message was sent to the members of the group.'),
                                post_url=self._in_thread_url(group, post, token))
        if post.moderation_status == 'pending_moderation' and post.moderation_reason == reasons_.TOPIC_LOCKED:
            return self._result(group, token, 'held', _(
                'This topic is locked: your reply waits for a moderator of the group.'), post=parent)
        if post.moderation_status == 'pending_moderation':
            return self._result(group, token, 'held', _(
                'Your message waits for a moderator of the group; it is sent to the members once accepted.'),
                post=parent)
        refusal = self._state_refusal(post)
        if refusal:
            return self._result(group, token, 'refused', refusal, http_status=403, post=parent)
        reasons = dict(post._fields['moderation_reason']._description_selection(request.env))
        reason = reasons.get(post.moderation_reason) if post else None
        return self._result(group, token, 'refused', _('The group refused your message (%s).', reason)
                            if reason else _('The group refused your message.'), http_status=403, post=parent)

    def _state_refusal(self, post):
        """What the author of a post refused by a closed list or a locked
        topic reads."""
        if post.moderation_reason == reasons_.CLOSED:
            return _('This list is closed: it accepts no new messages.')
        if post.moderation_reason == reasons_.TOPIC_LOCKED:
            return _('This topic is locked: it accepts no new replies.')
        return None

    def _in_thread_url(self, group, post, token):
        """The page of ``post`` inside its thread: the thread start's page
        that lists it, scrolled to it; a new topic's own page."""
        start = self._thread_start(post)
        if start == post:
            return self._url(f'/groups/{slug(group)}/{slug(post)}', **self._token_args(token))
        position = self._thread_reply_ids(start).index(post.id)
        page = position // THREAD_STEP + 1
        url = self._url(f'/groups/{slug(group)}/{slug(start)}', replies_page=page if page > 1 else None,
                        **self._token_args(token))
        return f'{url}#mg-{post.id}'

    def _result(self, group, token, status, message, post=None, post_url=None, http_status=200):
        if post and not post_url:
            post_url = self._url(f'/groups/{slug(group)}/{slug(post)}', **self._token_args(token))
        return request.render('website_mail_group.web_post_result', {
            'group': group,
            'status': status,
            'message': message,
            'post_url': post_url,
            'group_url': self._url(f'/groups/{slug(group)}', **self._token_args(token)),
            'main_object': group,
        }, status=http_status)
