"""Bounce addresses (VERP) and delivery reports.

Each copy leaves with an envelope sender naming its member, signed so that
nobody else can write it: ``bounce+mg<member id>-<signature>@domain``. A
probe (sent before delivery is turned off, as Mailman does) uses
``bounce+mgp<member id>-<signature>@domain``, signed over the probe's date
too, so only a bounce of that very probe answers it."""
import hashlib
import hmac
import re

SIGNATURE_LENGTH = 16  # hex characters: 64 bits
MEMBER_ID = re.compile(r'[0-9]{1,9}')  # below PostgreSQL's integer limit


def signature(secret, member_id, probe_stamp=None):
    message = repr(('mail_group-verp', member_id, probe_stamp)).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:SIGNATURE_LENGTH]


def address(bounce, secret, member_id, probe_stamp=None):
    """The signed envelope sender of a copy (or of a probe) for a member."""
    local, __, domain = bounce.rpartition('@')
    kind = 'mgp' if probe_stamp else 'mg'
    return f'{local}+{kind}{member_id}-{signature(secret, member_id, probe_stamp)}@{domain}'


def parse(address, bounce):
    """``(member id, is probe, signature)`` when ``address`` has the shape
    of a VERP address on ``bounce``, signed or not; else ``None``."""
    local, __, domain = bounce.lower().rpartition('@')
    address_local, __, address_domain = (address or '').lower().rpartition('@')
    prefix = f'{local}+mg'
    if address_domain != domain or not address_local.startswith(prefix):
        return None
    rest = address_local[len(prefix):]
    probe = rest.startswith('p')
    member_id, __, sig = (rest[1:] if probe else rest).partition('-')
    if not MEMBER_ID.fullmatch(member_id):
        return None
    return int(member_id), probe, sig


def verify(secret, member_id, sig, probe_stamp=None):
    return bool(sig) and hmac.compare_digest(sig.encode(), signature(secret, member_id, probe_stamp).encode())


def is_delivery_failure(message, email_from):
    """Whether ``message`` (an ``email.message.Message``) reports a failed
    delivery: an RFC 3464 report with a failed recipient (a delay or a
    success report is not a failure), or, for servers that send no
    standard report, a mail from a mailer daemon (as Odoo detects them)."""
    if message.get_content_type() == 'multipart/report':
        if (message.get_param('report-type') or '').lower() != 'delivery-status':
            return False
        for part in message.walk():
            if part.get_content_type() != 'message/delivery-status':
                continue
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else ():
                if str(block.get('Action', '')).strip().lower() == 'failed':
                    return True
        return False
    sender = (email_from or '').strip().lower()
    return sender.rpartition('<')[2].split('@', 1)[0] == 'mailer-daemon'
