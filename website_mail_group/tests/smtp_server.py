"""A real SMTP server (aiosmtpd) on 127.0.0.1 for end-to-end tests, able
to fail on purpose: refuse recipients (4xx/5xx), drop the connection, or
answer slowly; it counts the sessions open at once. It offers PIPELINING
unless ``handler.pipelining`` is set to False."""
import asyncio
import email
import email.policy
import socket

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class _Handler:
    pipelining = True  # offer PIPELINING (RFC 2920), as Postfix and most relays do

    def __init__(self):
        self.messages = []
        self.refuse = {}         # address -> SMTP reply for RCPT TO, e.g. '550 no such user'
        self.drop_after = None   # close the connection after accepting this many messages
        self.delay = 0           # seconds before answering each message, as a slow relay
        self.sessions = 0        # SMTP sessions open now
        self.max_sessions = 0    # the most ever open at once

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, '250-PIPELINING')
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            self.drop_after = None
            server.transport.close()
            return '421 closing connection'
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.SMTP)
        self.messages.append({'mail_from': envelope.mail_from, 'rcpt_tos': list(envelope.rcpt_tos), 'message': message,
                              'raw': envelope.original_content or envelope.content})
        return '250 Message accepted for delivery'

    async def handle_QUIT(self, server, session, envelope):
        # the session ends here for its client, before the server sees it closed
        server.end_session()
        return '221 Bye'


class _CountingSMTP(SMTP):
    def connection_made(self, transport):
        handler = self.event_handler
        handler.sessions += 1
        handler.max_sessions = max(handler.max_sessions, handler.sessions)
        self.counted = True
        result = super().connection_made(transport)
        return result

    def connection_lost(self, error):
        result = super().connection_lost(error)
        self.end_session()
        return result

    def end_session(self):
        if self.counted:
            self.counted = False
            self.event_handler.sessions -= 1


class _Controller(Controller):
    def factory(self):
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class SmtpSink:
    """``with SmtpSink() as sink: ... sink.messages``; ``sink.handler.refuse``
    and ``sink.handler.drop_after`` make it fail on purpose."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.handler = _Handler()
        self.controller = _Controller(self.handler, hostname='127.0.0.1', port=self.port)

    @property
    def messages(self):
        return self.handler.messages

    def recipients(self):
        return sorted(rcpt for item in self.messages for rcpt in item['rcpt_tos'])

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
