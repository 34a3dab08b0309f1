"""The one builder of raw RFC 822 messages fed to Odoo's mail gateway by the
tests (hostile_mail.py builds its malformed ones with the email package)."""
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, make_msgid


def rfc2822_date(hours_ago=0):
    """A Date header value relative to now (whole seconds)."""
    return format_datetime((datetime.now(timezone.utc) - timedelta(hours=hours_ago)).replace(microsecond=0))


def raw_mail(email_from, to, subject='Hello list', body='Hello everyone', *, cc=None, message_id=None,
             date=None, headers=None, content_type='text/plain; charset=utf-8'):
    """A message as an MTA hands it to ``message_process`` (bytes, CRLF).

    ``email_from=None`` leaves out the From header; ``message_id`` defaults
    to a fresh one, ``date`` to now; ``headers`` (a dict, or ready-made
    ``Name: value\\r\\n`` lines) come right before the Content-Type; ``body``
    is the raw body, MIME parts included for a multipart ``content_type``."""
    if isinstance(headers, dict):
        headers = ''.join(f'{name}: {value}\r\n' for name, value in headers.items())
    raw = (
        (f'From: {email_from}\r\n' if email_from is not None else '')
        + f'To: {to}\r\n'
        + (f'Cc: {cc}\r\n' if cc else '')
        + f'Subject: {subject}\r\n'
        f'Message-ID: {message_id or make_msgid(domain="sender.example.com")}\r\n'
        f'Date: {date or rfc2822_date()}\r\n'
        'MIME-Version: 1.0\r\n'
        f'{headers or ""}'
        f'Content-Type: {content_type}\r\n'
        '\r\n'
        f'{body}'
    )
    return (raw if raw.endswith('\r\n') else raw + '\r\n').encode()
