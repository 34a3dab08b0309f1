"""DKIM signatures (RFC 6376: rsa-sha256, relaxed/relaxed) of the bytes of
a mail as it leaves, by the list's own domain.

Written here rather than with dkimpy's signer, whose pure-Python RSA takes
about 7 ms a signature (against 0.6 ms with OpenSSL through cryptography,
0.3 ms with the system's OpenSSL, ``SystemRsa``): signing every copy would
cut the sending rate by four. The tests verify
every signature with dkimpy. Plain Python, no ORM: run as a script, it is
the signing process of outbound/signing_process.py."""
import base64
import ctypes
import ctypes.util
import hashlib
import json
import re
import struct
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# signed when present, in this order; From once more than present, so that
# no From can be added above it (over-signing)
SIGNED_HEADERS = (
    'from', 'to', 'cc', 'subject', 'date', 'message-id', 'reply-to', 'in-reply-to', 'references',
    'mime-version', 'content-type', 'content-transfer-encoding', 'list-id', 'list-post', 'list-archive',
    'list-subscribe', 'list-unsubscribe', 'list-unsubscribe-post', 'list-help', 'archived-at', 'precedence',
)
WSP = re.compile(rb'[ \t]+')
SPACES = re.compile(rb'  +')  # (tabs made spaces first: 7 times faster than WSP on a 5 KB body)
KEY_BITS = 2048
FRAME = struct.Struct('>I')  # the length of each message between the sender and its signing process


def generate_key():
    """``(private key PEM, public key for the DNS record)``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return private, public_key(private)


def public_key(private_pem):
    """The ``p=`` value of the DNS record of a private key."""
    key = serialization.load_pem_private_key(private_pem.encode(), None)
    return base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


def dns_record(selector, domain, private_pem):
    """The TXT record to publish, on one line."""
    return f'{selector}._domainkey.{domain} TXT "v=DKIM1; k=rsa; p={public_key(private_pem)}"'


def _split(data):
    """``(header lines as [(name, raw field)], body)``; CRLF line ends."""
    head, sep, body = data.partition(b'\r\n\r\n')
    if not sep:
        head, body = data, b''
    fields = []
    for line in head.split(b'\r\n'):
        if line[:1] in (b' ', b'\t') and fields:
            fields[-1][1] += b'\r\n' + line
        elif b':' in line:
            fields.append([line.split(b':', 1)[0].strip().lower().decode('ascii', 'replace'), line])
    return fields, body


def relaxed_header(field):
    name, __, value = field.partition(b':')
    value = WSP.sub(b' ', value.replace(b'\r\n', b'')).strip()
    return name.strip().lower() + b':' + value


def relaxed_body(body):
    """RFC 6376 3.4.4, on the whole body at once: runs of spaces and tabs
    made one space, none at a line's end, no empty lines at the end."""
    body = SPACES.sub(b' ', body.replace(b'\t', b' ')).replace(b' \r\n', b'\r\n')
    while body.endswith((b' ', b'\r\n')):
        body = body[:-1] if body.endswith(b' ') else body[:-2]
    return body + b'\r\n' if body else b''


class Signer:
    """Signs mails for one domain with one key."""

    def __init__(self, domain, selector, private_pem, system_openssl=False):
        self.domain = domain
        self.selector = selector
        self.private_pem = private_pem
        self.key = serialization.load_pem_private_key(private_pem.encode(), None)
        self.rsa = (system_openssl and SystemRsa.load(private_pem)) or (
            lambda data: self.key.sign(data, padding.PKCS1v15(), hashes.SHA256()))

    def header(self, data, folded=True):
        """The ``DKIM-Signature`` field of ``data`` (no final CRLF), folded
        at its spaces, or its value on one line."""
        fields, body = _split(data)
        body_hash = base64.b64encode(hashlib.sha256(relaxed_body(body)).digest()).decode()
        present = {name for name, __ in fields}
        names = [name for name in SIGNED_HEADERS if name in present] + ['from']
        # each listed name takes the next instance from the bottom (RFC 6376 5.4.2)
        remaining = {}
        for name, field in fields:
            remaining.setdefault(name, []).append(field)
        signed = b''
        for name in names:
            if remaining.get(name):
                signed += relaxed_header(remaining[name].pop()) + b'\r\n'
        tags = (f'v=1; a=rsa-sha256; c=relaxed/relaxed; d={self.domain}; s={self.selector}; '
                f't={int(time.time())}; h={": ".join(names)}; bh={body_hash}; b=')
        signed += relaxed_header(f'DKIM-Signature: {tags}'.encode())
        signature = base64.b64encode(self.rsa(signed)).decode()
        # spaces only after "; " and ": " and in b= (where any space is
        # ignored): a line break at them leaves the relaxed canonicalization
        # of the receiver the same text; no word is too long to fold
        chunks = [signature[i:i + 72] for i in range(0, len(signature), 72)]
        if not folded:
            return tags + ' '.join(chunks)
        return 'DKIM-Signature: ' + tags.replace('; ', ';\r\n\t') + '\r\n\t'.join(chunks)

    def sign(self, data):
        """``data`` with its signature on top."""
        return self.header(data).encode() + b'\r\n' + data


class SystemRsa:
    """rsa-sha256 (PKCS #1 v1.5) signatures by the system's OpenSSL through
    ctypes: 0.28 ms for a 2048-bit key here, where the OpenSSL 1.1.1 that
    Odoo's pinned ``cryptography`` 3.4.8 bundles takes 0.57 ms (the same
    bytes). Used by the signing process only: a fault there ends that
    process, whose mails are then signed in line (signing_process.py)."""

    def __init__(self, lib, pkey):
        self.lib, self.pkey = lib, pkey
        self.md = lib.EVP_sha256()
        self.buffer = ctypes.create_string_buffer(2048)  # keys up to 16384 bits

    @classmethod
    def load(cls, private_pem):
        """A signing function for the key, or None without a usable libcrypto."""
        name = ctypes.util.find_library('crypto')
        try:
            lib = ctypes.CDLL(name) if name else None
            if lib is None:
                return None
            pointer = ctypes.c_void_p
            for function, restype, argtypes in (
                    ('BIO_new_mem_buf', pointer, [ctypes.c_char_p, ctypes.c_int]),
                    ('BIO_free', ctypes.c_int, [pointer]),
                    ('PEM_read_bio_PrivateKey', pointer, [pointer, pointer, pointer, pointer]),
                    ('EVP_sha256', pointer, []),
                    ('EVP_MD_CTX_new', pointer, []),
                    ('EVP_MD_CTX_free', None, [pointer]),
                    ('EVP_DigestSignInit', ctypes.c_int, [pointer, pointer, pointer, pointer, pointer]),
                    ('EVP_DigestSign', ctypes.c_int, [pointer, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t),
                                                      ctypes.c_char_p, ctypes.c_size_t])):
                getattr(lib, function).restype, getattr(lib, function).argtypes = restype, argtypes
        except (OSError, AttributeError):
            return None
        pem = private_pem.encode()
        bio = lib.BIO_new_mem_buf(pem, len(pem))
        pkey = lib.PEM_read_bio_PrivateKey(bio, None, None, None) if bio else None
        if bio:
            lib.BIO_free(bio)
        return cls(lib, pkey) if pkey else None

    def __call__(self, data):
        lib = self.lib
        context = lib.EVP_MD_CTX_new()
        if not context:
            raise MemoryError('EVP_MD_CTX_new')
        try:
            size = ctypes.c_size_t(len(self.buffer))
            if lib.EVP_DigestSignInit(context, None, self.md, None, self.pkey) != 1 or \
                    lib.EVP_DigestSign(context, self.buffer, ctypes.byref(size), data, len(data)) != 1:
                raise ValueError('OpenSSL could not sign')
            return self.buffer.raw[:size.value]
        finally:
            lib.EVP_MD_CTX_free(context)


def write_frame(stream, payload):
    stream.write(FRAME.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def read_frame(stream):
    """The next frame's bytes; EOFError when the stream ends."""
    size = stream.read(FRAME.size)
    if len(size) < FRAME.size:
        raise EOFError
    payload = stream.read(FRAME.unpack(size)[0])
    if len(payload) < FRAME.unpack(size)[0]:
        raise EOFError
    return payload


def serve(stdin, stdout):
    """The signing process: the key first, then mails, each answered with
    its ``DKIM-Signature`` field, in order, until ``stdin`` ends."""
    config = json.loads(read_frame(stdin))
    signer = Signer(config['domain'], config['selector'], config['key'], system_openssl=True)
    while True:
        try:
            data = read_frame(stdin)
        except EOFError:
            return
        write_frame(stdout, signer.header(data).encode())


if __name__ == '__main__':
    serve(sys.stdin.buffer, sys.stdout.buffer)
