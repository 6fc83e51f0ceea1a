"""Sending SMS: the real `twilio` client against a local double of Twilio's API on loopback,
the retries of the Celery task, never twice, consent at send time, the console default, and
nothing sent before the queuing transaction commits."""

import io

import pytest
from celery.exceptions import Retry
from django.db import transaction

from integrations.sms import SmsError
from integrations.sms.console import ConsoleSms
from integrations.sms.twilio import TwilioSms
from messaging.models import Message, MessageChannel, MessageStatus
from messaging.services.messages import message_queue
from messaging.services.sending import message_send, sms_backend
from messaging.tasks import send_message, send_retry_delay
from tests.factories import AccountFactory

pytest_plugins = ["tests.messaging.twilio_double"]
pytestmark = pytest.mark.django_db

PHONE = "+79161234567"
SENDER = "+15005550006"
TEXT = "Your debt for December is 1 234.56 RUB. Please pay by 10 January."


@pytest.fixture
def account():
    return AccountFactory(phone=PHONE, email="payer@example.com")


def queue_sms(account, body=TEXT) -> Message:
    return message_queue(account=account, channel=MessageChannel.SMS, body=body)


def test_sms_reaches_twilio_with_number_sender_and_text(twilio_settings, twilio_double, account):
    message = queue_sms(account)

    send_message.apply(args=(message.pk,))

    [request] = twilio_double.sends
    assert request.authorized
    assert request.path == f"/2010-04-01/Accounts/{twilio_double.account_sid}/Messages.json"
    assert request.params["To"] == PHONE
    assert request.params["From"] == twilio_settings.TWILIO_FROM
    assert request.params["Body"] == TEXT
    assert request.params["StatusCallback"] == "https://unibill.example/api/v1/sms/status"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_id in twilio_double.messages
    assert message.provider_id.startswith("SM")
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.error == ""


def test_a_500_is_retried_and_the_message_sent_once(twilio_settings, twilio_double, account):
    message = queue_sms(account)
    twilio_double.fail_next(1)

    result = send_message.apply(args=(message.pk,))  # eager: the retry runs at once

    assert result.get() == MessageStatus.SENT
    assert len(twilio_double.sends) == 2
    assert len(twilio_double.messages) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.provider_id in twilio_double.messages


@pytest.fixture
def on_a_worker():
    """Runs the task as a worker does (not eagerly); what it queues goes to the broker."""
    app = send_message._get_app()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False

    def run(message_id: int):
        send_message.push_request(
            id="worker-task",
            args=[message_id],
            kwargs={},
            retries=0,
            is_eager=False,
            called_directly=False,
        )
        try:
            return send_message.run(message_id)
        finally:
            send_message.pop_request()

    yield run
    app.conf.task_always_eager = eager


def test_on_a_worker_a_failed_attempt_schedules_a_retry_30_seconds_later(
    twilio_settings, twilio_double, account, on_a_worker
):
    message = queue_sms(account)
    twilio_double.fail_next(1)

    with pytest.raises(Retry) as retry:
        on_a_worker(message.pk)

    assert retry.value.when == 30
    assert tuple(retry.value.sig.args) == (message.pk,)
    assert len(twilio_double.sends) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)


def test_the_backoff_grows_with_each_attempt():
    assert [send_retry_delay(n) for n in (1, 2, 3, 4)] == [30, 120, 600, 1800]


def test_the_first_failed_attempt_puts_the_message_back_in_the_queue(
    twilio_settings, twilio_double, account
):
    message = queue_sms(account)
    twilio_double.fail_next(1)

    outcome = message_send(message_id=message.pk)

    assert outcome.retry
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert "will retry" in message.error
    assert "500" in message.error


def test_five_failed_attempts_give_up_without_raising(twilio_settings, twilio_double, account):
    message = queue_sms(account)
    twilio_double.fail_next(10)

    result = send_message.apply(args=(message.pk,))

    assert result.get() == MessageStatus.FAILED
    assert len(twilio_double.sends) == 5
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 5
    assert message.error.startswith("gave up after 5 attempts")


def test_an_invalid_number_fails_at_once_and_is_not_retried(
    twilio_settings, twilio_double, account
):
    message = queue_sms(account)
    twilio_double.refuse_next(1)

    result = send_message.apply(args=(message.pk,))

    assert result.get() == MessageStatus.FAILED
    assert len(twilio_double.sends) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "21211" in message.error
    assert message.attempts == 1


def test_running_the_task_again_for_a_sent_message_sends_nothing(
    twilio_settings, twilio_double, account
):
    message = queue_sms(account)
    send_message.apply(args=(message.pk,))
    message.refresh_from_db()
    sid = message.provider_id

    assert send_message.apply(args=(message.pk,)).get() == "skipped"
    assert send_message.apply(args=(message.pk,)).get() == "skipped"

    assert len(twilio_double.sends) == 1
    message.refresh_from_db()
    assert (message.status, message.provider_id, message.attempts) == (
        MessageStatus.SENT,
        sid,
        1,
    )


def test_a_message_caught_mid_send_is_not_sent_again(twilio_settings, twilio_double, account):
    """`sending`: another worker is calling Twilio, or died doing so — either way not again."""
    message = queue_sms(account)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING, attempts=1)

    assert message_send(message_id=message.pk).status == "skipped"

    assert twilio_double.sends == []
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING


def test_an_account_that_opted_out_gets_no_sms(twilio_settings, twilio_double, account):
    message = queue_sms(account)
    account.sms_consent = False
    account.save(update_fields=["sms_consent"])

    send_message.apply(args=(message.pk,))

    assert twilio_double.sends == []
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "opted out" in message.error


def test_an_account_without_a_phone_number_gets_no_sms(twilio_settings, twilio_double):
    message = queue_sms(AccountFactory(phone=""))

    send_message.apply(args=(message.pk,))

    assert twilio_double.sends == []
    message.refresh_from_db()
    assert (message.status, message.error) == (MessageStatus.FAILED, "no phone number")


def test_letters_are_not_sent_by_the_task(twilio_settings, twilio_double, account):
    message = message_queue(
        account=account, channel=MessageChannel.LETTER, body=TEXT, recipient="Moscow"
    )

    assert send_message.apply(args=(message.pk,)).get() == "skipped"

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert twilio_double.sends == []


def test_without_twilio_settings_sms_go_to_the_console(settings, account, capsys):
    settings.SMS_BACKEND = "console"
    assert isinstance(sms_backend(), ConsoleSms)
    message = queue_sms(account)

    send_message.apply(args=(message.pk,))

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_id.startswith("console-")
    assert PHONE in capsys.readouterr().out


# -- after commit -----------------------------------------------------------------------------


def test_nothing_is_sent_before_the_queuing_transaction_commits(
    twilio_settings, twilio_double, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = queue_sms(account)

    assert len(callbacks) == 1
    assert twilio_double.sends == []
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED

    callbacks[0]()  # the commit

    assert len(twilio_double.sends) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_rolled_back_decision_sends_nothing(
    twilio_settings, twilio_double, account, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_sms(account)
        raise RuntimeError("the dunning run failed after queuing")

    assert callbacks == []
    assert twilio_double.sends == []
    assert not Message.objects.exists()


# -- the adapter on its own -------------------------------------------------------------------


def test_wrong_credentials_are_refused_and_not_retryable(twilio_double):
    sms = TwilioSms(twilio_double.account_sid, "not-the-token", SENDER, api_url=twilio_double.url)

    with pytest.raises(SmsError) as refused:
        sms.send(to=PHONE, body=TEXT)

    assert not refused.value.retryable
    assert [r.authorized for r in twilio_double.requests] == [False]


def test_an_unreachable_twilio_is_retryable(twilio_double):
    url = twilio_double.url
    twilio_double.__exit__(None, None, None)  # nothing listens there any more
    sms = TwilioSms(twilio_double.account_sid, "token", SENDER, api_url=url, timeout=5)

    with pytest.raises(SmsError) as unreachable:
        sms.send(to=PHONE, body=TEXT)

    assert unreachable.value.retryable


def test_console_backend_prints_the_message():
    stream = io.StringIO()

    result = ConsoleSms(stream).send(to=PHONE, body=TEXT)

    assert result.status == "sent"
    assert result.provider_id.startswith("console-")
    assert PHONE in stream.getvalue()
    assert TEXT in stream.getvalue()
