"""mbox files for the archive import tests, built from ``raw_mail`` messages
as Mailman (mboxo, LF), Google Takeout (CRLF, mboxrd) and public-inbox
(mboxrd, LF) write them."""
import re

ENVELOPES = {
    'mailman': b'From sender at example.com  Mon Jan  6 10:00:00 2025',
    'takeout': b'From 1787471000000000000@xxx Mon Jan 06 10:00:00 +0000 2025',
    'thunderbird': b'From - Mon Jan  6 10:00:00 2025',
    'public-inbox': b'From mboxrd@z Thu Jan  1 00:00:00 1970',
    'bare': b'From sender@example.com',
}


def mbox(messages, dialect='mailman', crlf=False, quoting='rd'):
    """An mbox (bytes) holding ``messages`` (raw bytes, CRLF or LF).
    ``quoting``: 'rd' quotes ">*From " lines (mboxrd), 'o' only "From "
    lines (mboxo)."""
    pattern = re.compile(rb'^(>*From )' if quoting == 'rd' else rb'^(From )', re.MULTILINE)
    eol = b'\r\n' if crlf else b'\n'
    chunks = []
    for raw in messages:
        body = raw.replace(b'\r\n', b'\n')
        body = pattern.sub(rb'>\1', body)
        body = body.rstrip(b'\n') + b'\n'
        chunks.append(ENVELOPES[dialect] + b'\n' + body + b'\n')
    data = b''.join(chunks)
    return data.replace(b'\n', eol) if crlf else data
