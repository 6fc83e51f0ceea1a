"""Sending e-mail through Django's SMTP backend to a real SMTP server (`aiosmtpd`) on loopback:
the server receives the message; refusals fail it, an unreachable server is retried."""

import email
from email.policy import default as default_policy

import pytest

from messaging.models import MessageChannel, MessageStatus
from messaging.services.messages import message_queue
from messaging.services.sending import message_send
from messaging.tasks import send_message
from tests.factories import AccountFactory
from tests.smtp_server import free_port

pytestmark = pytest.mark.django_db

ADDRESS = "payer@example.com"
SUBJECT = "Your debt for December"
BODY = "Dear payer,\n\nyour debt is 1 234.56 RUB. Please pay by 10 January.\n"


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
