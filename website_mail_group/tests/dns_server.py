"""A DNS server for the tests, on 127.0.0.1 (UDP): TXT records from a dict
(and MX records: values ``(preference, host)``), NXDOMAIN for every other
name, or no answer at all (``silent``).

``python3 dns_server.py`` serves no record on a free port and prints its
``127.0.0.1:<port>`` (scripts/test.sh starts one for the whole run, so no
test asks the machine's resolver)."""
import contextlib
import socket
import sys
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset


class DnsServer:
    def __init__(self, records=None, silent=False, port=0):
        self.records = {name.rstrip('.').lower(): values for name, values in (records or {}).items()}
        self.silent = silent
        self.queries = []
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(('127.0.0.1', port))
        self.socket.settimeout(0.2)
        self.address = '127.0.0.1:%d' % self.socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name='test-dns')

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(2)
        self.socket.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, client = self.socket.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            try:
                query = dns.message.from_wire(data)
            except Exception:  # noqa: BLE001 - not a DNS query
                continue
            self.queries.append(str(query.question[0].name) if query.question else '')
            if self.silent:
                continue
            self.socket.sendto(self.answer(query).to_wire(), client)

    def answer(self, query):
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        for question in query.question:
            name = question.name.to_text().rstrip('.').lower()
            if name not in self.records:
                response.set_rcode(dns.rcode.NXDOMAIN)
                continue
            values = self.records[name]
            if question.rdtype == dns.rdatatype.MX:
                values = [value for value in values if isinstance(value, tuple)]
                if values:
                    response.answer.append(dns.rrset.from_text_list(
                        question.name, 60, 'IN', 'MX', [f'{preference} {host}.' for preference, host in values]))
                continue
            values = [value for value in values if not isinstance(value, tuple)]
            if question.rdtype != dns.rdatatype.TXT or not values:
                continue
            rrset = dns.rrset.RRset(question.name, dns.rdataclass.IN, dns.rdatatype.TXT)
            for value in values:
                value = value.encode() if isinstance(value, str) else value
                chunks = [value[i:i + 255] for i in range(0, len(value), 255)] or [b'']
                rrset.add(dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, chunks), 60)
            response.answer.append(rrset)
        return response


@contextlib.contextmanager
def dead_dns(env, timeout=1):
    """A DNS server that never answers, asked by ``env``'s look-ups, which
    may take ``timeout`` seconds a mail."""
    with DnsServer(silent=True) as silent:
        params = env['ir.config_parameter'].sudo()
        params.set_param('website_mail_group.dns_nameservers', silent.address)
        params.set_param('website_mail_group.dns_timeout', str(timeout))
        yield silent


if __name__ == '__main__':
    server = DnsServer()
    print(server.address, flush=True)  # pylint: disable=print-used  # its address, for the shell script that started it
    sys.stdout.close()
    server._serve()
