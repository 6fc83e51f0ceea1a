"""Celery tasks of messaging: thin wrappers over the sending service.

The task names keep the `debt_collection.` prefix they were registered under before messaging
was its own app: a name is what the broker stores, so retries already waiting in the queue (up
to 30 minutes ahead) still find their task after a deploy."""

from celery import shared_task

from messaging.services.sending import MAX_ATTEMPTS, message_send

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


@shared_task(name="debt_collection.send_messages")
def send_messages(message_ids: list[int]) -> int:
    """Fans a chunk of messages out to `send_message`, one task each. A dunning run queues
    100,000 messages in one commit; publishing a task per message there would hold the run for
    minutes, so it publishes one task per chunk and the workers fan out."""
    for message_id in message_ids:
        send_message.delay(message_id)
    return len(message_ids)
