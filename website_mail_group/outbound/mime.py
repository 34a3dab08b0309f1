"""Per-member copies of one post's MIME message.

Odoo builds and serializes the post's message once, with tokens where the
recipient, the personal headers and the two bodies go; each member's copy
is those bytes with the tokens replaced (bodies in base64). ``personalize``
is the slow, general path used when a template cannot be made."""
import base64
import copy
import email.policy
import re
from email.message import EmailMessage, MIMEPart

TO_TOKEN = 'wmg-recipient-token@recipient.invalid'
UNSUBSCRIBE_TOKEN = 'wmg-unsubscribe-token'
UNSUBSCRIBE_POST_TOKEN = 'wmg-unsubscribe-post-token'
HTML_TOKEN = 'wmg-html-body-token'
TEXT_TOKEN = 'wmg-text-body-token'
DIGEST_TYPES = ('multipart/digest', 'message/rfc822')


def personalize(base, email_to, html, text, headers):
    """A copy of ``base`` (an ``EmailMessage``) for one member."""
    message = copy.deepcopy(base)
    del message['To']
    message['To'] = email_to
    for name, value in headers.items():
        del message[name]
        message[name] = value
    for part in _own_parts(message):
        if part.is_multipart() or part.get_content_disposition() == 'attachment':
            continue
        content_type = part.get_content_type()
        if content_type == 'text/html':
            part.set_content(html, subtype='html', charset='utf-8')
        elif content_type == 'text/plain':
            part.set_content(text, subtype='plain', charset='utf-8')
    return message


def _own_parts(message):
    """The parts of ``message`` without those of the messages it carries
    (the posts of a digest keep their own bodies)."""
    yield message
    if message.get_content_type() in DIGEST_TYPES or not message.is_multipart():
        return
    for part in message.get_payload():
        yield from _own_parts(part)


def digest_item(headers, text, html):
    """One post of a digest as a message of its own (``message/rfc822``)."""
    item = EmailMessage(policy=email.policy.SMTP)
    for name, value in headers.items():
        if value:
            item[name] = value
    item.set_content(text or '', charset='utf-8')
    item.add_alternative(html or '', subtype='html', charset='utf-8')
    return item


def make_digest(message, items):
    """``message`` (the summary: its headers and bodies) becomes the first
    part of a multipart/mixed whose second part is a multipart/digest of
    ``items`` (RFC 2046 5.1.5), each its own message/rfc822 part."""
    digest = MIMEPart(policy=message.policy)
    digest['Content-Type'] = 'multipart/digest'
    for item in items:
        wrapper = MIMEPart(policy=message.policy)
        wrapper.set_content(item)
        digest.attach(wrapper)
    message.make_mixed()
    message.attach(digest)
    return message


def _b64(text):
    encoded = base64.b64encode(text.encode('utf-8'))
    return b'\r\n'.join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


class ByteTemplate:
    """The serialized message of a post with tokens; ``None`` from
    :meth:`make` when the tokens are not each found once."""

    def __init__(self, data):
        self.data = data

    @classmethod
    def make(cls, data):
        for token in (HTML_TOKEN, TEXT_TOKEN):
            pattern = rb'Content-Transfer-Encoding: 7bit\r\n((?:[^\r\n]+\r\n)*)\r\n' + re.escape(token.encode()) + rb'\r\n'
            if len(re.findall(pattern, data)) != 1:
                return None
            data = re.sub(pattern, lambda match: b'Content-Transfer-Encoding: base64\r\n' + match.group(1)
                          + b'\r\n' + token.encode() + b'\r\n', data)
        if any(data.count(token.encode()) != 1 for token in (TO_TOKEN, UNSUBSCRIBE_TOKEN, UNSUBSCRIBE_POST_TOKEN)):
            return None
        return cls(data)

    def render(self, email_to, unsubscribe, unsubscribe_post, html, text):
        """Bytes for one member; ``email_to`` and the headers must be ASCII."""
        return (self.data
                .replace(TO_TOKEN.encode(), email_to.encode('ascii'))
                .replace(UNSUBSCRIBE_POST_TOKEN.encode(), unsubscribe_post.encode('ascii'))
                .replace(UNSUBSCRIBE_TOKEN.encode(), unsubscribe.encode('ascii'))
                .replace(HTML_TOKEN.encode(), _b64(html))
                .replace(TEXT_TOKEN.encode(), _b64(text)))
