"""A real SMTP server on loopback for tests (`aiosmtpd`), and Django's SMTP backend pointed at it.

`smtp_server` yields (controller, recorder); `smtp_settings` also sets EMAIL_* so that Django
sends there. tests/conftest.py loads them for every test."""

import socket

import pytest
from aiosmtpd.controller import Controller


class Recorder:
    """An aiosmtpd handler that keeps what it receives, or refuses recipients with `refuse`."""

    def __init__(self):
        self.envelopes = []
        self.refuse = ""  # e.g. "550 5.1.1 no such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, recorder
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    controller, _ = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "Unibill <noreply@unibill.local>"
    return settings
