"""Complaint reports (ARF, RFC 5965): a member marked a copy as spam at
their mailbox provider, whose feedback loop sends us the report with the
copy attached. Plain Python: what a report names. Whom it names is decided
by signatures only (models/mail_group_complaints.py): a signed bounce
address (outbound/bounces.py) or a member's signed one-click link."""
import email.message
import email.parser
import email.policy
import re
from email.utils import getaddresses
from urllib.parse import parse_qs

MAX_NAMED = 5  # a report is about one copy: a few names are plenty
ONE_CLICK = re.compile(r'/group/([0-9]{1,9})/unsubscribe_oneclick\?([^>\s]{1,2000})')


def is_feedback_report(message):
    return message.get_content_type() == 'multipart/report' \
        and (message.get_param('report-type') or '').lower() == 'feedback-report'


def _headers(part):
    """The header fields a ``message/*`` or ``text/rfc822-headers`` part
    carries, as a message (possibly empty)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload[0] if payload else email.message.Message()
    text = payload if isinstance(payload, str) else ''
    return email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text)


def named(message):
    """``(addresses, links)`` a report names: envelope senders of the
    copy (``Original-Mail-From``, the attached original's ``Return-Path``)
    and the one-click links of its ``List-Unsubscribe``, each as
    ``(group id, {parameter: value})``."""
    addresses, links = [], []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == 'message/feedback-report':
            values = _headers(part).get_all('Original-Mail-From') or []
        elif kind in ('message/rfc822', 'text/rfc822-headers'):
            original = _headers(part)
            values = original.get_all('Return-Path') or []
            for header in original.get_all('List-Unsubscribe') or []:
                for match in ONE_CLICK.finditer(' '.join(str(header).split())):
                    query = {key: value[0] for key, value in parse_qs(match.group(2).replace('&amp;', '&')).items()}
                    links.append((int(match.group(1)), query))
        else:
            continue
        addresses += [address for __, address in getaddresses([str(value) for value in values]) if address]
    return addresses[:MAX_NAMED], links[:MAX_NAMED]
