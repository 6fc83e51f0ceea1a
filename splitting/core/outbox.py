"""The suppliers' real-time notifications. A payment's transaction writes one `SupplierEvent`
per supplier share (for suppliers with a webhook endpoint); after commit a Celery task delivers
it, signed, with retries and exponential backoff. Delivery never holds a lock across the call:
claim the event in a short transaction, call, then record the result in another."""

import json
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.money import format_minor
from integrations.webhooks import backoff_seconds, webhook_send
from splitting.models import DeliveryAttempt, OutboxStatus, Payment, SupplierEvent
from warehouse.models import Account, AuditEvent, Supplier
from warehouse.models.reference import webhook_secret_new

MAX_ATTEMPTS = 10
CLAIM_SECONDS = 120

# The event types a supplier's endpoint receives.
PAYMENT_BOOKED = "payment.booked"
ADVANCE_APPLIED = "advance.applied"
PAYMENT_REVERSED = "payment.reversed"
READING_ACCEPTED = "reading.accepted"  # a meter reading of the cabinet (no payment)
COUPON_REDEEMED = "coupon.redeemed"  # a corporate payer's coupon used at the supplier's office
# payout.sent, payout.confirmed, payout.returned: splitting.settlement


def supplier_events(
    *,
    payment: Payment,
    account: Account,
    rows,
    suppliers: dict[int, Supplier],
    event: str,
    at: datetime,
) -> list[SupplierEvent]:
    """Writes the events of one booking: per supplier, its share by period."""
    by_supplier: dict[int, list] = defaultdict(list)
    for row in rows:
        if suppliers[row.supplier_id].webhook_url:
            by_supplier[row.supplier_id].append(row)
    if not by_supplier:
        return []
    events = []
    for supplier_id, shares in sorted(by_supplier.items()):
        gross = sum(r.amount for r in shares)
        commission = sum(r.commission for r in shares)
        events.append(
            SupplierEvent(
                tenant_id=payment.tenant_id,
                supplier_id=supplier_id,
                payment_id=payment.pk,
                event=event,
                body={
                    "event": event,
                    "supplier": suppliers[supplier_id].code,
                    "transaction": shares[0].transaction_id,
                    "payment": {
                        "id": payment.pk,
                        "channel": payment.channel,
                        "external_id": payment.external_id,
                        "document_reference": payment.document_reference,
                        "booked_at": at.isoformat(),
                    },
                    "account_number": account.account_number,
                    "amount": format_minor(gross),
                    "commission": format_minor(commission),
                    "net": format_minor(gross - commission),
                    "periods": [
                        {"period": r.period, "amount": format_minor(r.amount)} for r in shares
                    ],
                },
                next_attempt_at=at,
                created_at=at,
            )
        )
    return SupplierEvent.objects.bulk_create(events)


def supplier_event_write(*, supplier: Supplier, event: str, body: dict, at: datetime):
    """Writes one event that is not about a payment (a meter reading), in the caller's
    transaction; None when the supplier has no endpoint. The caller enqueues it."""
    if not supplier.webhook_url:
        return None
    return SupplierEvent.objects.create(
        tenant_id=supplier.tenant_id,
        supplier=supplier,
        payment=None,
        event=event,
        body={"event": event, "supplier": supplier.code, **body},
        next_attempt_at=at,
        created_at=at,
    )


def events_enqueue(events: list[SupplierEvent]) -> None:
    """Hands the events to Celery once the transaction that wrote them commits."""
    if not events:
        return
    ids = [event.pk for event in events]

    def send():
        from splitting.tasks import deliver_supplier_event

        for pk in ids:
            deliver_supplier_event.delay(pk)

    transaction.on_commit(send)


def supplier_event_deliver(*, event_id: int) -> SupplierEvent | None:
    """One delivery attempt, if the event is still pending and nobody else holds it. Returns
    the event afterwards (None when there was nothing to do)."""
    now = timezone.now()
    with transaction.atomic():
        event = (
            SupplierEvent.objects.select_for_update(skip_locked=True)
            .select_related("supplier")
            .filter(pk=event_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if event is None:
            return None
        event.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
        event.save(update_fields=["next_attempt_at"])

    supplier = event.supplier
    result = webhook_send(
        supplier.webhook_url,
        signing_secrets(supplier, now),
        event_payload(event),
        event=event.event,
        timeout=settings.WEBHOOK_TIMEOUT,
    )
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            event=event,
            at=now,
            url=supplier.webhook_url,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
        )
        event.attempts += 1
        if result.ok:
            event.status, event.delivered_at = OutboxStatus.DELIVERED, timezone.now()
        elif event.attempts >= MAX_ATTEMPTS:
            event.status = OutboxStatus.FAILED
        else:
            event.next_attempt_at = timezone.now() + timedelta(
                seconds=backoff_seconds(event.attempts)
            )
        event.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    return event


def event_payload(event: SupplierEvent) -> bytes:
    """What the receiver gets: the event's own `id` (dedupe on it), its `sequence` (rising per
    supplier, with gaps), when it was written, and the body."""
    envelope = {
        **event.body,
        "id": str(event.public_id),
        "sequence": event.pk,
        "created_at": event.created_at.isoformat(),
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()


def signing_secrets(supplier: Supplier, now: datetime) -> list[str]:
    """The supplier's secret, and the one before it while the rotation's overlap lasts.
    Nothing else signs what leaves the system."""
    secrets = [supplier.webhook_secret]
    until = supplier.webhook_secret_previous_until
    if supplier.webhook_secret_previous and until and now < until:
        secrets.append(supplier.webhook_secret_previous)
    return secrets


def secret_rotate(*, supplier: Supplier, actor, overlap: timedelta = timedelta(hours=24)) -> str:
    """A new secret for the supplier's webhooks and download links, returned once (to be shown
    once); the old one still signs, beside it, for `overlap`."""
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        new = webhook_secret_new()
        supplier.webhook_secret_previous = supplier.webhook_secret
        supplier.webhook_secret_previous_until = timezone.now() + overlap
        supplier.webhook_secret = new
        supplier.save(
            update_fields=[
                "webhook_secret",
                "webhook_secret_previous",
                "webhook_secret_previous_until",
            ]
        )
        AuditEvent.objects.create(
            tenant_id=supplier.tenant_id,
            actor=actor,
            action="supplier.webhook_secret_rotated",
            detail={"supplier": supplier.code, "overlap_hours": overlap.total_seconds() / 3600},
        )
    return new


def supplier_event_resend(*, event: SupplierEvent, actor) -> SupplierEvent:
    """Staff send an event again, whatever happened to it before."""
    with transaction.atomic():
        event.status, event.next_attempt_at = OutboxStatus.PENDING, timezone.now()
        event.save(update_fields=["status", "next_attempt_at"])
        AuditEvent.objects.create(
            tenant_id=event.tenant_id,
            actor=actor,
            action="supplier_event.resent",
            detail={"event": event.pk, "supplier": event.supplier_id},
        )
        events_enqueue([event])
    return event


def events_due(limit: int = 500) -> list[int]:
    """Pending events whose next attempt is due: the sweep that catches what a lost task or a
    backoff left behind."""
    return list(
        SupplierEvent.objects.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
