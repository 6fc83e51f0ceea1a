"""Queuing messages to an account. Sending happens in Celery after commit
(`messaging.tasks.send_message`), so a rolled-back decision sends nothing.

Every part of Unibill that writes to a payer goes through here — dunning, an agent on a case,
the cabinet's notifications and requests — so there is one outbox, one history per account and
one place where consent is honoured at send time. Why a message was sent is the caller's to
record (`source`; debt collection links it to a case with `CaseMessage`)."""

from functools import partial

from django.db import transaction

from messaging.models import Message, MessageChannel
from messaging.tasks import send_message


def message_queue(
    *,
    account,
    channel: str,
    body: str,
    subject: str = "",
    recipient: str | None = None,
    source: str = "manual",
    actor=None,
) -> Message:
    if recipient is None:
        recipient = account.phone if channel == MessageChannel.SMS else account.email
    message = Message.objects.create(
        tenant_id=account.tenant_id,
        account=account,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        source=source,
        created_by=actor,
    )
    if channel != MessageChannel.LETTER:
        transaction.on_commit(partial(send_message.delay, message.pk))
    return message
