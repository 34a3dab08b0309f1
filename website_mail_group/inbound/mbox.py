"""Reading an mbox as a stream, one message at a time (plain Python).

Accepted dialects: mboxo and mboxrd (body lines quoted as ">From ", ">>From "
… lose one ">"), LF or CRLF line endings, separator lines with or without an
envelope date (Mailman, Google Takeout, Thunderbird "From - …", public-inbox
"From mboxrd@z …"). A line starting with "From " separates two messages when
it starts the file, follows a blank line, or carries an envelope date (Thunderbird
does not always leave a blank line). Content before the first separator is a
message too, so a single ``.eml`` file imports as one message.

Nothing is loaded whole: lines are read in chunks of at most ``LINE_CHUNK``
bytes, a message larger than ``max_size`` is skipped without keeping its
bytes, and each message knows the byte offsets where it starts and ends, so
an import can stop after any message and resume from its ``end``."""
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timezone

from dateutil import parser as date_parser

MAX_MESSAGE_SIZE = 25 * 1024 * 1024  # bytes; larger messages are reported, not imported
LINE_CHUNK = 64 * 1024
# "From sender Thu Jan  1 00:00:00 1970" (asctime, with an optional zone or year order variant)
ENVELOPE_DATE = re.compile(rb'^From \S*.*\b\d{1,2}:\d{2}(?::\d{2})?\b.*\b\d{4}\b')
QUOTED_FROM = re.compile(rb'^>+From ')


@dataclass
class Entry:
    """One message of the mbox: ``raw`` is None when it was too large."""
    offset: int
    end: int
    envelope: bytes
    raw: bytes | None
    size: int


def _is_blank(line):
    return line in (b'\n', b'\r\n')


def read_messages(stream, offset=0, max_size=None):
    """Yield the ``Entry`` of each message of ``stream`` (binary, positioned
    at ``offset``, the start of a message or of the file)."""
    max_size = MAX_MESSAGE_SIZE if max_size is None else max_size
    position = offset
    start, envelope, lines, size = offset, b'', [], 0
    at_line_start, previous_blank, first = True, True, True
    while True:
        line = stream.readline(LINE_CHUNK)
        if not line:
            break
        length, line_start = len(line), at_line_start
        at_line_start = line.endswith(b'\n')
        if line_start and line.startswith(b'From ') and (first or previous_blank or ENVELOPE_DATE.match(line)):
            if not first or lines:
                yield _entry(start, position, envelope, lines, size, max_size)
            start, envelope, lines, size = position, line.rstrip(b'\r\n'), [], 0
        else:
            if line_start and QUOTED_FROM.match(line):
                line = line[1:]
            size += len(line)
            if size <= max_size:
                lines.append(line)
            elif lines:
                lines = []  # too large: keep counting, drop the bytes
        first = False
        previous_blank = line_start and _is_blank(line)
        position += length
    if lines or size or envelope:
        yield _entry(start, position, envelope, lines, size, max_size)


def _entry(start, end, envelope, lines, size, max_size):
    if size > max_size:
        return Entry(start, end, envelope, None, size)
    raw = b''.join(lines).rstrip(b'\r\n')
    raw += b'\r\n' if b'\r\n' in raw[:1000] else b'\n'
    return Entry(start, end, envelope, raw, size)


def derived_message_id(raw):
    """A stable Message-ID for a message without one: the same message gives
    the same id in any dialect (line endings and trailing blank lines ignored)."""
    normalized = raw.replace(b'\r\n', b'\n').rstrip(b'\n')
    return '<%s@mbox-import.invalid>' % hashlib.sha256(normalized).hexdigest()[:40]


def group_message_id(message_id, group_id, secret):
    """The Message-ID an imported message gets in a group when its own
    belongs to another mail: the same for each import of that message into
    that group, unpredictable without the database secret."""
    digest = hmac.new(secret.encode(), f'{group_id}:{message_id}'.encode(), hashlib.sha256).hexdigest()[:40]
    return f'<{digest}@archive-import.invalid>'


def envelope_date(envelope):
    """The date of a separator line ("From sender Thu Jan  1 00:00:00 1970")
    as a naive UTC datetime, or None."""
    parts = envelope.decode('ascii', 'replace').split(None, 2)
    if len(parts) < 3:
        return None
    try:
        parsed = date_parser.parse(parts[2], fuzzy=True)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def estimate_count(stream, chunk_size=1024 * 1024):
    """About how many messages ``stream`` holds: the "From " lines after a
    line break, counted chunk by chunk (a fast upper bound for the progress)."""
    count, tail = 0, b'\n'
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            break
        data = tail + chunk
        count += data.count(b'\nFrom ')
        tail = data[-5:]  # shorter than a match: none is counted twice
    return max(count, 1)
