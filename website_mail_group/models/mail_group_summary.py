"""Daily summaries: the digest machinery (mail_group_digest.py) with a
rendering of its own, the subject, author and link of each post, no body
and no post attached."""
from odoo import _, fields, models

from .ir_qweb import is_singular
from .mail_group_message_review import author_label


class MailGroup(models.Model):
    _inherit = 'mail.group'

    digest_summary_last_date = fields.Datetime('Last Daily Summary', readonly=True, copy=False)

    def _digest_message(self, mode, posts, base_url):
        if mode != 'summary':
            return super()._digest_message(mode, posts, base_url)
        group = self.sudo()
        values = {'group': group.name, 'count': len(posts)}
        title = _('%(group)s: Daily summary, %(count)s message', **values) \
            if is_singular(self.env.lang, len(posts)) else _('%(group)s: Daily summary, %(count)s messages', **values)
        body = self.env['ir.qweb']._render('website_mail_group.mail_group_summary', {
            'title': title,
            # no bodies; authors named as the archive names them, without their address
            'items': [{**group._digest_item(post, base_url, with_excerpt=False),
                       'author': author_label(post.email_from, post.author_id.name)} for post in posts],
            'archive_url': f'{base_url}/groups/{self.id}',
        }, minimal_qcontext=True)
        message = self._digest_mail_message(title, 'mail-group-summary')
        return message, body


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    digest_summary_done = fields.Boolean('In a Daily Summary', readonly=True, copy=False)
