"""Posts imported from an archive (mbox): stored as accepted posts of the
group with their own date, author and thread, never distributed.

Only the archive import (wizard/mail_group_archive_import.py) calls these
private methods, after checking that its user manages the group."""
import email
import email.policy
import re
from datetime import timezone

from dateutil import parser as date_parser

from odoo import Command, _, api, fields, models, tools

from ..inbound import cleaning, mbox
from ..outbound import text

MESSAGE_ID = re.compile(r'<[^<>\s]+>')


class ArchiveSkip(Exception):
    """A message of the archive that cannot be imported, with the reason."""


class MailGroup(models.Model):
    _inherit = 'mail.group'

    @api.model
    def _archive_parse(self, raw, envelope=b''):
        """The values of one archived message (bytes), read as the mail
        gateway reads a mail (its body and files, hostile headers cleaned),
        without its look-ups of partners and parents; raises ``ArchiveSkip``
        when it is not a readable email."""
        MailThread = self.env['mail.thread']
        try:
            message = email.message_from_bytes(raw, policy=email.policy.SMTP)
            if not message.keys():
                raise ArchiveSkip(_('no header section'))
            MailThread._mail_group_fix_charsets(message)
            email_from = tools.decode_message_header(message, 'From', separator=',')
            values = {
                'message_id': (message.get('Message-Id') or '').strip() or mbox.derived_message_id(raw),
                'subject': tools.decode_message_header(message, 'Subject'),
                'email_from': (tools.email_split_and_format(email_from) or [email_from])[0],
                'references': tools.decode_message_header(message, 'References'),
                'in_reply_to': tools.decode_message_header(message, 'In-Reply-To'),
            }
            values.update(MailThread._message_parse_extract_payload(message, values))
            values = MailThread._mail_group_clean_parsed(values)
            date = self._archive_date(tools.decode_message_header(message, 'Date'), envelope)
            author_text = text.author_text(message)
            plain = author_text and text.is_plain_post(message)
        except ArchiveSkip:
            raise
        except Exception as error:
            raise ArchiveSkip(_('unreadable message (%s)', type(error).__name__)) from error
        email_normalized = tools.email_normalize(values['email_from'] or '')
        if not email_normalized:
            raise ArchiveSkip(_('no sender address'))
        references = MESSAGE_ID.findall(values['in_reply_to'] or '')
        references += reversed(MESSAGE_ID.findall(values['references'] or ''))
        return {
            'message_id': values['message_id'],
            'subject': values['subject'] or False,
            'email_from': values['email_from'],
            'email_normalized': email_normalized,
            'date': date,
            'body': text.text_to_html(author_text) if plain else values.get('body') or '',
            'body_text': author_text or False,
            'attachments': [(attachment[0], attachment[1]) for attachment in values.get('attachments') or ()],
            'references': [ref for ref in dict.fromkeys(references) if ref != values['message_id']],
        }

    @api.model
    def _archive_date(self, header, envelope):
        """The Date header (UTC), else the date of the mbox separator line,
        else now; never in the future."""
        now = fields.Datetime.now()
        date = None
        if header:
            try:
                date = date_parser.parse(header, fuzzy=True)
            except (ValueError, OverflowError):
                date = None
            if date and date.tzinfo:
                date = date.astimezone(timezone.utc).replace(tzinfo=None)
        date = date or mbox.envelope_date(envelope) or now
        return min(date, now)

    def _archive_store(self, posts):
        """Store ``posts`` (values of ``_archive_parse``, in file order) as
        accepted posts of this group, without distributing them; a Message-ID
        already in the group (or earlier in ``posts``) is a duplicate.

        Returns ``(stored mail.group.message, number of duplicates, {post id:
        references})`` where the last holds the replies whose parent was not
        found (it may come later in the archive)."""
        self.ensure_one()
        group = self.sudo()
        GroupMessage = self.env['mail.group.message'].sudo()
        # a Message-ID belongs to one mail: a message whose id is another
        # mail's (a cross-post, or a forgery) is stored under the group's own id
        names = group._archive_own_ids({post['message_id'] for post in posts})
        taken = self.env['mail.message'].sudo().search_fetch(
            [('message_id', 'in', list(names))], ['message_id', 'model', 'res_id'])
        in_group = {message.message_id for message in taken
                    if message.model == group._name and message.res_id == group.id}
        known = {names[message_id] for message_id in in_group}
        elsewhere = {message.message_id for message in taken} - in_group
        new = []
        for post in posts:
            if post['message_id'] not in known:
                known.add(post['message_id'])
                post['stored_id'] = group._archive_own_id(post['message_id']) \
                    if post['message_id'] in elsewhere else post['message_id']
                new.append(post)
        if not new:
            return GroupMessage, len(posts), {}

        authors = {}
        for partner in self.env['res.partner'].sudo().search_fetch(
                [('email_normalized', 'in', list({post['email_normalized'] for post in new}))],
                ['email_normalized'], order='id'):
            authors.setdefault(partner.email_normalized, partner.id)
        # parents already in the group: {Message-ID: (mail.message id, mail.group.message id)}
        refs = group._archive_own_ids({ref for post in new for ref in post['references']})
        parents = {
            refs[post.mail_message_id.message_id]: (post.mail_message_id.id, post.id)
            for post in GroupMessage.search([
                ('mail_group_id', '=', group.id), ('mail_message_id.message_id', 'in', list(refs))])
        }
        batch_ids = {post['message_id'] for post in new}
        for post in new:
            post['parent_key'] = next(
                (ref for ref in post['references'] if ref in parents or ref in batch_ids), None)

        # replies after the posts they answer: one create per thread depth
        stored, waiting, orphans = GroupMessage, new, {}
        while waiting:
            ready = [post for post in waiting if not post['parent_key'] or post['parent_key'] in parents]
            if not ready:  # answers to each other in a loop: stored without a parent
                ready = waiting
                for post in ready:
                    post['parent_key'] = None
            waiting = [post for post in waiting if post not in ready]
            created = group._archive_create(ready, authors, parents)
            for post, record in zip(ready, created):
                parents[post['message_id']] = (record.mail_message_id.id, record.id)
                if post['references'] and not post['parent_key']:
                    orphans[record.id] = post['references']
            stored |= created
        return stored, len(posts) - len(new), orphans

    def _archive_own_id(self, message_id):
        """The group's own Message-ID for an archived message whose id
        belongs to another mail (mbox.group_message_id)."""
        self.ensure_one()
        secret = self.env['ir.config_parameter'].sudo().get_param('database.secret')
        return mbox.group_message_id(message_id, self.id, secret)

    def _archive_own_ids(self, message_ids):
        """{Message-ID this group may store: Message-ID in the archive} for
        ``message_ids``: each as it is and as the group's own id."""
        names = {message_id: message_id for message_id in message_ids}
        names.update({self._archive_own_id(message_id): message_id for message_id in message_ids})
        return names

    def _archive_create(self, posts, authors, parents):
        """One ``mail.message`` and one accepted ``mail.group.message`` per
        post, in two creates, and their files."""
        subtype_id = self.env['ir.model.data']._xmlid_to_res_id('mail.mt_comment')
        messages = self.env['mail.message'].sudo().create([{
            'model': 'mail.group',
            'res_id': self.id,
            'message_type': 'email',
            'subtype_id': subtype_id,
            'message_id': post['stored_id'],
            'subject': post['subject'],
            'email_from': post['email_from'],
            'author_id': authors.get(post['email_normalized'], False),
            'date': post['date'],
            'body': self._clean_email_body(post['body']),
            'parent_id': parents[post['parent_key']][0] if post['parent_key'] else False,
            'record_name': self.name,
            'reply_to': self.alias_email or post['email_from'],
            'record_alias_domain_id': self.alias_domain_id.id or False,
            'record_company_id': self.env.company.id,
        } for post in posts])
        group_messages = self.env['mail.group.message'].sudo().create([{
            'mail_message_id': message.id,
            'mail_group_id': self.id,
            'group_message_parent_id': parents[post['parent_key']][1] if post['parent_key'] else False,
            'moderation_status': 'accepted',
            'accepted_date': post['date'],
            'body_text': post['body_text'],
            # never distributed, so never in a digest either
            'digest_daily_done': True,
            'digest_weekly_done': True,
            'digest_summary_done': True,
        } for post, message in zip(posts, messages)])
        files = [
            {'name': cleaning.one_line(name, replacement='_') or _('attachment'),
             'raw': content.encode() if isinstance(content, str) else content,
             'res_model': group_message._name, 'res_id': group_message.id}
            for post, group_message in zip(posts, group_messages) for name, content in post['attachments']
        ]
        if files:
            attachments = self.env['ir.attachment'].sudo().create(files)
            by_post = {}
            for attachment in attachments:
                by_post.setdefault(attachment.res_id, []).append(attachment.id)
            for group_message in group_messages.filtered(lambda post: post.id in by_post):
                group_message.mail_message_id.attachment_ids = [Command.set(by_post[group_message.id])]
        return group_messages

    def _archive_thread_orphans(self, orphans):
        """Attach the imported replies of ``orphans`` ({post id: references})
        to their parent when it came later in the archive."""
        self.ensure_one()
        GroupMessage = self.env['mail.group.message'].sudo()
        refs = self._archive_own_ids({ref for references in orphans.values() for ref in references})
        found = {refs[post.mail_message_id.message_id]: post for post in GroupMessage.search(
            [('mail_group_id', '=', self.id), ('mail_message_id.message_id', 'in', list(refs))])} if refs else {}
        for post_id, references in orphans.items():
            post = GroupMessage.browse(int(post_id)).exists()
            parent = next((found[ref] for ref in references if ref in found), None)
            if post and parent and parent != post and not post.group_message_parent_id:
                post.group_message_parent_id = parent
                post.mail_message_id.parent_id = parent.mail_message_id
