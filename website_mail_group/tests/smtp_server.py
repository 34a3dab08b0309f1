"""A real SMTP server (aiosmtpd) on 127.0.0.1 for end-to-end tests."""
import email
import email.policy
import socket

from aiosmtpd.controller import Controller


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.SMTP)
        self.messages.append({
            'mail_from': envelope.mail_from,
            'rcpt_tos': list(envelope.rcpt_tos),
            'message': message,
        })
        return '250 Message accepted for delivery'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class SmtpSink:
    """Context manager: ``with SmtpSink() as sink: ... sink.messages``."""

    def __init__(self):
        self.port = free_port()
        self.handler = _Collector()
        self.controller = Controller(self.handler, hostname='127.0.0.1', port=self.port)

    @property
    def messages(self):
        return self.handler.messages

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
