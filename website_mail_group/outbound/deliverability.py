"""What a domain publishes in DNS for its mail to be accepted by the large
mailbox providers: the DKIM record of our key, SPF, DMARC, MX. Plain Python:
each check says ok, missing or unknown (DNS failed), what was found and the
record to publish. It never blocks sending."""
from dataclasses import dataclass

from ..inbound import authentication
from ..inbound.dns_lookup import DnsError
from . import signing

OK, MISSING, UNKNOWN = 'ok', 'missing', 'unknown'


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    found: str
    publish: str  # the record to publish when missing


def _txt(lookup, name, prefix):
    return [record.decode('ascii', 'replace') for record in lookup.txt(name) if record.startswith(prefix)]


def check(domain, lookup, notes, selector=None, private_pem=None):
    """The ``Check`` of DKIM, SPF, DMARC and MX for ``domain``. ``notes``:
    the caller's (translated) words for ``no_record``, ``other_key``,
    ``several``, ``no_key`` and ``org_domain``."""
    checks = []

    def run(name, probe, publish):
        try:
            status, found = probe()
        except DnsError as error:
            status, found = UNKNOWN, str(error)
        checks.append(Check(name, status, found, publish if status != OK else ''))

    if private_pem and selector:
        key = signing.public_key(private_pem)

        def dkim():
            records = _txt(lookup, f'{selector}._domainkey.{domain}', b'v=DKIM1')
            matches = [record for record in records if key in record.replace(' ', '')]
            return (OK, f'{selector}._domainkey.{domain}') if matches else (
                MISSING, notes['other_key'] if records else notes['no_record'])
        run('DKIM', dkim, signing.dns_record(selector, domain, private_pem))
    else:
        checks.append(Check('DKIM', MISSING, notes['no_key'], ''))

    def spf():
        records = _txt(lookup, domain, b'v=spf1')
        return (OK, records[0]) if len(records) == 1 else (MISSING, notes['several'] if records else notes['no_record'])
    run('SPF', spf, f'{domain} TXT "v=spf1 mx -all"')

    def dmarc():
        tags = authentication.dmarc_record(domain, lookup)
        if tags is None:
            return MISSING, notes['no_record']
        return OK, 'p=%s%s' % (tags.get('p', '?'), ' (%s)' % notes['org_domain'] if tags['org'] else '')
    run('DMARC', dmarc, f'_dmarc.{domain} TXT "v=DMARC1; p=none; rua=mailto:postmaster@{domain}"')

    def mx():
        hosts = lookup.mx(domain)
        return (OK, ', '.join(host for __, host in hosts)) if hosts else (MISSING, notes['no_record'])
    run('MX', mx, f'{domain} MX 10 <your mail server>')
    return checks
