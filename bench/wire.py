"""The fast sink and the wire's limit for the sending benchmark.

Postfix's ``smtp-sink`` (C, from the postfix package that ``make setup``
installs) accepts every message at once; its running counters (``-c``) say
how many it got. The wire's limit is what one plain smtplib client pushes
through one session to that sink: prebuilt copies of the same size, one
recipient each, nothing built, signed or recorded per copy."""
import os
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time

PORTS = range(2612, 2631)


def free_port(ports=PORTS):
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise SystemExit(f'No free port in {ports.start}-{ports.stop - 1}')


class CSink:
    """Postfix's smtp-sink on 127.0.0.1; ``count`` is the messages it received."""

    def __init__(self):
        binary = shutil.which('smtp-sink') or '/usr/sbin/smtp-sink'
        if not os.path.exists(binary):
            raise SystemExit("bench: Postfix's smtp-sink is missing: run `make setup` (it installs postfix)")
        self.port = free_port()
        self.out = tempfile.NamedTemporaryFile(prefix='wmg-smtp-sink-', suffix='.log')
        user = ['-u', 'nobody'] if os.geteuid() == 0 else []
        self.process = subprocess.Popen([binary, '-c', *user, f'127.0.0.1:{self.port}', '256'],
                                        stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f'bench: smtp-sink did not listen on port {self.port}')

    def count(self):
        """Messages received so far (its counters, written at each "." and QUIT)."""
        with open(self.out.name, 'rb') as f:
            found = re.findall(rb'mesg=(\d+)', f.read())
        return int(found[-1]) if found else 0

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.out.close()


def copy_bytes(size):
    """A prebuilt copy of about ``size`` bytes: list headers, then text."""
    headers = (
        'From: Bench Poster <poster@bench-author.example.org>\r\n'
        'To: member@bench-members.example.net\r\n'
        'Subject: [Bench] Benchmark post\r\n'
        'Message-ID: <bench-wire@bench-author.example.org>\r\n'
        'Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n'
        'List-Id: "Bench" <bench.bench.example.com>\r\n'
        'List-Unsubscribe: <https://bench.example.com/group/1/unsubscribe_oneclick?member=1&token=0123456789abcdef>\r\n'
        'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n'
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n')
    line = 'The quick brown fox jumps over the lazy dog, then writes to the list again.\r\n'
    body = line * max(1, (size - len(headers)) // len(line))
    return (headers + body).encode()


def wire_limit(port, count, size):
    """Messages per second that smtplib pushes over one session to ``port``."""
    data = copy_bytes(size)
    smtp = smtplib.SMTP('127.0.0.1', port)
    smtp.ehlo()
    started = time.perf_counter()
    for index in range(count):
        smtp.sendmail('bounce+1-0123456789@bench.example.com', [f'member{index:06d}@bench-members.example.net'], data)
    elapsed = time.perf_counter() - started
    smtp.quit()
    return {'rate': count / elapsed, 'seconds': elapsed, 'count': count, 'bytes': len(data)}
