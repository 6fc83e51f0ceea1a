"""Queuing messages to debtors. Sending happens in Celery after commit
(`debt_collection.tasks.send_message`), so a rolled-back decision sends nothing."""

from functools import partial

from django.db import transaction

from debt_collection.models import Message, MessageChannel


def message_queue(
    *,
    account,
    channel: str,
    body: str,
    subject: str = "",
    recipient: str | None = None,
    case=None,
    source: str = "manual",
    actor=None,
) -> Message:
    if recipient is None:
        recipient = account.phone if channel == MessageChannel.SMS else account.email
    message = Message.objects.create(
        tenant_id=account.tenant_id,
        account=account,
        case=case,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        source=source,
        created_by=actor,
    )
    if channel != MessageChannel.LETTER:
        from debt_collection.tasks import send_message

        transaction.on_commit(partial(send_message.delay, message.pk))
    return message
