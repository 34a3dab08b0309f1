"""Distribution of a post: who receives it, the list headers, one queued
``mail.mail`` per member (batched), the footer with each member's links."""
import hashlib
import hmac
from urllib.parse import quote_plus

from odoo import _, models, tools

from ..outbound import delivery, footer
from ..outbound import headers as list_headers


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _notify_members(self, group_message):
        """Queue one ``mail.mail`` per member (author excluded, one per
        address): one query for the members, one footer render, batched
        inserts; the mail queue cron sends them."""
        self.ensure_one()
        group = self.sudo()
        mail_message = group_message.mail_message_id.sudo()
        targets = group._delivery_targets('every', tools.email_normalize(mail_message.email_from))
        if not targets:
            return
        base_url = group.get_base_url()
        parent_id = mail_message.parent_id.message_id or False
        post_url = f'{base_url}/groups/{group.id}/{group_message.id}'
        group._queue_copies(mail_message, mail_message.body, group._list_headers(base_url, parent_id, post_url),
                            targets, base_url, references=parent_id)

    def _delivery_targets(self, mode, author_email=None):
        """Members receiving mail in ``mode`` (delivery not disabled), once
        per address, without the author; one query."""
        self.ensure_one()
        members = self.env['mail.group.member'].sudo().search_fetch(
            [('mail_group_id', '=', self.id), ('delivery_mode', '=', mode), ('delivery_disabled_date', '=', False)],
            ['email', 'email_normalized'], order='id')
        return delivery.recipients(
            ({'id': m.id, 'email': m.email, 'email_normalized': m.email_normalized} for m in members), author_email)

    def _list_headers(self, base_url, parent_message_id=False, post_url=None):
        self.ensure_one()
        return list_headers.list_headers(
            name=self.name,
            alias_email=self.alias_email,
            list_identifier=self._list_id(),
            archive_url=f'{base_url}/groups/{self.id}',
            subscribe_url=f'{base_url}/groups',
            in_reply_to=parent_message_id or None,
            references=parent_message_id or None,
            archived_at=post_url,
        )

    def _queue_copies(self, mail_message, body, base_headers, members, base_url, references=False, values=None):
        """One ``mail.mail`` per member sharing ``mail_message``: ``body``
        then the footer, rendered once; only the footer and the headers get
        the member's own links, never ``body``. ``values`` are added to
        every copy. Batched inserts."""
        self.ensure_one()
        batch_size = int(self.env['ir.config_parameter'].sudo().get_param('mail.session.batch.size') or 1000)
        Mail = self.env['mail.mail'].sudo()
        member_links = self._member_links_builder(base_url)
        placeholders = footer.placeholders()
        footer_html = self._render_footer(base_url, placeholders)
        defaults = None
        for batch in tools.split_every(batch_size, members):
            values_list = []
            for member in batch:
                links = member_links(member['email_normalized'])
                values_list.append({
                    'mail_message_id': mail_message.id,
                    'body_html': footer.append_footer(body, footer.personalize(footer_html, placeholders, links)),
                    'email_to': member['email'],
                    'headers': repr(list_headers.personal_headers(base_headers, links['unsubscribe'])),
                    'references': references,
                    'auto_delete': True,
                    'is_notification': True,
                    'state': 'outgoing',
                    'mail_group_post': True,
                    'mail_group_member_id': member['id'],
                    **(values or {}),
                })
            if defaults is None:
                # every copy has the same missing fields: their defaults once per post
                defaults = {name: value for name, value in Mail._add_missing_default_values(dict(values_list[0])).items()
                            if name not in values_list[0]}
            Mail.with_context(mail_group_defaults=defaults).create(values_list)
        self.env['mail.mail']._mail_group_wake_queue()

    def _member_links_builder(self, base_url=None):
        """A function giving a member's signed personal links (by kind:
        ``unsubscribe``, ``settings``) from their normalized address. The secret is read once,
        so building links for a whole list costs no query; the tokens are
        those of ``tools.hmac``."""
        self.ensure_one()
        base_url = base_url or self.get_base_url()
        secret = self.env['ir.config_parameter'].sudo().get_param('database.secret').encode()
        group_id = self.id

        def sign(scope, message):
            return hmac.new(secret, repr((scope, message)).encode(), hashlib.sha256).hexdigest()

        def links(email):
            quoted = quote_plus(email)  # as urlencode() writes it
            unsubscribe = sign('mail_group-access-token-portal', (group_id, email))
            settings = sign('mail_group-email-subscription', (group_id, email, 'delivery'))
            return {
                'unsubscribe': f'{base_url}/group/{group_id}/unsubscribe_oneclick?email={quoted}&token={unsubscribe}',
                'settings': f'{base_url}/group/{group_id}/delivery?email={quoted}&token={settings}',
            }
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
        }, minimal_qcontext=True)

    # digests: mail_group_digest.py; notices to authors and moderators: mail_group_notices.py
