"""Never twice, under real concurrency: the same message's task run by several workers at once
(a duplicated delivery, a replay) reaches Twilio once. PostgreSQL: the claim's row lock."""

import threading

import pytest
from django.db import connection

from messaging.models import Message, MessageChannel, MessageStatus
from messaging.services.sending import message_send
from tests.factories import AccountFactory

pytest_plugins = ["tests.messaging.twilio_double"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 6


def test_concurrent_runs_of_one_message_send_it_once(postgres, twilio_settings, twilio_double):
    account = AccountFactory(phone="+79161234567")
    # Written as `message_queue` writes it, without the after-commit send (autocommit here).
    message = Message.objects.create(
        tenant=account.tenant,
        account=account,
        channel=MessageChannel.SMS,
        recipient=account.phone,
        body="Please pay.",
    )
    start = threading.Barrier(WORKERS)
    outcomes, errors = [], []

    def worker():
        try:
            start.wait(timeout=30)
            outcomes.append(message_send(message_id=message.pk).status)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == ["sent"] + ["skipped"] * (WORKERS - 1)
    assert len(twilio_double.sends) == 1
    message = Message.objects.get(pk=message.pk)
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert message.provider_id in twilio_double.messages
