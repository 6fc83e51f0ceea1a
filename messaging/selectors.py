"""Reads of messages for other apps' pages: an account's latest messages and the failed ones to
follow up (the operator's desk, `cabinet.desk`)."""

from django.db.models import QuerySet

from messaging.models import Message, MessageStatus
from warehouse.models import Account, Tenant


def failed_messages_count(tenant: Tenant) -> int:
    """Messages the provider could not deliver (the partial index of messaging 0002)."""
    return Message.objects.filter(tenant=tenant, status=MessageStatus.FAILED).count()


def account_messages_recent(account: Account, *, limit: int) -> QuerySet[Message]:
    """The account's latest `limit` messages, newest first (index `message_account_time`)."""
    return Message.objects.filter(account=account).order_by("-created_at", "-pk")[:limit]
