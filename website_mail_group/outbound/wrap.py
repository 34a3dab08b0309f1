"""The ``wrap`` From mode (Mailman's "wrap message"): a copy leaves from the
group, as "via the group", with the post as received attached whole as
``message/rfc822``, so that the author's own DKIM signature still verifies
in the attachment. The copy (its list headers, footer, the member's links)
is built as for any other mode, then its bytes become the first part of a
``multipart/mixed`` whose second part is the original. Plain bytes, no ORM."""
import re
import secrets

LINE_END = re.compile(rb'\r?\n')
CONTENT_FIELDS = (b'content-type', b'content-transfer-encoding')


def original(raw):
    """The stored mail as it is attached: CRLF line ends (as SMTP carries
    it, and as DKIM signed it) and without the mbox ``From `` line some
    MTAs put on top; None when there is none."""
    if not raw:
        return None
    if raw.startswith(b'From '):
        raw = raw.partition(b'\n')[2]
    return LINE_END.sub(b'\r\n', raw) or None


def attach(data, raw):
    """The copy ``data`` (bytes, CRLF) with ``raw`` (from :func:`original`)
    attached as it is; ``data`` unchanged when ``raw`` is None."""
    if not raw:
        return data
    head, sep, body = data.partition(b'\r\n\r\n')
    if not sep:
        head, body = data.rstrip(b'\r\n'), b''
    outer, inner = [], []
    for field in _fields(head):
        name = field.split(b':', 1)[0].strip().lower()
        (inner if name in CONTENT_FIELDS else outer).append(field)
    if not inner:
        inner = [b'Content-Type: text/plain; charset=us-ascii']
    boundary = _boundary(body, raw)
    encoding = b'7bit' if raw.isascii() else b'8bit'
    return b''.join((
        b'\r\n'.join(outer),
        b'\r\nContent-Type: multipart/mixed; boundary="', boundary, b'"\r\n\r\n',
        b'--', boundary, b'\r\n', b'\r\n'.join(inner), b'\r\n\r\n', body,
        # the line end before a delimiter belongs to the delimiter (RFC 2046 5.1.1)
        b'\r\n--', boundary, b'\r\n',
        b'Content-Type: message/rfc822\r\n',
        b'Content-Disposition: attachment; filename="original.eml"\r\n',
        b'Content-Transfer-Encoding: ', encoding, b'\r\n\r\n',
        raw,
        b'\r\n--', boundary, b'--\r\n',
    ))


def _fields(head):
    """Header fields of ``head``, each with its folded lines."""
    fields = []
    for line in head.split(b'\r\n'):
        if line[:1] in (b' ', b'\t') and fields:
            fields[-1] += b'\r\n' + line
        elif line:
            fields.append(line)
    return fields


def _boundary(*parts):
    while True:
        boundary = b'wmg-wrap-' + secrets.token_hex(16).encode()
        if not any(boundary in part for part in parts):
            return boundary
