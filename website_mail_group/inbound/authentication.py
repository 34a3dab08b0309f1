"""Who really sent a mail: the verdict on its From domain.

From the site's own MTA when ``authserv_id`` is set and the topmost
``Authentication-Results`` header (RFC 8601) carries exactly that id
(any other such header could have been written by anyone); otherwise
from the message itself: its DKIM signatures (dkimpy) and the DMARC record
of the From domain (RFC 7489: relaxed or strict alignment on the
organizational domain). SPF needs the connecting address, which only the
MTA knows. Plain Python, no ORM."""
import email
import email.policy
import re
from dataclasses import dataclass
from email.utils import getaddresses

import dkim
from publicsuffixlist import PublicSuffixList

from .dns_lookup import DnsError

PASS, FAIL, NONE, TEMPERROR = 'pass', 'fail', 'none', 'temperror'
MAX_SIGNATURES = 5
DETAILS_LENGTH = 250

_psl = PublicSuffixList()


@dataclass(frozen=True)
class Verdict:
    status: str   # PASS: an aligned DKIM (or the MTA's DMARC) pass; FAIL: the domain publishes
    details: str  # DMARC and the mail fails it; NONE: no DMARC and no aligned pass; TEMPERROR: DNS failed


def org_domain(domain):
    """The organizational domain: one label under the public suffix."""
    domain = domain.lower().rstrip('.')
    return _psl.privatesuffix(domain) or domain


def aligned(domain, from_domain, strict=False):
    domain, from_domain = domain.lower().rstrip('.'), from_domain.lower().rstrip('.')
    return domain == from_domain if strict else org_domain(domain) == org_domain(from_domain)


def from_domain(message):
    """The domain of the one From address, or '' (none, several, unreadable)."""
    values = message.get_all('From') or []
    if len(values) != 1:
        return ''
    addresses = [address for __, address in getaddresses([str(values[0])]) if address]
    if len(addresses) != 1 or '@' not in addresses[0]:
        return ''
    domain = addresses[0].rpartition('@')[2].strip().lower().rstrip('.')
    return domain if re.fullmatch(r'[a-z0-9.-]{1,253}', domain) and '.' in domain else ''


def verdict(raw, authserv_id='', lookup=None):
    """The ``Verdict`` on the raw bytes of a mail as received."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        domain = from_domain(message)
    except Exception:  # noqa: BLE001 - hostile mail: nothing proven
        return Verdict(FAIL, 'unreadable From')
    if not domain:
        return Verdict(FAIL, 'no single From domain')
    if authserv_id:
        found = mta_verdict(message, authserv_id, domain)
        if found:
            return found
    return own_verdict(raw, domain, lookup)


# -- the site's MTA -----------------------------------------------------------

def _results(header):
    """``(authserv-id, [(method, result, {property: value})])`` of an
    Authentication-Results value; comments removed."""
    text = ' '.join(str(header).split())
    for __ in range(5):
        text = re.sub(r'\([^()]*\)', ' ', text)
    parts = [part.strip() for part in text.split(';')]
    serv_id = parts[0].split(' ')[0].strip().lower() if parts else ''
    results = []
    for part in parts[1:]:
        match = re.match(r'([a-z0-9_-]+)\s*=\s*([a-z]+)(.*)$', part, re.IGNORECASE)
        if not match:
            continue
        props = dict((key.lower(), value.strip('"').lower()) for key, value in
                     re.findall(r'([a-z]+\.[a-z0-9_-]+)\s*=\s*("[^"]*"|\S+)', match.group(3), re.IGNORECASE))
        results.append((match.group(1).lower(), match.group(2).lower(), props))
    return serv_id, results


def mta_verdict(message, authserv_id, domain):
    """The verdict of the topmost Authentication-Results header when it is
    our MTA's, else None."""
    headers = message.get_all('Authentication-Results') or []
    if not headers:
        return None
    serv_id, results = _results(headers[0])
    if serv_id != authserv_id.strip().lower():
        return None
    seen = []
    for method, result, props in results:
        if method == 'dmarc' and props.get('header.from', domain) == domain:
            status = {'pass': PASS, 'fail': FAIL, 'temperror': TEMPERROR}.get(result, NONE)
            return Verdict(status, _details('%s: dmarc=%s' % (serv_id, result)))
        signer = props.get('header.d') or props.get('header.i', '').rpartition('@')[2]
        if method == 'dkim' and result == 'pass' and signer and aligned(signer, domain):
            seen.append('dkim=pass (%s)' % signer)
        if method == 'spf' and result == 'pass':
            mailfrom = props.get('smtp.mailfrom', '').rpartition('@')[2]
            if mailfrom and aligned(mailfrom, domain):
                seen.append('spf=pass (%s)' % mailfrom)
    if seen:
        return Verdict(PASS, _details('%s: %s' % (serv_id, ', '.join(seen))))
    return None


# -- the message itself -------------------------------------------------------

def dmarc_record(domain, lookup):
    """``{tag: value}`` of the DMARC record that applies to ``domain`` (its
    own, else its organizational domain's, then marked ``org``), or None.
    Raises DnsError."""
    names = [domain] + ([org_domain(domain)] if org_domain(domain) != domain else [])
    for name in names:
        records = [record for record in lookup.txt('_dmarc.' + name) if record.startswith(b'v=DMARC1')]
        if len(records) == 1:
            tags = {'org': name != domain}
            for item in records[0].decode('ascii', 'replace').split(';'):
                key, __, value = item.partition('=')
                tags[key.strip().lower()] = value.strip().lower()
            return tags
    return None


def dmarc_policy(domain, lookup):
    """The policy receivers apply to mail from ``domain`` failing DMARC
    (``none``, ``quarantine``, ``reject``), or None without DMARC: the
    organizational domain's ``sp=`` for its subdomains. Raises DnsError."""
    tags = dmarc_record(domain.lower().rstrip('.'), lookup)
    if tags is None:
        return None
    return (tags.get('sp') if tags['org'] else None) or tags.get('p') or 'none'


def dkim_passes(raw, lookup):
    """``(signing domains that verify, signatures, whether a key look-up failed)``.
    A signature limited to the start of the body (``l=``) proves nothing
    of what follows: it does not count."""
    failed_lookup = []

    def dnsfunc(name, timeout=5):
        try:
            records = lookup.txt(name)
        except DnsError:
            failed_lookup.append(name)
            return None
        return records[0] if records else None

    try:
        signer = dkim.DKIM(raw)
        count = sum(1 for name, __ in signer.headers if name.lower() == b'dkim-signature')
    except Exception:  # noqa: BLE001 - hostile mail
        return [], 0, False
    domains = []
    for index in range(min(count, MAX_SIGNATURES)):
        try:
            if signer.verify(idx=index, dnsfunc=dnsfunc) and b'l' not in signer.signature_fields:
                domains.append(signer.domain.decode('ascii', 'replace').lower())
        except Exception:  # noqa: BLE001 - dkimpy raises on malformed signatures and keys
            continue
    return domains, count, bool(failed_lookup)


def own_verdict(raw, domain, lookup):
    try:
        policy = dmarc_record(domain, lookup)
    except DnsError as error:
        return Verdict(TEMPERROR, _details('DMARC of %s: %s' % (domain, error)))
    strict = bool(policy) and policy.get('adkim') == 's'
    signers, count, failed_lookup = dkim_passes(raw, lookup)
    passing = [signer for signer in signers if aligned(signer, domain, strict)]
    published = 'DMARC p=%s' % policy.get('p', '?') if policy is not None else 'no DMARC'
    if passing:
        return Verdict(PASS, _details('%s: dkim=pass (%s), %s' % (domain, passing[0], published)))
    found = 'dkim=pass (%s) not aligned' % ', '.join(signers) if signers \
        else 'DKIM signature not verified' if count else 'no DKIM signature'
    if failed_lookup:
        return Verdict(TEMPERROR, _details('%s: %s, DKIM key look-up failed, %s' % (domain, found, published)))
    if policy is None:
        return Verdict(NONE, _details('%s: %s, %s' % (domain, found, published)))
    return Verdict(FAIL, _details('%s: %s, %s' % (domain, found, published)))


def _details(text):
    return text if len(text) <= DETAILS_LENGTH else text[:DETAILS_LENGTH - 1] + '…'
