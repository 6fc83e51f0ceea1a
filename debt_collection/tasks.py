"""Celery tasks of debt collection: thin wrappers over the services."""

from celery import shared_task

from debt_collection.services.sending import MAX_ATTEMPTS, message_send

# --- sending messages -------------------------------------------------------------------------

# Seconds before the 2nd, 3rd, 4th and 5th attempt of a message the provider did not take.
SEND_RETRY_DELAYS = (30, 120, 600, 1800)


def send_retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th attempt failed."""
    return SEND_RETRY_DELAYS[min(attempts, len(SEND_RETRY_DELAYS)) - 1]


@shared_task(bind=True, name="debt_collection.send_message", max_retries=MAX_ATTEMPTS)
def send_message(self, message_id: int) -> str:
    """Sends one queued SMS or e-mail (queued by `message_queue`, run after its commit).

    A failure the provider certainly did not act on puts the message back to `queued` and the
    task retries with backoff; the attempt count lives on the message, which also decides when
    to give up (`message_send`). A replayed or duplicated task finds the message no longer
    `queued` and sends nothing.

    Run eagerly (the embedded demo, no broker), the attempts follow each other at once: Celery
    would re-raise `Retry` to whoever queued the message (`task_eager_propagates`), which is
    the request that committed it."""
    while True:
        outcome = message_send(message_id=message_id, max_attempts=MAX_ATTEMPTS)
        if not outcome.retry:
            return outcome.status
        if not self.request.is_eager:
            raise self.retry(countdown=send_retry_delay(outcome.attempts))


# --- dunning (H3) -------------------------------------------------------------------------------


@shared_task(name="debt_collection.send_messages")
def send_messages(message_ids: list[int]) -> int:
    """Fans a chunk of dunning messages out to `send_message`, one task each. A dunning run
    queues 100,000 messages in one commit; publishing a task per message there would hold the
    run for minutes, so it publishes one task per chunk and the workers fan out."""
    for message_id in message_ids:
        send_message.delay(message_id)
    return len(message_ids)


@shared_task(name="debt_collection.run_dunning_all")
def run_dunning_all() -> int:
    """Hourly: runs the dunning procedure of each tenant whose local hour is
    settings.DUNNING_LOCAL_HOUR, for its local date (a run is idempotent for its date)."""
    from debt_collection.services.dunning import dunning_run_due

    return len(dunning_run_due())


# --- promises and payment plans (H4) ------------------------------------------------------------


@shared_task(name="debt_collection.check_promises_and_plans")
def check_promises_and_plans() -> dict:
    """Daily: keeps or breaks the open promises to pay and the active payment plans."""
    from django.utils import timezone

    from debt_collection.services.plans import plans_check
    from debt_collection.services.promises import promises_check

    on = timezone.localdate()
    return {"promises": promises_check(on=on), "plans": plans_check(on=on)}
