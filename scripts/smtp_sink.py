#!/usr/bin/env python3
"""Local SMTP sink: catches every message sent to it, delivers nothing.

Each message is written unchanged as an .eml file into a folder (default
var/mail/), a line (time, envelope sender and recipients, subject, file) is
appended to <folder>/index.tsv and printed on stdout, and a small web page
(default http://127.0.0.1:8025/) lists the caught mail and shows each message.

    python3 scripts/smtp_sink.py [PORT] [--host 127.0.0.1] [--dir var/mail]
                                 [--http-port 8025 | --http-port 0]

Stops on SIGTERM or Ctrl-C.  From Python (tests, benchmarks)::

    from smtp_sink import start
    controller = start('127.0.0.1', 2525, '/tmp/mail')
    ...  # controller.handler.messages: list of CaughtMessage
    controller.stop()
"""
import argparse
import email
import email.policy
import html
import itertools
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote

from aiosmtpd.controller import Controller

INDEX = 'index.tsv'
_NAME_RE = re.compile(r'^[0-9]{8}-[0-9]{6}-[0-9]+\.eml$')


@dataclass
class CaughtMessage:
    path: str
    mail_from: str
    rcpt_tos: list
    subject: str
    content: bytes = field(repr=False)

    def message(self):
        return email.message_from_bytes(self.content, policy=email.policy.default)


def _subject(content):
    try:
        msg = email.message_from_bytes(content, policy=email.policy.default)
        return ' '.join(str(msg.get('Subject', '')).split())
    except Exception:  # noqa: BLE001 - a sink must never refuse a message
        return '?'


class SinkHandler:
    """aiosmtpd handler writing each message to ``folder``."""

    def __init__(self, folder, echo=True):
        self.folder = os.path.abspath(folder)
        os.makedirs(self.folder, exist_ok=True)
        self.echo = echo
        self.messages = []
        self._lock = threading.Lock()
        self._seq = itertools.count(1)

    def _new_path(self):
        stamp = time.strftime('%Y%m%d-%H%M%S')
        while True:
            path = os.path.join(self.folder, f'{stamp}-{next(self._seq):05d}.eml')
            try:
                return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode('utf-8', 'surrogateescape')
        subject = _subject(content)
        with self._lock:
            path, fd = self._new_path()
            with os.fdopen(fd, 'wb') as fh:
                fh.write(content)
            caught = CaughtMessage(path, envelope.mail_from or '', list(envelope.rcpt_tos), subject, content)
            self.messages.append(caught)
            fields = [time.strftime('%Y-%m-%d %H:%M:%S'), os.path.basename(path),
                      caught.mail_from, ', '.join(caught.rcpt_tos), subject]
            with open(os.path.join(self.folder, INDEX), 'a', encoding='utf-8') as index:
                index.write('\t'.join(f.replace('\t', ' ') for f in fields) + '\n')
        if self.echo:
            print(f'[smtp] from {caught.mail_from} to {", ".join(caught.rcpt_tos)}: '
                  f'"{subject}" -> {path}', flush=True)
        return '250 Message accepted for delivery'


def start(host='127.0.0.1', port=1025, folder='var/mail', echo=False):
    """Start the sink in a background thread and return the aiosmtpd controller
    (``controller.handler.messages`` lists what was caught; call ``stop()``)."""
    controller = Controller(SinkHandler(folder, echo=echo), hostname=host, port=port,
                            enable_SMTPUTF8=True, data_size_limit=64 * 1024 * 1024)
    controller.start()
    return controller


# ---------------------------------------------------------------- web viewer

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}}
pre{{background:#f6f6f6;padding:.8em;white-space:pre-wrap;word-break:break-word}}
iframe{{width:100%;height:32em;border:1px solid #ccc}}</style></head><body>{body}</body></html>"""


def _read_index(folder):
    rows = {}
    try:
        with open(os.path.join(folder, INDEX), encoding='utf-8') as index:
            for line in index:
                parts = line.rstrip('\n').split('\t')
                if len(parts) == 5:
                    rows[parts[1]] = parts
    except FileNotFoundError:
        pass
    return rows


def _viewer(folder):
    esc = html.escape

    class Viewer(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, ctype, body, extra=None):
            data = body.encode('utf-8') if isinstance(body, str) else body
            self.send_response(status)
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(data)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = unquote(self.path.split('?', 1)[0])
            if path == '/':
                return self._index()
            match = re.match(r'^/m/([^/]+)(/raw|/html)?$', path)
            if not match or not _NAME_RE.match(match.group(1)):
                return self._send(404, 'text/plain', 'not found')
            name, view = match.groups()
            try:
                with open(os.path.join(folder, name), 'rb') as fh:
                    content = fh.read()
            except FileNotFoundError:
                return self._send(404, 'text/plain', 'not found')
            if view == '/raw':
                return self._send(200, 'text/plain; charset=utf-8', content)
            msg = email.message_from_bytes(content, policy=email.policy.default)
            if view == '/html':
                part = msg.get_body(('html',))
                body = part.get_content() if part else '<p>(no HTML part)</p>'
                return self._send(200, 'text/html; charset=utf-8', body, {
                    'Content-Security-Policy': "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"})
            return self._message(name, msg)

        def _index(self):
            rows = _read_index(folder)
            names = sorted((n for n in os.listdir(folder) if _NAME_RE.match(n)), reverse=True)
            lines = []
            for name in names:
                when, _, mail_from, rcpt, subject = rows.get(name, ['', name, '', '', ''])
                lines.append(f'<tr><td>{esc(when)}</td><td>{esc(mail_from)}</td><td>{esc(rcpt)}</td>'
                             f'<td><a href="/m/{quote(name)}">{esc(subject or "(no subject)")}</a></td></tr>')
            body = (f'<h1>Caught mail ({len(names)})</h1><p>Folder: <code>{esc(folder)}</code>. '
                    'Newest first; nothing is delivered. Reload to refresh.</p>'
                    '<table><tr><th>Received</th><th>Envelope from</th><th>Envelope to</th><th>Subject</th></tr>'
                    + ''.join(lines) + '</table>')
            self._send(200, 'text/html; charset=utf-8', _PAGE.format(title='Caught mail', body=body))

        def _message(self, name, msg):
            headers = '\n'.join(f'{k}: {v}' for k, v in msg.items())
            text = msg.get_body(('plain',))
            attachments = [p.get_filename() or p.get_content_type() for p in msg.iter_attachments()]
            parts = [f'<p><a href="/">&larr; all mail</a> · <a href="/m/{quote(name)}/raw">raw</a></p>',
                     f'<h2>{esc(str(msg.get("Subject", "")))}</h2><pre>{esc(headers)}</pre>']
            if msg.get_body(('html',)) is not None:
                parts.append(f'<h3>HTML part</h3><iframe sandbox src="/m/{quote(name)}/html"></iframe>')
            if text is not None:
                parts.append(f'<h3>Text part</h3><pre>{esc(text.get_content())}</pre>')
            if attachments:
                parts.append('<h3>Attachments</h3><ul>' + ''.join(f'<li>{esc(a)}</li>' for a in attachments) + '</ul>')
            self._send(200, 'text/html; charset=utf-8', _PAGE.format(title=esc(name), body=''.join(parts)))

    return Viewer


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('port', nargs='?', type=int, default=1025, help='SMTP port (default 1025)')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--dir', default='var/mail', help='folder for the .eml files (default var/mail)')
    parser.add_argument('--http-port', type=int, default=8025,
                        help='port of the web page listing caught mail (default 8025, 0: none)')
    args = parser.parse_args(argv)

    controller = start(args.host, args.port, args.dir, echo=True)
    folder = controller.handler.folder
    httpd = None
    if args.http_port:
        httpd = ThreadingHTTPServer((args.host, args.http_port), _viewer(folder))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    view = f', shown on http://{args.host}:{args.http_port}/' if httpd else ''
    print(f'[smtp] catching mail on {args.host}:{args.port} into {folder}{view}', flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(3600):
        pass
    if httpd:
        httpd.shutdown()
    controller.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
