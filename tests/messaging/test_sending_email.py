"""Sending e-mail through Django's SMTP backend to a real SMTP server (`aiosmtpd`) on loopback:
the server receives the message; refusals fail it, an unreachable server is retried."""

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from messaging.models import MessageChannel, MessageStatus
from messaging.services.messages import message_queue
from messaging.services.sending import message_send
from messaging.tasks import send_message
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

ADDRESS = "payer@example.com"
SUBJECT = "Your debt for December"
BODY = "Dear payer,\n\nyour debt is 1 234.56 RUB. Please pay by 10 January.\n"


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


@pytest.fixture
def account():
    return AccountFactory(email=ADDRESS, phone="+79161234567")


def queue_email(account):
    return message_queue(account=account, channel=MessageChannel.EMAIL, body=BODY, subject=SUBJECT)


def test_the_smtp_server_receives_the_message(smtp_settings, smtp_server, account):
    _, recorder = smtp_server
    message = queue_email(account)

    send_message.apply(args=(message.pk,))

    [envelope] = recorder.envelopes
    assert envelope.rcpt_tos == [ADDRESS]
    assert envelope.mail_from == "noreply@unibill.local"
    received = email.message_from_bytes(envelope.original_content, policy=default_policy)
    assert received["Subject"] == SUBJECT
    assert received["To"] == ADDRESS
    assert received.get_content().replace("\r\n", "\n") == BODY
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert message.attempts == 1


def test_sending_again_sends_nothing_more(smtp_settings, smtp_server, account):
    _, recorder = smtp_server
    message = queue_email(account)
    send_message.apply(args=(message.pk,))

    assert send_message.apply(args=(message.pk,)).get() == "skipped"

    assert len(recorder.envelopes) == 1


def test_a_refused_recipient_fails_the_message_without_retry(smtp_settings, smtp_server, account):
    _, recorder = smtp_server
    recorder.refuse = "550 5.1.1 <payer@example.com>: no such user"
    message = queue_email(account)

    send_message.apply(args=(message.pk,))

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert "550" in message.error
    assert recorder.envelopes == []


def test_a_temporary_refusal_is_retried(smtp_settings, smtp_server, account):
    _, recorder = smtp_server
    recorder.refuse = "451 4.3.0 try again later"
    message = queue_email(account)

    outcome = message_send(message_id=message.pk)

    assert outcome.retry
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)

    recorder.refuse = ""
    send_message.apply(args=(message.pk,))

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert len(recorder.envelopes) == 1


def test_an_unreachable_server_is_retried_then_given_up(smtp_settings, account):
    smtp_settings.EMAIL_PORT = free_port()  # nothing listens there
    message = queue_email(account)

    send_message.apply(args=(message.pk,))  # eager: all five attempts at once

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 5
    assert "unreachable" in message.error


def test_an_account_that_opted_out_gets_no_email(smtp_settings, smtp_server, account):
    _, recorder = smtp_server
    message = queue_email(account)
    account.email_consent = False
    account.save(update_fields=["email_consent"])

    send_message.apply(args=(message.pk,))

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "opted out" in message.error
    assert recorder.envelopes == []
