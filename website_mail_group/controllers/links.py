"""Links of the emails: confirmation links (subscribe / unsubscribe) and the
personal unsubscribe URL of the footer (RFC 8058 one-click)."""
from odoo import _, http, tools
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import slug

from .access import link_group, to_id
from .pages import confirm_page, invalid_link


class MailGroupLinks(http.Controller):

    def _confirmation_link(self, action, group_id, email, token):
        """A confirmation link of a mail: a GET shows what it will do and a
        button (mail scanners open links); the button POSTs, which acts
        once. The link is refused once used, expired, or forged."""
        group = link_group(group_id)
        status = group._check_action_token(email, action, token) if group else 'invalid'
        email = tools.email_normalize(email)
        if status == 'used':
            return self._used_link(group, action, email)
        if status != 'valid':
            return invalid_link(status)
        refusal = group._subscription_refusal(invited=action == 'invite') if action != 'unsubscribe' else None
        if refusal:
            return confirm_page(group, 'refused', _('Subscription closed'), refusal, http_status=403)
        if request.httprequest.method != 'POST':
            return request.render('website_mail_group.confirm_link_page', {
                'group': group,
                'action': action,
                'email': email,
                'token': token,
                'group_url': f'/groups/{slug(group)}',
            })
        if not group._consume_action_token(token):
            return self._used_link(group, action, email)
        if action != 'unsubscribe':
            result = group._subscribe_by_policy(email, invited=action == 'invite')
            if result == 'already':
                return self._already(group, action, email)
            if result == 'pending':
                return confirm_page(group, 'pending', _('Request sent'), _(
                    'Your request to join %(group)s waits for a moderator: %(email)s will receive an email once '
                    'they decide.', email=email, group=group.name))
            return confirm_page(group, 'subscribed', _('Subscription confirmed'), _(
                '%(email)s is now a member of %(group)s.', email=email, group=group.name))
        if not group._find_members(email, False):
            return self._already(group, action, email)
        group._leave_group(email, all_members=True)
        return confirm_page(group, 'unsubscribed', _('Unsubscribed'), _(
            '%(email)s no longer receives the emails of %(group)s.', email=email, group=group.name))

    def _used_link(self, group, action, email):
        """A used link opened again (from the same mail, or clicked twice):
        what it did, when that still holds, rather than an error. Only its
        address's owner has the link: this reveals nothing to anyone else."""
        member = group._find_member(email) if action != 'unsubscribe' else group._find_members(email, False)
        if bool(member) == (action != 'unsubscribe'):
            return self._already(group, action, email)
        return invalid_link('used')

    def _already(self, group, action, email):
        if action != 'unsubscribe':
            return confirm_page(group, 'already_subscribed', _('Already subscribed'), _(
                '%(email)s is already a member of %(group)s.', email=email, group=group.name))
        return confirm_page(group, 'already_unsubscribed', _('Not subscribed'), _(
            '%(email)s is not a member of %(group)s.', email=email, group=group.name))

    @http.route('/group/subscribe-confirm', type='http', auth='public', website=True,
                methods=['GET', 'POST'], sitemap=False)
    def group_subscribe_confirm(self, group_id=None, email=None, token=None, **kw):
        return self._confirmation_link('subscribe', group_id, email, token)

    @http.route('/group/invite-confirm', type='http', auth='public', website=True,
                methods=['GET', 'POST'], sitemap=False)
    def group_invite_confirm(self, group_id=None, email=None, token=None, **kw):
        """The link of a manager's invitation: it joins whatever the
        subscription policy (not a closed group)."""
        return self._confirmation_link('invite', group_id, email, token)

    @http.route('/group/unsubscribe-confirm', type='http', auth='public', website=True,
                methods=['GET', 'POST'], sitemap=False)
    def group_unsubscribe_confirm(self, group_id=None, email=None, token=None, **kw):
        return self._confirmation_link('unsubscribe', group_id, email, token)

    @http.route('/group/<int:group_id>/unsubscribe_oneclick', type='http', auth='public', website=True,
                methods=['GET', 'POST'], csrf=False, sitemap=False)
    def group_unsubscribe_oneclick(self, group_id, member=None, email=None, token=None, **post):
        """Personal unsubscribe URL of the footer, for the member row it
        names (``mail.group._link_member``; Odoo's links name an address).

        - POST without ``confirm`` (RFC 8058 one-click, no session): leave
          and answer an empty 200 whether or not the row is still a member;
          a forged token gets a 400, so the mail provider knows it failed;
        - GET: a page with a button that POSTs here with ``confirm``;
        - POST with ``confirm`` (that button): leave and show the result."""
        group = link_group(group_id)
        member = group._link_member('unsubscribe', to_id(member), email, token) if group else None
        method = request.httprequest.method
        if method == 'POST' and not post.get('confirm'):
            if member is None:
                return request.make_response('', status=400)
            member.unlink()
            return request.make_response('', status=200)
        if member is None:
            return invalid_link()
        if not member:
            return confirm_page(group, 'already_unsubscribed', _('Not subscribed'),
                                _('This subscription no longer exists.'))
        if method == 'POST':
            email = member.email_normalized
            member.unlink()
            return confirm_page(group, 'unsubscribed', _('Unsubscribed'),
                                _('%(email)s no longer receives the emails of %(group)s.',
                                  email=email, group=group.name))
        return request.render('website_mail_group.unsubscribe_oneclick_page', {
            'group': group,
            'email': member.email_normalized,
            'member': member.id,
            'token': group._generate_member_token(member.id, 'unsubscribe'),
            'group_url': f'/groups/{slug(group)}',
        })
