"""TXT look-ups for sender authentication: bounded in time for a whole
mail, cached for every mail, with the name servers the site chooses.

Plain Python (dnspython), no ORM. A time-out or a server failure raises
``DnsError``: the answer is unknown, never "no record"."""
import threading
import time

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

CACHE_SECONDS = 300    # answers, found or not
FAILURE_SECONDS = 30   # time-outs and server failures: a dead server stalls no mail after the first
CACHE_SIZE = 10000

_cache = {}
_lock = threading.Lock()


class DnsError(Exception):
    """The name servers did not answer in time, or failed."""


def parse_nameservers(text):
    """``host[:port]`` entries, comma-separated (``[v6]:port`` for IPv6),
    as dnspython name servers; invalid entries are skipped."""
    servers = []
    for entry in (text or '').split(','):
        entry = entry.strip()
        host, port = entry, 53
        if entry.startswith('['):
            host, __, rest = entry[1:].partition(']')
            port = rest[1:] if rest.startswith(':') else 53
        elif entry.count(':') == 1:
            host, port = entry.split(':')
        try:
            servers.append(dns.nameserver.Do53Nameserver(host, int(port)))
        except (ValueError, TypeError):
            continue
    return servers


def clear_cache():
    with _lock:
        _cache.clear()


class Lookup:
    """The look-ups of one mail: together at most ``budget`` seconds."""

    def __init__(self, nameservers='', budget=5.0):
        self.nameservers = (nameservers or '').strip()
        self.deadline = time.monotonic() + max(0.0, budget)
        self._resolver = None

    def _get_resolver(self):
        if self._resolver is None:
            if self.nameservers:
                resolver = dns.resolver.Resolver(configure=False)
                resolver.nameservers = parse_nameservers(self.nameservers)
                if not resolver.nameservers:
                    raise DnsError('no valid name server in %r' % self.nameservers)
            else:
                try:
                    resolver = dns.resolver.Resolver()
                except dns.exception.DNSException as error:
                    raise DnsError('no system resolver: %s' % error) from error
            resolver.cache = None
            self._resolver = resolver
        return self._resolver

    def txt(self, name):
        """The TXT records of ``name`` (each record's strings joined), as
        bytes; an empty list when the name or its records do not exist."""
        return self._records(name, dns.rdatatype.TXT)

    def mx(self, name):
        """The mail exchangers of ``name``, as ``[(preference, host)]``."""
        return self._records(name, dns.rdatatype.MX)

    def _records(self, name, rdtype):
        name = name.decode('ascii', 'replace') if isinstance(name, bytes) else name
        name = name.rstrip('.').lower() + '.'
        key = (self.nameservers, name, rdtype)
        now = time.monotonic()
        with _lock:
            cached = _cache.get(key)
        if cached and cached[0] > now:
            if isinstance(cached[1], DnsError):
                raise cached[1]
            return list(cached[1])
        try:
            records = self._query(name, rdtype, now)
        except DnsError as error:
            self._store(key, now + FAILURE_SECONDS, error)
            raise
        self._store(key, now + CACHE_SECONDS, tuple(records))
        return records

    def _query(self, name, rdtype, now):
        remaining = self.deadline - now
        if remaining <= 0:
            raise DnsError('time for look-ups spent before %s' % name)
        try:
            answer = self._get_resolver().resolve(
                name, rdtype, lifetime=remaining, raise_on_no_answer=False, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.Timeout as error:
            raise DnsError('time-out asking %s' % name) from error
        except dns.exception.DNSException as error:
            raise DnsError('%s asking %s' % (type(error).__name__, name)) from error
        if answer.rrset is None:
            return []
        if rdtype == dns.rdatatype.MX:
            return sorted((record.preference, record.exchange.to_text().rstrip('.').lower()) for record in answer.rrset)
        return [b''.join(record.strings) for record in answer.rrset]

    @staticmethod
    def _store(key, expiry, value):
        with _lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[key] = (expiry, value)
