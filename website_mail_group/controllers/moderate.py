"""Moderation links of the moderators' alerts and reminders
(models/mail_group_moderation_links.py).

A GET shows the post and a button: it never acts, as mail scanners open
links. The button POSTs the same signed parameters, and the post is
moderated as the moderator the link was signed for. The route takes no
CSRF token: the signed token is the credential (it acts as its signer, not
as the browser's session, which may be anonymous or another user's), a
forging page cannot know it, and a moderator whose session expired between
the GET and the POST must still be able to act."""
from odoo import _, http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..models.mail_group_moderation_links import MODERATION_ACTIONS
from .access import link_group, to_id
from .pages import author_name, display_subject, sanitize_body


def refusal(status):
    """``(HTTP status, title, message)`` of a refused link."""
    return {
        'invalid': (400, _('Invalid link'), _('This moderation link is invalid.')),
        'expired': (410, _('Expired link'), _(
            'This moderation link has expired. Review the message in the back office.')),
        'not_moderator': (403, _('Not a moderator'), _(
            'This link was sent to a moderator who no longer moderates this group.')),
        'moderated': (410, _('Already moderated'), _('This message is no longer waiting for moderation.')),
    }[status]


class MailGroupModerate(http.Controller):

    def _page(self, template, values, status=200):
        response = request.render(template, values, status=status)
        # the URL carries the token: never sent along by the links of the post
        response.headers['Referrer-Policy'] = 'no-referrer'
        response.headers['X-Robots-Tag'] = 'noindex'
        return response

    def _refused(self, status):
        http_status, title, message = refusal(status)
        return self._page('website_mail_group.moderate_result_page', {
            'status': status, 'title': title, 'message': message, 'group': None,
        }, http_status)

    def _done(self, group, action, post_values):
        messages = {
            'accept': (_('Message accepted'), _('"%(subject)s" is sent to the members of %(group)s.')),
            'notice': (_('Message accepted as a special notice'), _(
                '"%(subject)s" is sent to every member of %(group)s, whatever their delivery mode.')),
            'reject': (_('Message rejected'), _('"%(subject)s" will not be sent to the members of %(group)s.')),
            'discard': (_('Message discarded'), _('"%(subject)s" was deleted; nobody was told.')),
            'whitelist': (_('Author whitelisted'), _(
                '%(author)s may now post to %(group)s without moderation; "%(subject)s" is sent to the members.')),
            'ban': (_('Author banned'), _(
                '"%(subject)s" and every further message of %(author)s to %(group)s are rejected.')),
        }
        title, message = messages[action]
        return self._page('website_mail_group.moderate_result_page', {
            'status': f'done_{action}', 'title': title, 'group': group,
            'message': message % {**post_values, 'group': group.name},
        })

    @http.route('/group/<int:group_id>/moderate/<string:action>', type='http', auth='public', website=True,
                methods=['GET', 'POST'], csrf=False, sitemap=False)
    def group_moderate(self, group_id, action, post=None, moderator=None, token=None, comment='', **kw):
        group = link_group(group_id)
        if not group or action not in MODERATION_ACTIONS:
            return self._refused('invalid')
        status, message, user = group._check_moderation_link(to_id(post), to_id(moderator), action, token)
        if status != 'valid':
            return self._refused(status)
        post_values = {'subject': display_subject(message.subject) or _('(no subject)'),
                       'author': message.email_from_normalized or message.email_from or _('(no sender)')}
        if request.httprequest.method != 'POST':
            return self._page('website_mail_group.moderate_link_page', {
                'group': group, 'action': action, 'post': message, 'moderator': user, 'token': token,
                'subject': post_values['subject'], 'author': author_name(message),
                'author_email': post_values['author'], 'body': sanitize_body(message.body),
                'reasons': message.moderation_reasons_display,
                'authentication': message._authentication_display(),
            })
        try:
            message._moderate_from_link(user, action, comment[:5000] if isinstance(comment, str) else '')
        except (AccessError, UserError):
            # moderated meanwhile by someone else (nothing was written)
            return self._refused('moderated')
        return self._done(group, action, post_values)
