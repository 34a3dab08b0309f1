"""Daily and weekly digests: one mail per digest member with a table of
contents and each post attached; daily summaries: mail_group_summary.py."""
from datetime import timedelta

from odoo import _, api, fields, models, tools

from odoo.addons.http_routing.models.ir_http import slug

from .ir_qweb import is_singular

EXCERPT_LENGTH = 200  # characters of each post in the digest's table of contents


def _in_digest(post, root_id, variant):
    """Whether ``post`` (of the thread ``root_id``) is in the digest of a
    member whose ``variant`` names their settings (``mute:<id>``,
    ``follow:<id>``) of the digest's threads: not when they mute its
    thread, nor when it is a reply of a thread they follow."""
    settings = set(variant or ())
    return f'mute:{root_id}' not in settings and (post.id == root_id or f'follow:{root_id}' not in settings)


class MailMessage(models.Model):
    _inherit = 'mail.message'

    mail_group_digest_ids = fields.Many2many(
        'mail.group.message', 'mail_group_digest_post_rel', 'mail_message_id', 'group_message_id',
        string='Digest Posts', groups='base.group_system',
        help='The posts a digest carries, each as its own message/rfc822 part (see models/mail_mail.py).')


class MailGroup(models.Model):
    """Daily and weekly digests: a MIME digest (RFC 2046) per member, an
    HTML table of contents linking to each post's archive page, then every
    post as its own message, which members can reply to."""
    _inherit = 'mail.group'

    @api.model
    def _cron_send_digests(self):
        """Daily digests every run, weekly ones when a week has passed
        since the group's last weekly digest."""
        now = fields.Datetime.now()
        for group in self.search([]):  # pylint: disable=no-search-all  # every group, daily: a cron
            group._send_digest('daily', now)
            group._send_digest('summary', now)
            if not group.digest_weekly_last_date or group.digest_weekly_last_date <= now - timedelta(days=7) \
                    + timedelta(minutes=5):
                group._send_digest('weekly', now)
        return True

    def _send_digest(self, mode, now=None):
        """One digest (or summary, mail_group_summary.py) to every ``mode``
        member for the posts accepted since the previous one. Notices are
        left out (every member had them by mail); a member's digest leaves
        out the threads they mute and the replies of those they follow (had
        by mail): each set of such threads among the digest's is one more
        digest per language, read with the members in the same query."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        group = self.sudo()
        last_field = f'digest_{mode}_last_date'
        since = group[last_field] or now - timedelta(days=7 if mode == 'weekly' else 1)
        # flags make each post appear once; the hour of slack keeps a post
        # accepted during the previous run from falling between two digests
        done_field = f'digest_{mode}_done'
        posts = self.env['mail.group.message'].sudo().search([
            ('mail_group_id', '=', self.id), ('moderation_status', '=', 'accepted'), (done_field, '=', False),
            ('accepted_date', '>=', since - timedelta(hours=1)), ('accepted_date', '<=', now),
        ], order='accepted_date, id')
        group[last_field] = now
        posts.write({done_field: True})
        posts = posts.filtered(lambda post: not post.is_notice)
        if not posts or not group._has_delivery_targets(mode):
            return False
        roots = posts._mail_group_thread_roots()
        digests = {}  # (language, variant): (message, body); one of each per language and variant of the members

        def digest(lang, variant):
            if (lang, variant) not in digests:
                kept = posts.filtered(lambda post: _in_digest(post, roots[post.id], variant))
                digests[lang, variant] = group.with_context(lang=lang)._digest_message(
                    mode, kept, group._mail_group_base_url(lang)) if kept else (None, None)
            return digests[lang, variant]
        group._queue_copies(lambda lang, variant: digest(lang, variant)[0],
                            lambda lang, variant: digest(lang, variant)[1],
                            group._delivery_pages(mode, threads=set(roots.values())))
        return self.env['mail.message'].union(*(message for message, _body in digests.values() if message))

    def _digest_mail_message(self, title, tracking, **values):
        """The message a digest or a summary goes out as, from the group's address."""
        group = self.sudo()
        return self.env['mail.message'].sudo().create({
            'model': self._name,
            'res_id': self.id,
            'message_type': 'email_outgoing',
            'subject': title,
            'body': '',
            'email_from': group.alias_email and tools.formataddr((group.name, group.alias_email))
            or self.env.company.email_formatted,
            'reply_to': group.alias_email or False,
            'message_id': tools.generate_tracking_message_id(tracking),
            'record_alias_domain_id': group.alias_domain_id.id or False,
            'record_company_id': self.env.company.id,
            **values,
        })

    def _digest_message(self, mode, posts, base_url):
        """The digest's message and body, in the language of the context."""
        group = self.sudo()
        modes = dict(self.env['mail.group.member']._fields['delivery_mode']._description_selection(self.env))
        values = {'group': group.name, 'mode': modes[mode], 'count': len(posts)}
        title = _('%(group)s: %(mode)s, %(count)s message', **values) if is_singular(self.env.lang, len(posts)) \
            else _('%(group)s: %(mode)s, %(count)s messages', **values)
        body = self.env['ir.qweb']._render('website_mail_group.mail_group_digest', {
            'title': title,
            'items': [group._digest_item(post, base_url) for post in posts],
            'archive_url': f'{base_url}/groups/{self.id}',
        }, minimal_qcontext=True)
        message = self._digest_mail_message(title, 'mail-group-digest', mail_group_digest_ids=[(6, 0, posts.ids)])
        return message, body

    def _digest_item(self, post, base_url, with_excerpt=True):
        """A line of the table of contents: subject, author, excerpt (unless
        not ``with_excerpt``: no body is read), and the post's page in the
        archive."""
        excerpt = ' '.join(post._plain_text().split()) if with_excerpt else ''
        if len(excerpt) > EXCERPT_LENGTH:
            excerpt = excerpt[:EXCERPT_LENGTH].rsplit(' ', 1)[0] + ' …'
        return {
            'subject': post.subject or _('No subject'),
            'author': post.email_from or '',
            'date': post.accepted_date,
            'excerpt': excerpt,
            'url': f'{base_url}/groups/{slug(self)}/{slug(post)}',
        }
