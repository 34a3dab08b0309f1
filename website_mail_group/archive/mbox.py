"""mboxrd export of archived posts: one RFC 5322 message per post (text
and HTML alternatives, attachments as MIME parts), each after its "From "
line, with ">From " quoting of every ">*From " line (mboxrd)."""
import email.policy
import re
import zlib
from datetime import timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from ..inbound.cleaning import one_line

# no folding below RFC 5322's line limit: Message-IDs stay on one line
POLICY = email.policy.default.clone(linesep='\n', max_line_length=998)
FROM_LINE = re.compile(rb'^(>*From )', re.MULTILINE)
MESSAGE_ID = re.compile(r'<[\x21-\x3b\x3d\x3f-\x7e]{1,900}>')


def message_ids(value):
    """The well-formed ``<id>`` of a header value, space-separated (others dropped)."""
    return ' '.join(MESSAGE_ID.findall(value or ''))


def message(*, author, address, date, subject, message_id, in_reply_to, text, html, attachments):
    """One post as an ``EmailMessage``. ``attachments``: (name, mimetype,
    raw bytes) read one at a time; ``date`` a naive UTC datetime."""
    msg = EmailMessage(policy=POLICY)
    msg['From'] = formataddr((one_line(author), address))
    msg['Date'] = format_datetime(date.replace(tzinfo=timezone.utc))
    msg['Subject'] = one_line(subject)
    for header, value in (('Message-ID', message_ids(message_id)), ('In-Reply-To', message_ids(in_reply_to)),
                          ('References', message_ids(in_reply_to))):
        if value:
            msg[header] = value
    msg.set_content(text or '\n')
    if html:
        msg.add_alternative(html, subtype='html')
    for name, mimetype, raw in attachments:
        maintype, __, subtype = (mimetype or '').partition('/')
        if not (maintype and subtype) or maintype == 'multipart':
            maintype, subtype = 'application', 'octet-stream'
        msg.add_attachment(raw or b'', maintype=maintype, subtype=subtype,
                           filename=one_line(name, replacement='_') or 'attachment')
    return msg


def entry(sender, date, msg):
    """``msg`` as one mboxrd entry (bytes): "From " line, quoted body, blank line."""
    data = msg.as_bytes(policy=POLICY).replace(b'\r\n', b'\n')
    data = FROM_LINE.sub(rb'>\1', data)
    if not data.endswith(b'\n'):
        data += b'\n'
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
