"""The bytes of each member's copy of a post, built when it is sent.

Odoo builds and serializes a post's message once, as a template with
tokens (outbound/mime.py); the list headers and the plain text of the post
and of the footer are made once per post too. A queued copy stores the
member's own headers; the post's body with the footer's placeholders
(outbound/footer.py) is stored once for all its copies
(models/mail_group_copy_body.py); only the footer gets the member's links."""
import ast
import datetime
import logging
import re
from email.utils import format_datetime, formataddr, parseaddr

from odoo import fields, tools

from . import bounces, footer, identity, mime, wrap
from . import headers as list_headers
from . import text as post_text
from .smtp_send import PLAIN_ADDRESS

_logger = logging.getLogger(__name__)

PERSONAL_HEADERS = re.compile(r"'(List-Unsubscribe(?:-Post)?)': '([^'\\]*)'")


class CopyBuilder:
    """The bytes of a post's copy for one member: Odoo builds and
    serializes each post's message once, as a template with tokens (see
    outbound/mime.py); the plain text of the post and of the footer are
    rendered once per post too, and only the footer's gets the member's
    links (outbound/footer.py)."""

    def __init__(self, server, smtp, smtp_from=None, posts=None):
        # copies are signed whole as they leave, not by _prepare_email_message
        self.server = server.with_context(mail_group_unsigned=True)
        self.smtp = smtp
        self.smtp_from = smtp_from  # the batch's sender, as Odoo chose it for the mail server
        # prepared posts, by message: shared by the sessions of a run to one mail configuration
        self.posts = {} if posts is None else posts
        self.link_builders = {}
        self.secret = server.env['ir.config_parameter'].sudo().get_param('database.secret').encode()
        # the list's domain signs what leaves with its bounce address (outbound/signing.py)
        self.signer = server.env['mail.alias.domain']._dkim_signer(
            server.env.context.get('domain_bounce_address') or smtp_from or '')
        # and seals copies of posts that came by mail when it is set to (outbound/arc.py)
        self.sealer = server.env['mail.alias.domain']._arc_sealer(
            server.env.context.get('domain_bounce_address') or smtp_from or '')

    def build(self, mail):
        """Return ``(smtp_from, [rcpt], bytes)`` for one queued copy, signed
        when the list's domain has a DKIM key (and sealed, outbound/arc.py)."""
        smtp_from, smtp_to, data = self._build(mail)
        post = self.posts[mail.mail_message_id.id]
        data = wrap.attach(data, post['original'])
        data = self.signer.sign(data) if self.signer else data
        return smtp_from, smtp_to, self.sealer.seal(data, post['arc']) if post['arc'] else data

    def _build(self, mail):
        key = mail.mail_message_id.id
        if key not in self.posts:
            self.posts[key] = self._prepare_post(mail.with_prefetch([mail.id]))
        post = self.posts[key]
        links = self._member_links(mail)
        personal = self._personal_headers(mail, links)
        html, text = self._bodies(post, mail, links)
        recipients, email_to = _recipients(mail.email_to)
        template = post['template']
        if template and recipients and _is_ascii(email_to, *recipients, *personal.values()):
            data = template.render(email_to, personal.get('List-Unsubscribe', ''),
                                   personal.get('List-Unsubscribe-Post', ''), html, text)
            return self._envelope_sender(post['smtp_from'], mail), recipients, data
        message = mime.personalize(post['message'], email_to, html, text, personal)
        # the member only: a Cc naming the author is a header, not a recipient
        smtp_from, smtp_to, message = self.server.with_context(send_validated_to=recipients)._prepare_email_message(
            message, self.smtp)
        _set_from(message, post['from_override'])
        return (self._envelope_sender(smtp_from, mail), smtp_to,
                message.as_bytes(policy=message.policy.clone(linesep='\r\n', max_line_length=None)))

    @staticmethod
    def _personal_headers(mail, links):
        """The copy's one-click headers: those it stores (copies queued
        before they were made when sent), else from its member's link."""
        stored = mail.headers or ''
        if not stored:
            return list_headers.personal_headers(links['unsubscribe']) if links else {}
        # our own repr() of the personal headers: read them without literal_eval
        personal = dict(PERSONAL_HEADERS.findall(stored))
        if 'List-Unsubscribe' not in personal and 'List-Unsubscribe' in stored:
            personal = {name: value for name, value in ast.literal_eval(stored).items()
                        if name.startswith('List-Unsubscribe')}
        return personal

    def _bodies(self, post, mail, links):
        """The copy's HTML and plain text: the body its post's copies share
        (read once per batch, worked out once) with the member's links put
        into its footer, the footer alone."""
        stored = mail.body_html or ''
        if post['stored'] != stored:
            post['stored'], post['parts'] = stored, _parts(mail._prepare_outgoing_body(), post['author_text'])
        parts = post['parts']
        if not (links and parts['placeholders']):
            return parts['html'] + parts['footer'], footer.join_text(parts['text'], parts['footer_text'])
        footer_html = footer.personalize(parts['footer'], parts['placeholders'], links)
        footer_text = footer.personalize_text(parts['footer_text'], parts['placeholders'], links)
        return parts['html'] + footer_html, footer.join_text(
            parts['text'], footer_text or tools.html2plaintext(footer_html))

    def _envelope_sender(self, smtp_from, mail):
        """The member's signed VERP address when the envelope sender is the
        bounce alias (outbound/bounces.py): a bounce then names its member,
        and nobody else can write that address."""
        bounce = self.server.env.context.get('domain_bounce_address')
        member = mail.mail_group_member_id
        if not bounce or smtp_from != bounce or not member:
            return smtp_from
        if mail.mail_group_probe:
            if not member.bounce_probe_date:
                return smtp_from
            return bounces.address(bounce, self.secret, member.id, fields.Datetime.to_string(member.bounce_probe_date))
        return bounces.address(bounce, self.secret, member.id)

    def _member_links(self, mail):
        """The member's personal links, by kind."""
        group = _group_of(mail)
        member = mail.mail_group_member_id
        email = member.email_normalized or tools.email_normalize(mail.email_to)
        if not group or not email:
            return {}
        if group.id not in self.link_builders:
            self.link_builders[group.id] = group._member_links_builder()
        return self.link_builders[group.id](member.id, email)

    def _prepare_post(self, mail):
        values = mail._prepare_outgoing_list()[0]
        emails_from = tools.email_split_and_format_normalize(mail.email_from)
        author = emails_from[0] if emails_from else mail.email_from
        group = _group_of(mail)
        build = dict(
            email_from=author, subject=values['subject'], email_cc=values['email_cc'], reply_to=values['reply_to'],
            attachments=values['attachments'], message_id=values['message_id'], references=values['references'],
            object_id=values['object_id'], subtype='html', subtype_alternative='plain',
        )
        from_override = None
        post = self.server.env['mail.group.message'].sudo().search(
            [('mail_message_id', '=', mail.mail_message_id.id)], limit=1) if group else None
        original = post._wrap_original() if post else None
        if original:
            build['attachments'] = []  # the post's files are in the attached original
        if group:
            # Odoo chose the batch's sender for the mail server: not the author
            # when the server's from_filter refuses the author's address. The
            # address of a web or Odoo post is whatever its author typed in
            # their profile: never a From either.
            usable = tools.email_normalize(self.smtp_from or '') == tools.email_normalize(author or '') \
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
            if rewritten and self.server._match_from_filter(group.alias_email, getattr(self.smtp, 'from_filter', False)):
                from_override = build['email_from']
            # the list headers are the same for every copy: added here, not stored
            parent_id = mail.mail_message_id.parent_id.message_id or False
            base_url = group.get_base_url()
            post_url = f'{base_url}/groups/{group.id}/{post.id}' if post else None
            values['headers'] = {**group._list_headers(base_url, parent_id, post_url), **values['headers']}
            build['references'] = parent_id or build['references']
        digest_items = self._digest_items(mail, group)
        server = self.server.with_context(send_validated_to=values['email_to_normalized'])
        message = server.build_email(
            email_to=values['email_to'], body=values['body'], body_alternative=values['body_alternative'],
            headers=values['headers'], **build)
        template_message = server.build_email(
            email_to=[mime.TO_TOKEN], body=mime.HTML_TOKEN, body_alternative=mime.TEXT_TOKEN,
            headers={**values['headers'], 'List-Unsubscribe': mime.UNSUBSCRIBE_TOKEN,
                     'List-Unsubscribe-Post': mime.UNSUBSCRIBE_POST_TOKEN}, **build)
        if digest_items:
            mime.make_digest(message, digest_items)
            mime.make_digest(template_message, digest_items)
        smtp_from, __, template_message = self.server.with_context(send_validated_to=[])._prepare_email_message(
            template_message, self.smtp)
        _set_from(template_message, from_override)
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
            'arc': post._arc_results() if post and self.sealer else None,
            'author_text': post.body_text if post else None,
            'stored': None, 'parts': None,
        }

    def _digest_items(self, mail, group):
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


def _parts(html, author_text=None):
    """A stored body as the post (HTML, text) and the footer (HTML, text)
    with its placeholders, by link kind; no footer: all of it is the post."""
    body_html, footer_html = footer.split(html)
    placeholders = footer.placeholders_in(footer_html)
    if not placeholders:
        body_html, footer_html = html, ''
    return {
        'html': body_html,
        'text': author_text or post_text.html_to_text(body_html),
        'footer': footer_html,
        'footer_text': tools.html2plaintext(footer_html) if footer_html else '',
        'placeholders': placeholders,
    }


def _group_of(mail):
    message = mail.mail_message_id
    return mail.env['mail.group'].sudo().browse(message.res_id) if message.model == 'mail.group' else None


def _set_from(message, value):
    if value:
        del message['From']
        message['From'] = value


def _recipients(email_to):
    """The copy's envelope recipients and its To header. A plain address,
    as nearly every member's is, needs no parsing: it is the same once
    normalized, but lower-cased."""
    if PLAIN_ADDRESS.match(email_to or ''):
        return [email_to.lower()], email_to
    return (tools.email_normalize_all(email_to),
            ', '.join(_encode_address(address) for address in tools.email_split_and_format(email_to)))


def _is_ascii(*values):
    return all(value.isascii() for value in values)


def _encode_address(formatted):
    """RFC 2047-encode a display name, keeping the address as it is."""
    name, address = parseaddr(formatted)
    return formataddr((name, address), charset='utf-8') if address else formatted
