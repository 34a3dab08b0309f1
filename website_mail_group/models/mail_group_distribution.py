"""Distribution of a post: who receives it (read page by page), the list
headers, one queued ``mail.mail`` per member (one insert per page and
language), the footer and each member's signed links."""
import hashlib
import hmac
import re
from urllib.parse import quote_plus

from odoo import _, models, tools
from odoo.tools import SQL

from ..outbound import delivery, footer
from ..outbound import headers as list_headers

FANOUT_PAGE = 10000  # members read and copies inserted per query
MEMBER_LINK_SCOPE = 'mail_group-member-link'  # personal links naming their member row
URL_SAFE_EMAIL = re.compile(r'[A-Za-z0-9_.\-~@]*\Z')  # nothing for quote_plus() to escape but "@"


def signer(secret):
    """``tools.hmac`` with the secret read and its key schedule made once."""
    keyed = hmac.new(secret, digestmod=hashlib.sha256)

    def sign(scope, message):
        mac = keyed.copy()
        mac.update(repr((scope, message)).encode())
        return mac.hexdigest()
    return sign


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _notify_members(self, group_message):
        """Queue one ``mail.mail`` per member (author excluded, one per
        address); the mail queue cron sends them."""
        self.ensure_one()
        group = self.sudo()
        mail_message = group_message.mail_message_id.sudo()
        author = tools.email_normalize(mail_message.email_from)
        group._queue_copies(mail_message, mail_message.body, group._delivery_pages('every', author))

    def _delivery_pages(self, mode, author_email=None):
        """Members receiving mail in ``mode`` (delivery not disabled), once
        per address, without the author: pages of at most ``FANOUT_PAGE``
        dicts (``id``, ``email``, ``email_normalized``, ``lang``: their
        partner's or None), read one page at a time (memory does not grow
        with the list). Each page is one query on ``_delivery_domain``:
        measured (bench/run.py, 10,000 members), reading the page's fields
        through records cost 90 ms of a 0.5 s fan-out, this query 5 ms."""
        self.ensure_one()
        Member = self.env['mail.group.member'].sudo()
        # selected, not searched on: written before the query reads them
        Member.flush_model(['email', 'partner_id'])
        self.env['res.partner'].flush_model(['lang'])
        last = ('', 0)  # (email_normalized, id) of the previous page's last member
        while True:
            query = Member._search(self._delivery_domain(mode))
            member = query.table
            partner = query.left_join(member, 'partner_id', 'res_partner', 'id', 'partner_id')
            key = SQL('(%s, %s)', SQL.identifier(member, 'email_normalized'), SQL.identifier(member, 'id'))
            query.add_where(SQL('%s > (%s, %s)', key, *last))
            query.order = SQL('%s, %s', SQL.identifier(member, 'email_normalized'), SQL.identifier(member, 'id'))
            query.limit = FANOUT_PAGE
            self.env.cr.execute(query.select(*(SQL.identifier(member, name) for name in ('id', 'email', 'email_normalized')),
                                             SQL.identifier(partner, 'lang')))
            rows = [{'id': id_, 'email': email, 'email_normalized': normalized, 'lang': lang or None}
                    for id_, email, normalized, lang in self.env.cr.fetchall()]
            if not rows:
                return
            # sorted by address: a repeated address follows its first member
            page = delivery.recipients(rows, author_email, last[0] or None)
            last = (rows[-1]['email_normalized'], rows[-1]['id'])
            if page:
                yield page

    def _delivery_domain(self, mode):
        self.ensure_one()
        return [('mail_group_id', '=', self.id), ('delivery_mode', '=', mode),
                ('delivery_disabled_date', '=', False), ('email_normalized', '!=', False)]

    def _has_delivery_targets(self, mode):
        return bool(self.env['mail.group.member'].sudo().search_count(self._delivery_domain(mode), limit=1))

    def _list_headers(self, base_url, parent_message_id=False, post_url=None):
        self.ensure_one()
        return list_headers.list_headers(
            name=self.name,
            alias_email=self.alias_email,
            list_identifier=self._list_id(),
            archive_url=f'{base_url}/groups/{self.id}',
            subscribe_url=f'{base_url}/groups',
            in_reply_to=parent_message_id or None,
            archived_at=post_url,
        )

    def _queue_copies(self, mail_message, body, pages, values=None):
        """One ``mail.mail`` per member of ``pages`` (lists of member dicts)
        sharing ``mail_message``. A copy stores only what is its own: the
        recipient and the member; the body (``body`` then the footer, with
        placeholders for the personal links) is stored once for every copy
        of a language (``mail.group.copy.body``), and the links go into the
        footer and the one-click headers when the copy is sent
        (models/mail_mail.py). ``mail_message`` and
        ``body`` (HTML) may be functions giving them in a language: each
        language present among the members (a member's ``lang``, else the
        group's) is rendered once. ``values`` are added to every copy.
        Returns the number of copies queued."""
        self.ensure_one()
        Mail = self.env['mail.mail'].sudo()
        Body = self.env['mail.group.copy.body'].sudo()
        default_lang = None
        shared_by_lang = {}

        def shared_of(lang):
            """The values shared by the copies in ``lang`` (their message's included), made once."""
            if lang not in shared_by_lang:
                group = self.with_context(lang=lang)
                message = mail_message(lang) if callable(mail_message) else mail_message
                # the body is stored once for the copies in this language, not in each copy
                shared_body = Body.create({
                    'mail_message_id': message.id,
                    'body_html': footer.append_footer(body(lang) if callable(body) else body,
                                                      group._render_footer(group._mail_group_base_url(lang),
                                                                           footer.placeholders())),
                })
                shared = {
                    'mail_message_id': message.id,
                    'mail_group_body_ref': shared_body.id,
                    'auto_delete': True,
                    'is_notification': True,
                    'state': 'outgoing',
                    'mail_group_post': True,
                    **(values or {}),
                }
                # defaults (other modules' fields too) computed once, shared by every copy
                sample = {**shared, 'email_to': '', 'mail_group_member_ref': False}
                shared.update({name: value for name, value in Mail._add_missing_default_values(sample).items()
                               if name not in sample})
                shared_by_lang[lang] = shared
            return shared_by_lang[lang]

        count = 0
        for page in pages:
            if default_lang is None and any(not member.get('lang') for member in page):
                default_lang = self._mail_group_lang()
            by_lang = {}
            for member in page:
                by_lang.setdefault(member.get('lang') or default_lang, []).append(member)
            for lang, members in by_lang.items():
                Mail._mail_group_create_copies(shared_of(lang), [(member['email'], member['id']) for member in members])
            count += len(page)
        if count:
            self.env['mail.mail']._mail_group_wake_senders()
        return count

    def _member_links_builder(self, base_url=None, kinds=footer.LINKS):
        """A function giving a member's signed personal links (``kinds`` of
        ``unsubscribe``, ``settings``) from their row's id and normalized
        address. Each link names the member row it is for (``member``
        signed with its purpose, ``_generate_member_token``); without a row,
        the address's (which reaches only an address-only member). The
        secret is read once, so building links for a whole list costs no
        query; the tokens are those of ``tools.hmac``."""
        self.ensure_one()
        base_url = base_url or self.get_base_url()
        sign = signer(self.env['ir.config_parameter'].sudo().get_param('database.secret').encode())
        group_id = self.id
        paths = {'unsubscribe': 'unsubscribe_oneclick', 'settings': 'delivery'}
        address_tokens = {
            'unsubscribe': lambda email: sign('mail_group-access-token-portal', (group_id, email)),
            'settings': lambda email: sign('mail_group-email-subscription', (group_id, email, 'delivery')),
        }

        def link(kind, member_id, email):
            if member_id:
                query = f'member={member_id}&token={sign(MEMBER_LINK_SCOPE, (group_id, member_id, kind))}'
            else:
                # as urlencode() writes it
                quoted = email.replace('@', '%40') if URL_SAFE_EMAIL.match(email) else quote_plus(email)
                query = f'email={quoted}&token={address_tokens[kind](email)}'
            return f'{base_url}/group/{group_id}/{paths[kind]}?{query}'

        def links(member_id, email):
            return {kind: link(kind, member_id, email) for kind in kinds}
        return links

    def _render_footer(self, base_url, placeholders):
        """The footer, with ``placeholders`` (by kind) for the personal links."""
        self.ensure_one()
        return self.env['ir.qweb'].sudo()._render('website_mail_group.mail_group_footer', {
            'group_url': f'{base_url}/groups/{self.id}',
            'mailto': self.alias_email,
            'unsub_label': _('Unsubscribe'),
            'unsub_url': placeholders['unsubscribe'],
            'settings_url': placeholders['settings'],
            # the same for every member: the footer stays one per post and language
            'reason': _('You receive this because you are subscribed to %s.', self.name),
        }, minimal_qcontext=True)

    # digests: mail_group_digest.py; notices to authors and moderators: mail_group_notices.py
