"""The bytes of each member's copy of a post, built when it is sent.

What the copies of a post share is prepared once (outbound/prepared_post.py):
Odoo's message serialized as a template with tokens (outbound/mime.py), the
list headers. The post's body with the footer's placeholders
(outbound/footer.py) is stored once for all its copies
(models/mail_group_copy_body.py); a copy gets its member's links in the
footer and the one-click headers, its signed VERP sender, and a DKIM
signature made in a process of its own while the copies before it leave
(outbound/signing_process.py)."""
import ast
import re
from concurrent.futures import ThreadPoolExecutor
from email.utils import formataddr, parseaddr

from odoo import fields, tools

from . import bounces, footer, mime, prepared_post, signing_process, wrap
from . import headers as list_headers
from . import text as post_text
from .smtp_send import PLAIN_ADDRESS

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
        self.ahead = {}  # copies being built ahead, by mail id
        self.signing = None  # the process signing them (outbound/signing_process.py)
        self.sealing = None  # the thread signing and sealing them (outbound/arc.py)

    def build(self, mail):
        """Return ``(smtp_from, [rcpt], bytes)`` for one queued copy, signed
        when the list's domain has a DKIM key (and sealed, outbound/arc.py)."""
        return (self.ahead.pop(mail.id, None) or self._start(mail)).result()

    def build_ahead(self, mails):
        """Start building the next copies while the caller sends this one:
        their RSA signatures are made in another process (or, for copies
        sealed with ARC, in a thread) at the same time as this copy goes
        over the wire. Measured (bench/run.py, C sink): signing in line
        cost more than half the sending rate."""
        for mail in mails:
            if mail.id not in self.ahead:
                self.ahead[mail.id] = self._start(mail)

    def close(self):
        if self.signing:
            signing_process.release(self.signing)
            self.signing = None
        if self.sealing:
            self.sealing.shutdown()

    def _start(self, mail):
        try:
            smtp_from, smtp_to, data = self._build(mail)
        except Exception as exc:  # noqa: BLE001 - raised again by build(), as when built in line
            return _Built(error=exc)
        post = self.posts[mail.mail_message_id.id]
        data = wrap.attach(data, post['original'])
        if post['arc']:
            if self.sealing is None:
                self.sealing = ThreadPoolExecutor(max_workers=1, thread_name_prefix='mail-group-arc')
            return _Built(future=self.sealing.submit(self._seal, smtp_from, smtp_to, data, post))
        if not self.signer:
            return _Built((smtp_from, smtp_to, data))
        if self.signing is None:
            self.signing = signing_process.acquire(self.signer) or False
        if not self.signing:
            return _Built((smtp_from, smtp_to, self.signer.sign(data)))
        return _Built(future=_Signature(self.signing, self.signing.submit(data), smtp_from, smtp_to))

    def _seal(self, smtp_from, smtp_to, data, post):
        """Bytes only: no ORM here (a thread of its own)."""
        data = self.signer.sign(data) if self.signer else data
        return smtp_from, smtp_to, self.sealer.seal(data, post['arc'])

    def _build(self, mail):
        key = mail.mail_message_id.id
        if key not in self.posts:
            self.posts[key] = prepared_post.prepare(self, mail.with_prefetch([mail.id]))
        post = self.posts[key]
        links = mail._mail_group_member_links(self.link_builders)
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
        prepared_post.set_from(message, post['from_override'])
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



class _Signature:
    """A copy being signed by the signing process."""

    def __init__(self, process, number, smtp_from, smtp_to):
        self.process, self.number, self.smtp_from, self.smtp_to = process, number, smtp_from, smtp_to

    def result(self):
        return self.smtp_from, self.smtp_to, self.process.signed(self.number)


class _Built:
    """A copy being built: its bytes, or the error building it raised."""

    def __init__(self, value=None, future=None, error=None):
        self.value, self.future, self.error = value, future, error

    def result(self):
        if self.error is not None:
            raise self.error
        return self.future.result() if self.future else self.value


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
