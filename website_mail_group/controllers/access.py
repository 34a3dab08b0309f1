"""Access of the website routes: the one place that turns a request into
``sudo()`` records. Every route asks here first: the group the visitor may
read (record rules, else the hidden group's signed token), its accepted
posts, the group of a signed link, membership of the logged-in user.
Everything else in controllers/ works on what these return."""
from werkzeug.exceptions import BadRequest, NotFound

from odoo import _
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.http_routing.models.ir_http import unslug

from ..models.mail_group_links import same_token

MAX_ID = 2 ** 31 - 1  # PostgreSQL integer ids
MAX_PAGE = 100000  # page numbers of a route beyond any archive's


def to_id(value):
    """A record id from hostile input (string, huge number...), or None."""
    try:
        value = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if 0 < value <= MAX_ID else None


def page_number(value):
    """The page number of a route parameter; 400 for anything else."""
    try:
        page = int(value)
    except (TypeError, ValueError, OverflowError):
        page = None
    if page is None or not 0 < page <= MAX_PAGE:
        raise BadRequest(_('Invalid page number.'))
    return page


def link_group(group_id):
    """The active group of a signed link (sudo), or an empty recordset."""
    group = request.env['mail.group'].sudo().browse(to_id(group_id) or []).exists()
    return group if group.active else group.browse()


def any_group():
    """The group model as sudo, for services that answer the same whoever
    asks and whatever the address (e.g. mailing a subscriptions link)."""
    return request.env['mail.group'].sudo()


class GroupAccess:
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
        except AccessError as error:
            if not self._check_group_token(group.sudo().exists(), token):
                raise NotFound() from error
        except MissingError as error:
            raise NotFound() from error
        group_sudo = group.sudo()
        if not group_sudo.active:
            raise NotFound()
        return group_sudo

    def _accepted_domain(self, group):
        return [('mail_group_id', '=', group.id), ('moderation_status', '=', 'accepted')]

    def _is_thread_root(self, message):
        """The rule of :meth:`_thread_root_domain` for one post."""
        parent = message.group_message_parent_id
        return not parent or parent.moderation_status != 'accepted'

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

    def _listed_groups(self, group_id=None, token=None):
        """``(groups, shared)`` as sudo: the groups the visitor may read, and
        with them the hidden group ``group_id`` when ``token`` is its own."""
        groups = request.env['mail.group'].search([])
        shared = request.env['mail.group'].sudo()
        if to_id(group_id) and token:
            try:
                shared = self._get_group(to_id(group_id), token)
            except NotFound:  # pylint: disable=except-pass  # a bad token shares nothing: the listed groups stay
                pass
        return groups.sudo() | shared, shared

    def _posts(self):
        """Posts as sudo, to search with ``_accepted_domain`` of a group
        from ``_get_group`` (never alone)."""
        return request.env['mail.group.message'].sudo()

    def _member_group_ids(self, groups):
        """Groups of ``groups`` where the logged-in user's partner is a member
        (through the partner link: an address is not an identity)."""
        members = request.env['mail.group.member'].sudo()._read_group(
            [('mail_group_id', 'in', groups.ids), ('partner_id', '=', request.env.user.partner_id.id)],
            ['mail_group_id'])
        return [group.id for group, in members]

    def _own_member(self, group):
        """The logged-in user's own member row of ``group`` (through their
        partner), as superuser; empty for visitors and non-members."""
        Member = request.env['mail.group.member'].sudo()
        if request.env.user._is_public():
            return Member
        return Member.search([('mail_group_id', '=', group.id), ('partner_id', '=', request.env.user.partner_id.id)],
                             limit=1)

    def _delivery(self, member):
        """What the group page tells a member of their delivery: the mode
        they chose and their own settings link."""
        if not member:
            return None
        modes = dict(member._fields['delivery_mode']._description_selection(request.env))
        return {
            'label': modes.get(member.delivery_mode),
            'paused': bool(member.delivery_disabled_date),
            'url': member.mail_group_id._member_url(member, 'settings'),
        }

    def _managed_group_ids(self, groups):
        """Ids of ``groups`` (as sudo) the logged-in user moderates or, as an
        administrator of mail groups, manages."""
        return {group.id for group in groups.with_env(request.env) if group._can_moderate()}

    def _can_send_notice(self, group):
        """Whether the logged-in user moderates ``group`` (as sudo), and so
        may send special notices from the website."""
        return group.with_env(request.env)._can_moderate()  # never the public user: no moderator is

    def _is_member(self, group):
        if request.env.user._is_public():
            return False
        return group.id in self._member_group_ids(group)
