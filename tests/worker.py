"""The real background worker and a real SMTP server, for tests that follow an e-mail.

``run_worker()`` runs ``manage.py db_worker --batch`` in this process: it takes every task that
is due from the test database, runs it, records the outcome on its row and returns when none is
left. Tests that use it need committed rows and real commits (``on_commit``): mark them
``pytest.mark.django_db(transaction=True, serialized_rollback=True)`` (the worker also closes
and reopens database connections, which a test wrapped in one transaction would not survive).

``smtp_server()`` starts aiosmtpd on 127.0.0.1 at a free port and yields it; each message
that arrives is in ``server.messages`` as an ``email.message.EmailMessage``.
"""

import contextlib
import email
import email.policy
import signal
import socket
import time

from aiosmtpd.controller import Controller
from django.core.management import call_command


def run_worker() -> None:
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker",
            batch=True,
            reload=False,
            startup_delay=False,
            interval=0,
            verbosity=0,
        )
    finally:
        # The worker installs its graceful-shutdown handlers; give pytest its own back.
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, controller: Controller, inbox: _Inbox):
        self.controller = controller
        self.host = controller.hostname
        self.port = controller.port
        self.messages = inbox.messages

    def settings(self) -> dict:
        """Django settings that send through this server with the SMTP backend."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@contextlib.contextmanager
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SMTPServer(controller, inbox)
    finally:
        controller.stop()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(text: str, marker: str) -> str:
    """The first URL in ``text`` containing ``marker``, as a path (the test server's host
    differs from the one the e-mail names)."""
    from urllib.parse import urlsplit

    for word in text.split():
        if marker in word:
            return urlsplit(word).path
    raise AssertionError(f"No link with {marker!r} in:\n{text}")
