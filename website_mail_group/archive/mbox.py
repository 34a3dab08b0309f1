"""mboxrd export of archived posts: one RFC 5322 message per post (text
and HTML alternatives, attachments as MIME parts), each after its "From "
line, with ">From " quoting of every ">*From " line (mboxrd).

Messages are written directly as bytes: Python's ``email`` package took
most of the time of an export (about 4 ms a post)."""
import base64
import binascii
import re
import uuid
import zlib
from datetime import timezone
from email.header import Header
from email.utils import encode_rfc2231, format_datetime, formataddr

from ..inbound.cleaning import one_line

FROM_LINE = re.compile(rb'^(>*From )', re.MULTILINE)
MESSAGE_ID = re.compile(r'<[\x21-\x3b\x3d\x3f-\x7e]{1,900}>')
TOKEN = re.compile(r'[a-z0-9!#$&^_.+-]{1,100}')


def message_ids(value):
    """The well-formed ``<id>`` of a header value, space-separated (others dropped)."""
    return ' '.join(MESSAGE_ID.findall(value or ''))


def header_text(value):
    """An unstructured header value: RFC 2047 encoded words when not ASCII."""
    value = one_line(value)
    return value if value.isascii() else Header(value, 'utf-8').encode(linesep='\n')


def param(name, value):
    """``name="value"``, or RFC 2231 ``name*=utf-8''...`` when not ASCII."""
    value = one_line(value, replacement='_')
    if value.isascii():
        return '%s="%s"' % (name, value.replace('\\', '\\\\').replace('"', '\\"'))
    return f"{name}*={encode_rfc2231(value, 'utf-8')}"


def text_part(content, subtype):
    return (f'Content-Type: text/{subtype}; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
            .encode() + binascii.b2a_qp(content.encode('utf-8')) + b'\n')


def file_part(name, mimetype, raw):
    mimetype = (mimetype or '').lower()
    if not TOKEN.fullmatch(mimetype.partition('/')[0]) or not TOKEN.fullmatch(mimetype.partition('/')[2]) \
            or mimetype.startswith(('multipart/', 'message/')):
        mimetype = 'application/octet-stream'
    name = name or 'attachment'
    return (f'Content-Type: {mimetype}; {param("name", name)}\nContent-Disposition: attachment; '
            f'{param("filename", name)}\nContent-Transfer-Encoding: base64\n\n').encode() \
        + base64.encodebytes(raw or b'')


def multipart(subtype, parts):
    # "=_" never occurs in quoted-printable nor base64 text: no part can hold the boundary
    boundary = f'=_mg_{uuid.uuid4().hex}'
    body = b''.join(b'--%s\n%s\n' % (boundary.encode(), part) for part in parts)
    return f'Content-Type: multipart/{subtype}; boundary="{boundary}"\n\n'.encode() + body \
        + f'--{boundary}--\n'.encode()


def message(*, author, address, date, subject, message_id, in_reply_to, text, html, attachments):
    """One post as RFC 5322 bytes (``\\n`` line ends). ``attachments``:
    (name, mimetype, raw bytes); ``date`` a naive UTC datetime."""
    headers = [
        ('From', formataddr((one_line(author), address))),
        ('Date', format_datetime(date.replace(tzinfo=timezone.utc))),
        ('Subject', header_text(subject)),
        ('Message-ID', message_ids(message_id)),
        ('In-Reply-To', message_ids(in_reply_to)),
        ('References', message_ids(in_reply_to)),
        ('MIME-Version', '1.0'),
    ]
    head = ''.join(f'{name}: {value}\n' for name, value in headers if value).encode()
    body = text_part(text or '', 'plain')
    if html:
        body = multipart('alternative', [body, text_part(html, 'html')])
    files = [file_part(*attachment) for attachment in attachments]
    if files:
        body = multipart('mixed', [body, *files])
    return head + body


def entry(sender, date, data):
    """The message ``data`` as one mboxrd entry: "From " line, quoted body, blank line."""
    data = FROM_LINE.sub(rb'>\1', data)
    envelope = f"From {sender} {date.strftime('%a %b %d %H:%M:%S %Y')}\n".encode('ascii', 'replace')
    return envelope + data + b'\n'


def gzipped(chunks):
    """``chunks`` (bytes) as one gzip stream, compressed as they come."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        data = compressor.compress(chunk)
        if data:
            yield data
    yield compressor.flush()
