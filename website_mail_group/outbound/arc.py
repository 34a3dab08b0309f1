"""ARC seals (RFC 8617) of the copies of posts that came by mail, by the
list's domain when it has a DKIM key and sealing is on: the
ARC-Authentication-Results carry the inbound verdict (inbound/authentication.py)
so that receivers trusting the list can accept copies the list's changes
keep from passing the author's DMARC.

The copy is a new message (Odoo builds its headers): the ARC sets the mail
had when it came are not in it, so the seal starts a chain, ``i=1``,
``cv=none``. dkimpy signs (pure-Python RSA, two signatures a copy). Plain
Python, no ORM."""
import logging
import re

import dkim
from cryptography.hazmat.primitives import serialization

from .signing import SIGNED_HEADERS

_logger = logging.getLogger(__name__)

RESULTS = ('pass', 'fail', 'none', 'temperror')  # the verdict's statuses are DMARC results
UNSAFE = re.compile(r'[^A-Za-z0-9 .,:=@_+-]+')  # what the quoted reason may hold
DOMAIN = re.compile(r'[a-z0-9.-]{1,253}')
# those of the DKIM signature, absent ones included: none can be added
SIGNED = [name.encode() for name in SIGNED_HEADERS]


def results(status, details, from_domain):
    """The results (RFC 8601) of a post's inbound verdict: its DMARC result
    for the From domain, what was found as the reason; None without one."""
    if status not in RESULTS or not DOMAIN.fullmatch(from_domain or ''):
        return None
    reason = ' '.join(UNSAFE.sub('', details or '').split())
    return f'dmarc={status} reason="{reason}" header.from={from_domain}' if reason \
        else f'dmarc={status} header.from={from_domain}'


class Sealer:
    """Seals copies for one domain with its DKIM key."""

    def __init__(self, domain, selector, private_pem, authserv_id):
        self.domain = domain.encode()
        self.selector = selector.encode()
        # dkimpy reads PKCS#1 keys only
        self.key = serialization.load_pem_private_key(private_pem.encode(), None).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption())
        self.authserv_id = (authserv_id or domain).encode()

    def seal(self, data, verdict):
        """``data`` (bytes, CRLF) with an ARC set on top whose
        ARC-Authentication-Results say ``verdict`` (from :func:`results`);
        ``data`` unchanged when sealing fails: the copy leaves all the same."""
        # dkimpy reads the verdict from our Authentication-Results, left out of the copy
        ours = b'Authentication-Results: ' + self.authserv_id + b'; ' + verdict.encode('ascii') + b'\r\n'
        try:
            arc_set = dkim.arc_sign(ours + data, self.selector, self.domain, self.key, self.authserv_id,
                                    include_headers=SIGNED)
        except Exception:  # noqa: BLE001  # dkimpy or authres refusing: the copy goes unsealed
            _logger.warning('Mail group: ARC seal by %s failed, copy sent unsealed', self.domain, exc_info=True)
            return data
        return b''.join(arc_set) + data
