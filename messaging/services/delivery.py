"""Delivery statuses the SMS provider reports after a message was sent (Twilio's status
callback, `messaging.views.sms_status_callback`), recorded on the message."""

from django.db import transaction
from django.utils import timezone

from integrations.sms import status_from_provider
from messaging.models import Message, MessageChannel, MessageStatus

ERROR_LENGTH = Message._meta.get_field("error").max_length


def sms_status_record(
    *, provider_id: str, provider_status: str, error_code: str = "", at=None
) -> Message | None:
    """A delivery status reported by the SMS provider for its message `provider_id`.
    None when no SMS of ours has that id (the caller acknowledges and logs it).

    delivered → `delivered` (+ delivered_at); undelivered/failed → `failed` with the provider's
    error code; accepted/queued/sending/sent → `sent` (only from `queued`/`sending`). Callbacks
    arrive in any order, so a `delivered` message never moves back, and a `failed` one moves
    only to `delivered` (the handset has it after all)."""
    if not provider_id:
        return None
    ours = status_from_provider(provider_status)
    at = at or timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(channel=MessageChannel.SMS, provider_id=provider_id)
            .first()
        )
        if message is None:
            return None
        if ours is None or message.status == MessageStatus.DELIVERED:
            return message
        fields = []
        if ours == "delivered":
            message.status = MessageStatus.DELIVERED
            message.delivered_at = at
            message.error = ""
            fields = ["status", "delivered_at", "error"]
        elif ours == "failed" and message.status != MessageStatus.FAILED:
            message.status = MessageStatus.FAILED
            code = f" (error {error_code})" if error_code else ""
            message.error = f"provider reports {provider_status.lower()}{code}"[:ERROR_LENGTH]
            fields = ["status", "error"]
        elif ours == "sent" and message.status in (MessageStatus.QUEUED, MessageStatus.SENDING):
            message.status = MessageStatus.SENT
            fields = ["status"]
        if fields:
            message.save(update_fields=fields)
        return message
