"""mbox downloads of the archive (mboxrd, archive/mbox.py): the whole
archive, one month, one thread; streamed, optionally gzip-compressed."""
import re
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import _, api, http
from odoo.http import content_disposition, request
from odoo.osv import expression

from odoo.addons.http_routing.models.ir_http import slug

from ..archive import mbox
from ..outbound.text import html_to_text
from .pages import GroupPages, author_name, confirm_page, sanitize_body

# posts read at a time while streaming, and the bytes written before they are sent
BATCH = 200
BATCH_BYTES = 4 * 1024 * 1024
MONTH = re.compile(r'(\d{4})-(\d{2})')


def parse_month(value):
    """The first day of a ``YYYY-MM`` month, or None."""
    match = MONTH.fullmatch(value or '')
    # the month after it must be a date too: 9999-12 is not a month of any archive
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1 <= int(match.group(1)) < 9999:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


class MailGroupMbox(GroupPages, http.Controller):

    @http.route(['/groups/<string:group_ref>/mbox', '/groups/<string:group_ref>/<string:message_ref>/mbox'],
                type='http', auth='public', website=True, sitemap=False)
    def group_mbox(self, group_ref, message_ref=None, month=None, gzip=None, group_access_token=None, **kw):
        group = self._get_group(group_ref, group_access_token)
        domain = self._accepted_domain(group)
        name = slug(group)
        if message_ref:
            root = self._thread_start(self._get_message(group, message_ref))
            domain = expression.AND([domain, [('id', 'in', [root.id, *self._thread_reply_ids(root)])]])
            name = f'{name}-{slug(root)}'
        elif month:
            begin = parse_month(month)
            if not begin:
                return confirm_page(group, 'invalid', _('Invalid month'), _(
                    'Give the month as year and month, for example %s.', date.today().strftime('%Y-%m')),
                    http_status=400)
            domain = expression.AND([domain, [('date', '>=', begin), ('date', '<', begin + relativedelta(months=1))]])
            name = f'{name}-{begin:%Y-%m}'

        chunks = self._entries(request.env.registry, request.env.uid, dict(request.env.context), domain,
                               group.alias_email or 'archive@invalid')
        headers = [('Content-Type', 'application/mbox')]
        if gzip:
            chunks, name = mbox.gzipped(chunks), f'{name}.mbox.gz'
            headers = [('Content-Type', 'application/gzip')]
        else:
            name = f'{name}.mbox'
            if 'gzip' in request.httprequest.headers.get('Accept-Encoding', ''):
                chunks = mbox.gzipped(chunks)
                headers.append(('Content-Encoding', 'gzip'))
        headers += [('Content-Disposition', content_disposition(name)), ('Vary', 'Accept-Encoding')]
        return request.make_response(chunks, headers=headers)

    @staticmethod
    def _entries(registry, uid, context, domain, address):
        """The mbox entries of the accepted posts of ``domain``, oldest first.
        The response is sent after the request's cursor is closed: each
        batch (BATCH posts, at most BATCH_BYTES and one post) is written
        through a cursor of its own, closed before the client reads it, so
        a slow download holds no database connection."""
        batch_domain = domain
        while True:
            chunks, size, last = [], 0, None
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, context)
                posts = env['mail.group.message'].sudo().search(batch_domain, order='date ASC, id ASC', limit=BATCH)
                for post in posts:
                    chunks.append(MailGroupMbox._entry(env, post, address))
                    size += len(chunks[-1])
                    last = post
                    if size >= BATCH_BYTES:
                        break
                more = bool(posts) and (len(posts) == BATCH or last != posts[-1])
                if more:
                    # (date, id) after the last one, written to seek on the date index
                    batch_domain = expression.AND([domain, [
                        ('date', '>=', last.date), '|', ('date', '>', last.date), ('id', '>', last.id)]])
            yield from chunks
            if not more:
                return

    @staticmethod
    def _entry(env, post, address):
        # the mail.message's own fields: the post's related fields would run
        # the HTML sanitizer of the field on every body read (half the time)
        message = post.mail_message_id
        html = sanitize_body(message.body, env)
        parent = post.group_message_parent_id
        data = mbox.message(
            author=author_name(message), address=address, date=post.date, subject=message.subject or '',
            message_id=message.message_id,
            in_reply_to=parent.mail_message_id.message_id if parent.moderation_status == 'accepted' else '',
            text=html_to_text(html), html=html,
            attachments=MailGroupMbox._attachments(message))
        return mbox.entry(address, post.date, data)

    @staticmethod
    def _attachments(message):
        """(name, mimetype, content) of each file, read one at a time."""
        for attachment in message.attachment_ids.sudo():
            attachment = attachment.with_prefetch()
            yield attachment.name, attachment.mimetype, attachment.raw
            attachment.invalidate_recordset(['raw', 'datas'])
