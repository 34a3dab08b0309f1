"""Mute or follow a thread: the footer's signed "Mute this topic" link (a GET
shows the thread and the choices, a POST acts: the signed token is the whole
credential, as for the one-click unsubscribe), and the toggle of the thread
page for a logged-in member (their session, with a CSRF token)."""
from werkzeug.exceptions import Forbidden

from odoo import _, http
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from .access import link_group, to_id
from .pages import GroupPages, confirm_page, display_subject, invalid_link

ACTIONS = {'mute': 'mute', 'follow': 'follow', 'clear': False}


def topic_choices(member, thread):
    """What the member may do with ``thread``: its current setting and the
    actions offered (follow: only when not every post reaches them)."""
    state = member._thread_setting(thread)
    actions = [] if state == 'mute' else ['mute']
    if state != 'follow' and member.delivery_mode != 'every':
        actions.append('follow')
    if state:
        actions.append('clear')
    return {'state': state, 'actions': actions}


def done_message(action, thread):
    subject = display_subject(thread.subject)
    return {
        'mute': _('You will no longer receive the messages of “%s”.', subject),
        'follow': _('You will receive every reply to “%s” by email.', subject),
        'clear': _('“%s” reaches you again as your delivery settings say.', subject),
    }[action]


class MailGroupTopic(GroupPages, http.Controller):

    @http.route('/group/<int:group_id>/topic', type='http', auth='public', website=True,
                methods=['GET', 'POST'], csrf=False, sitemap=False)
    def group_topic_link(self, group_id, member=None, thread=None, token=None, action=None, **kw):
        """The footer's personal link of a thread, for the member row it names."""
        group = link_group(group_id)
        found = group._link_topic(to_id(member), to_id(thread), token) if group else None
        if found is None:
            return invalid_link()
        member, thread = found
        if not member or not thread:
            return confirm_page(group, 'not_subscribed', _('Not available'),
                                _('This subscription or this thread no longer exists.'))
        done = None
        if request.httprequest.method == 'POST':
            if action not in ACTIONS:
                return confirm_page(group, 'invalid', _('Invalid request'), _('Choose what to do with this thread.'),
                                    http_status=400)
            member._set_thread_setting(thread, ACTIONS[action])
            done = done_message(action, thread)
        return request.render('website_mail_group.topic_settings_page', {
            'group': group,
            'thread': thread,
            'subject': display_subject(thread.subject),
            'email': member.email_normalized,
            'form_action': f'/group/{group.id}/topic',
            'hidden': {'member': member.id, 'thread': thread.id, 'token': token},
            'done': done,
            'thread_url': f'/groups/{slug(group)}/{slug(thread)}',
            **topic_choices(member, thread),
        })

    @http.route('/groups/<string:group_ref>/<string:message_ref>/topic', type='http', auth='public', website=True,
                methods=['POST'], sitemap=False)
    def group_topic_toggle(self, group_ref, message_ref, action=None, group_access_token=None, **kw):
        """The thread page's Mute / Follow buttons: the logged-in member's own."""
        group = self._get_group(group_ref, group_access_token)
        message = self._get_message(group, message_ref)
        member = self._own_member(group)
        if not member:
            raise Forbidden(_('Only members of this group can mute or follow its threads.'))
        thread = self._thread_start(message)
        if action not in ACTIONS or action not in topic_choices(member, thread)['actions']:
            return confirm_page(group, 'invalid', _('Invalid request'), _('Choose what to do with this thread.'),
                                http_status=400)
        member._set_thread_setting(thread, ACTIONS[action])
        url = self._url(f'/groups/{slug(group)}/{slug(message)}', topic_done=action,
                        **self._token_args(group_access_token))
        return request.redirect(f'{url}#o_mg_topic', code=303)
