"""Celery tasks of debt collection: thin wrappers over the services. Sending the messages
dunning queues is messaging's (`messaging.tasks`)."""

from celery import shared_task

# --- dunning (H3) -------------------------------------------------------------------------------


@shared_task(name="debt_collection.run_dunning_all")
def run_dunning_all() -> int:
    """Hourly: runs the dunning procedure of each tenant whose local hour is
    settings.DUNNING_LOCAL_HOUR, for its local date (a run is idempotent for its date)."""
    from debt_collection.services.dunning.run import dunning_run_due

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
