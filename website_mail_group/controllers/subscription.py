"""Subscribe and unsubscribe from the website (JSON for the page's boxes, a
form POST without JavaScript)."""
from werkzeug.exceptions import BadRequest, NotFound

from odoo import _, http, tools
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from .access import to_id
from .pages import GroupPages


class MailGroupSubscription(GroupPages, http.Controller):

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
                try:
                    joined = group.with_env(request.env)._join_as_user()  # the subscription policy
                except UserError as error:
                    return {'status': 'refused', 'message': error.args[0]}
                if joined == 'pending':
                    return {'status': 'pending', 'message': _(
                        'Your request to join %s was sent to its moderators: you will receive an email once they '
                        'decide.', group.name)}
                return {'status': 'subscribed', 'is_member': True,
                        'message': _('You are now a member of %s.', group.name)}
            # their own membership only, never the members of their address
            group._leave_group(partner.email, partner.id)
            return {'status': 'unsubscribed', 'is_member': False,
                    'message': _('You left %s.', group.name)}

        refusal = group._subscription_refusal() if action == 'subscribe' else None
        if refusal:
            return {'status': 'refused', 'message': refusal}
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

    @http.route('/group/unsubscribe', type='json', auth='public', website=True)
    def group_unsubscribe_json(self, group_id=0, email=None, token=None, **kw):
        """Odoo's route: ``'removed'``, ``'is_not_member'`` (for a logged-in
        user's own membership) or ``'email_sent'`` (every visitor: the answer
        never reveals whether an address is a member); errors as JSON-RPC
        errors."""
        if not request.env.user._is_public() and not self._is_member(self._get_group(to_id(group_id), token)):
            return 'is_not_member'
        result = self._subscription(group_id, 'unsubscribe', email=email, token=token)
        if result['status'] == 'not_found':
            raise NotFound()
        answers = {'unsubscribed': 'removed', 'email_sent': 'email_sent'}
        if result['status'] not in answers:
            raise BadRequest(result['message'])
        return answers[result['status']]

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
