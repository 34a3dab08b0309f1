"""What every copy of a post shares, made once per post and sending run
(outbound/copies.py builds each copy from it): the From, Subject, Reply-To
and Cc the group's policies give (outbound/identity.py), the list headers,
digests' parts, and the message serialized once as a byte template with
tokens for what is the member's own (outbound/mime.py)."""
import datetime
import logging
from email.utils import format_datetime

from odoo import tools

from . import identity, mime
from . import text as post_text

_logger = logging.getLogger(__name__)


def prepare(builder, mail):
    """What every copy of ``mail``'s post shares, for ``builder``'s SMTP
    session (a ``CopyBuilder``): the message (for copies that cannot use the
    byte template), the byte template, the envelope sender, the From to
    keep, the wrapped original, the ARC results."""
    values = mail._prepare_outgoing_list()[0]
    emails_from = tools.email_split_and_format_normalize(mail.email_from)
    author = emails_from[0] if emails_from else mail.email_from
    group = group_of(mail)
    build = dict(
        email_from=author, subject=values['subject'], email_cc=values['email_cc'], reply_to=values['reply_to'],
        attachments=values['attachments'], message_id=values['message_id'], references=values['references'],
        object_id=values['object_id'], subtype='html', subtype_alternative='plain',
    )
    from_override = None
    post = builder.server.env['mail.group.message'].sudo().search(
        [('mail_message_id', '=', mail.mail_message_id.id)], limit=1) if group else None
    original = post._wrap_original() if post else None
    if original:
        build['attachments'] = []  # the post's files are in the attached original
    if group:
        # Odoo chose the batch's sender for the mail server: not the author
        # when the server's from_filter refuses the author's address. The
        # address of a web or Odoo post is whatever its author typed in
        # their profile: never a From either.
        usable = tools.email_normalize(builder.smtp_from or '') == tools.email_normalize(author or '') \
            and not (post and post.author_from_account) \
            and not (group.from_policy == 'dmarc' and group._author_requires_via(author))
        rewritten = identity.is_rewritten(author, group.alias_email, group.from_policy, usable)
        cc = identity.cc(group.reply_to_policy, author, rewritten)
        build.update(
            email_from=identity.from_header(author, group.name, group.alias_email, group.from_policy, usable),
            subject=identity.subject_with_prefix(values['subject'], group.subject_prefix),
            reply_to=identity.reply_to(group.reply_to_policy, group.alias_email, author),
            email_cc=[cc] if cc else values['email_cc'],
        )
        # a group sending as itself keeps its own From (Odoo would encapsulate
        # it like the author's address) when the server may send from it
        if rewritten and builder.server._match_from_filter(group.alias_email, getattr(builder.smtp, 'from_filter', False)):
            from_override = build['email_from']
        # the list headers are the same for every copy: added here, not stored
        parent_id = mail.mail_message_id.parent_id.message_id or False
        base_url = group.get_base_url()
        post_url = f'{base_url}/groups/{group.id}/{post.id}' if post else None
        values['headers'] = {**group._list_headers(base_url, parent_id, post_url), **values['headers']}
        build['references'] = parent_id or build['references']
    items = digest_items(mail, group)
    server = builder.server.with_context(send_validated_to=values['email_to_normalized'])
    message = server.build_email(
        email_to=values['email_to'], body=values['body'], body_alternative=values['body_alternative'],
        headers=values['headers'], **build)
    template_message = server.build_email(
        email_to=[mime.TO_TOKEN], body=mime.HTML_TOKEN, body_alternative=mime.TEXT_TOKEN,
        headers={**values['headers'], 'List-Unsubscribe': mime.UNSUBSCRIBE_TOKEN,
                 'List-Unsubscribe-Post': mime.UNSUBSCRIBE_POST_TOKEN}, **build)
    if items:
        mime.make_digest(message, items)
        mime.make_digest(template_message, items)
    smtp_from, __, template_message = builder.server.with_context(send_validated_to=[])._prepare_email_message(
        template_message, builder.smtp)
    set_from(template_message, from_override)
    template = mime.ByteTemplate.make(
        template_message.as_bytes(policy=template_message.policy.clone(linesep='\r\n')))
    if not template:
        _logger.info('Mail group: no byte template for message %s, building each copy', mail.mail_message_id.id)
    return {
        'message': message,
        'template': template,
        'smtp_from': smtp_from,
        'from_override': from_override,
        'original': original,
        'arc': post._arc_results() if post and builder.sealer else None,
        'author_text': post.body_text if post else None,
        'stored': None, 'parts': None,
    }

def digest_items(mail, group):
    """The posts of a digest, each as a message of its own, as the
    members received them (Subject, From, Date, Message-ID, threading)."""
    posts = mail.mail_message_id.sudo().mail_group_digest_ids if group else None
    items = []
    for post in posts or ():
        message = post.mail_message_id
        parent_id = message.parent_id.message_id
        author = message.email_from or ''
        items.append(mime.digest_item({
            'From': identity.from_header(author, group.name, group.alias_email, 'group')
            if post.author_from_account else author,
            'To': group.alias_email or '',
            'Reply-To': identity.reply_to(group.reply_to_policy, group.alias_email, author),
            'Subject': message.subject or '',
            'Date': format_datetime(message.date.replace(tzinfo=datetime.timezone.utc)) if message.date else '',
            'Message-ID': message.message_id or '',
            'In-Reply-To': parent_id or '',
            'References': parent_id or '',
        }, post._plain_text(), post_text.sanitize(message.body)))
    return items


def group_of(mail):
    """The group of a copy's message, None when it is not a group's."""
    message = mail.mail_message_id
    return mail.env['mail.group'].sudo().browse(message.res_id) if message.model == 'mail.group' else None


def set_from(message, value):
    """Put ``value`` as the From of ``message``, if any."""
    if value:
        del message['From']
        message['From'] = value
