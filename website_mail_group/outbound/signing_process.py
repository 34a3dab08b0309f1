"""DKIM signatures made in a process of their own while the copies before
them go out. In a thread of the sending process they hardly overlapped the
sending: the thread takes the GIL back after each of OpenSSL's calls, and
got it only when the sender blocked on the socket.

The process runs outbound/signing.py as a script, without Odoo: it reads
the key once, then each mail's bytes, and answers with its signature field,
in order. One process per key and sending process, kept between batches
(``acquire``, ``release``); it ends when its sender closes its input or
dies. If it fails, the mails waiting for it are signed in line."""
import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
import time

from . import signing

_logger = logging.getLogger(__name__)
IDLE_KEPT = 4  # idle signing processes kept by a sending process, all keys together
_idle = []
_lock = threading.Lock()


class SigningProcess:

    def __init__(self, signer):
        self.signer = signer
        self.key = key_of(signer)
        self.pid = os.getpid()
        self.sent = self.received = 0
        self.pending, self.answers = {}, {}  # by order of submission: mails sent, signatures read
        self.broken = False
        self.last_used = time.monotonic()
        self.process = subprocess.Popen([sys.executable, '-I', signing.__file__],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._write(json.dumps({'domain': signer.domain, 'selector': signer.selector,
                                'key': signer.private_pem}).encode())

    def submit(self, data):
        """Send ``data`` to be signed; return its number for ``signed``."""
        number, self.sent = self.sent, self.sent + 1
        self.pending[number] = data
        self._write(data)
        return number

    def signed(self, number):
        """The mail ``number`` with its signature on top."""
        while number not in self.answers and not self.broken and self.received < self.sent:
            try:
                self.answers[self.received] = signing.read_frame(self.process.stdout)
            except (OSError, EOFError, ValueError):
                self._fail('its answer could not be read')
                break
            self.received += 1
        data = self.pending.pop(number)
        header = self.answers.pop(number, None) or self.signer.header(data).encode()
        return header + b'\r\n' + data

    def drain(self):
        """Read the answers nobody asked for (copies built ahead, then left)."""
        while not self.broken and self.received < self.sent:
            try:
                signing.read_frame(self.process.stdout)
            except (OSError, EOFError, ValueError):
                self._fail('its answer could not be read')
            self.received += 1
        self.pending.clear()
        self.answers.clear()

    def usable(self):
        return self.pid == os.getpid() and not self.broken and self.process.poll() is None

    def close(self):
        if self.pid == os.getpid() and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def _write(self, payload):
        if self.broken:
            return
        try:
            signing.write_frame(self.process.stdin, payload)
        except (OSError, ValueError):
            self._fail('it took no more mail')

    def _fail(self, reason):
        _logger.warning('Mail group: DKIM signing process %s stopped (%s); its mails are signed in line',
                        self.process.pid, reason)
        self.broken = True
        self.process.kill()


def key_of(signer):
    return signer.domain, signer.selector, hashlib.sha256(signer.private_pem.encode()).hexdigest()


def acquire(signer):
    """A signing process for ``signer``'s key, idle or new; None when none
    can start (the caller signs in line)."""
    with _lock:
        for process in [process for process in _idle if process.key == key_of(signer)]:
            _idle.remove(process)
            if process.usable():
                return process
            process.close()
    try:
        return SigningProcess(signer)
    except OSError as exc:
        _logger.warning('Mail group: no DKIM signing process (%s); mails are signed in line', exc)
        return None


def release(process):
    """Keep ``process`` for the next batch, once it answered every mail."""
    process.drain()
    process.answers.clear()
    if not process.usable():
        process.close()
        return
    process.last_used = time.monotonic()
    with _lock:
        _idle.append(process)
        _idle.sort(key=lambda idle: idle.last_used)
        extra = _idle[:-IDLE_KEPT]
        del _idle[:-IDLE_KEPT]
    for idle in extra:
        idle.close()
