"""The cabinet's Celery tasks."""

from celery import shared_task

# --- notifications (C4) -------------------------------------------------------------------------


@shared_task(name="cabinet.send_due_reminders")
def send_due_reminders() -> int:
    """Daily: the "remind me on…" reminders due today (or missed on earlier days)."""
    from cabinet.services.notifications import reminders_send_due

    return reminders_send_due()


@shared_task(name="cabinet.notify_new_bills_and_payments")
def notify_new_bills_and_payments() -> int:
    """Every few minutes: new documents and booked payments, to the residents holding them."""
    from cabinet.services.notifications import notifications_send_new

    return notifications_send_new()
