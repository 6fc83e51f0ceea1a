"""Celery tasks: thin wrappers over the splitting services."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from splitting.core.outbox import events_due, supplier_event_deliver
from splitting.models import OutboxStatus
from splitting.settlement.registries import registries_build_due


@shared_task(name="splitting.deliver_supplier_event")
def deliver_supplier_event(event_id: int) -> str:
    """One attempt; a failed one schedules the next after its backoff. (Eager mode — the
    embedded demo — does not chain retries in-process: the periodic sweep picks them up.)"""
    event = supplier_event_deliver(event_id=event_id)
    if event is None:
        return "nothing to do"
    if event.status == OutboxStatus.PENDING and not settings.CELERY_TASK_ALWAYS_EAGER:
        wait = max(1, int((event.next_attempt_at - timezone.now()).total_seconds()))
        deliver_supplier_event.apply_async((event_id,), countdown=wait)
    return event.status


@shared_task(name="splitting.deliver_due_events")
def deliver_due_events() -> int:
    due = events_due()
    for event_id in due:
        deliver_supplier_event.delay(event_id)
    return len(due)


@shared_task(name="splitting.build_registries")
def build_registries() -> int:
    """Builds yesterday's registries of every tenant whose day has ended (tenant time zone)."""
    return len(registries_build_due())


@shared_task(name="splitting.expire_checkouts")
def expire_checkouts() -> int:
    from splitting.channels.checkouts import checkouts_expire

    return checkouts_expire()


@shared_task(name="splitting.reconcile_checkouts")
def reconcile_checkouts() -> dict[str, int]:
    """Asks the providers about the checkouts whose webhook has not come
    (`CHECKOUT_RECONCILE_AFTER_MINUTES`); how many ended with each outcome."""
    from splitting.channels.checkout_reconcile import checkouts_reconcile_stale

    return {str(outcome): count for outcome, count in checkouts_reconcile_stale().items()}


@shared_task(name="splitting.build_flow_files")
def build_flow_files() -> int:
    """The reporting flows' files of every stretch that has ended (tenant time zones)."""
    from splitting.settlement.flows import flows_build_due

    return len(flows_build_due())


@shared_task(name="splitting.deliver_flow_file")
def deliver_flow_file(delivery_id: int) -> str:
    from splitting.settlement.flows import flow_delivery_attempt

    delivery = flow_delivery_attempt(delivery_id=delivery_id)
    if delivery is None:
        return "nothing to do"
    if delivery.status == "pending" and not settings.CELERY_TASK_ALWAYS_EAGER:
        wait = max(1, int((delivery.next_attempt_at - timezone.now()).total_seconds()))
        deliver_flow_file.apply_async((delivery_id,), countdown=wait)
    return delivery.status


@shared_task(name="splitting.deliver_due_flow_files")
def deliver_due_flow_files() -> int:
    from splitting.settlement.flows import flow_deliveries_due

    due = flow_deliveries_due()
    for delivery_id in due:
        deliver_flow_file.delay(delivery_id)
    return len(due)
