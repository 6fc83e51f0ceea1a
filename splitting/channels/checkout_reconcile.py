"""Checkouts that always end: when a provider's webhook is lost, the provider is asked where
the checkout stands (`Provider.status`), and its answer is acted on through the same path as
the webhook (`provider_event_apply`), so a webhook that arrives later, or twice, books nothing
new — the payment is idempotent by the provider's payment id.

Asked from three places: the page the payer comes back to (`/pay/return/<uid>/`), the staff
page of stuck checkouts ("Ask the provider"), and beat every few minutes for every checkout still
open `settings.CHECKOUT_RECONCILE_AFTER_MINUTES` after it started
(`checkouts_reconcile_stale`). Never a transaction or a lock around the call to the provider;
what it answered is recorded on the checkout afterwards (`checked_at`, `check_outcome`,
`check_detail`, `check_count`)."""

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from core.errors import ApplicationError
from integrations.providers import ProviderError
from splitting.channels.checkouts import provider_event_apply
from splitting.channels.providers import provider_config
from splitting.models import Checkout, CheckoutStatus
from splitting.models.channels import CheckOutcome

log = logging.getLogger(__name__)

SETTLED = {CheckoutStatus.SUCCEEDED: CheckOutcome.PAID, CheckoutStatus.FAILED: CheckOutcome.FAILED}


def reconcile_after() -> timedelta:
    """How long a checkout may wait for its webhook before the provider is asked."""
    return timedelta(minutes=getattr(settings, "CHECKOUT_RECONCILE_AFTER_MINUTES", 5))


def checkout_reconcile(checkout: Checkout) -> CheckOutcome:
    """Asks the checkout's provider where it stands and acts on the answer: paid → the payment
    is booked (or found booked) and the checkout succeeds; failed → the checkout fails; still
    open → nothing changes. A checkout already decided is not asked again. The answer is
    recorded on the checkout; a provider's error is recorded and returned, never raised."""
    checkout.refresh_from_db(fields=["status", "provider_id", "payment"])
    if checkout.status in SETTLED:
        return SETTLED[checkout.status]
    outcome, detail = _ask(checkout)
    now = timezone.now()
    Checkout.objects.filter(pk=checkout.pk).update(
        checked_at=now,
        check_outcome=outcome,
        check_detail=detail[:200],
        check_count=F("check_count") + 1,
    )
    checkout.refresh_from_db()
    return outcome


def _ask(checkout: Checkout) -> tuple[CheckOutcome, str]:
    if not checkout.provider_id:
        # Recorded, and the provider never answered with its id: nobody can pay it there.
        return CheckOutcome.NOT_OPENED, ""
    config = provider_config(checkout.provider)
    if config is None:
        return CheckOutcome.ERROR, f"no payment provider {checkout.provider!r} configured"
    try:
        event = config.client().status(checkout.provider_id)
    except ProviderError as failure:
        log.warning(
            "checkout %s: %s could not be asked: %s", checkout.uid, checkout.provider, failure
        )
        return CheckOutcome.ERROR, str(failure)
    if event is None:
        return CheckOutcome.PENDING, ""
    try:
        done = provider_event_apply(provider_code=checkout.provider, event=event)
    except ApplicationError as refused:
        log.error("checkout %s: the provider's answer not acted on: %s", checkout.uid, refused)
        return CheckOutcome.ERROR, refused.message
    if done.status in ("booked", "replayed"):
        return CheckOutcome.PAID, ""
    if done.status == "failed":
        # A checkout paid in the meantime stays paid (`_failed` leaves it).
        return SETTLED.get(done.checkout.status, CheckOutcome.FAILED), ""
    return CheckOutcome.ERROR, f"the provider's answer {event.raw_type!r} was not acted on"


def checkouts_reconcile_stale(*, older_than: timedelta | None = None) -> Counter:
    """Asks the providers about every checkout still open `older_than` (default
    `CHECKOUT_RECONCILE_AFTER_MINUTES`) after it started, and not asked within that time
    either; how many ended with each outcome. One checkout's failure never stops the batch."""
    older_than = reconcile_after() if older_than is None else older_than
    since = timezone.now() - older_than
    stale = Checkout.objects.filter(
        Q(checked_at__isnull=True) | Q(checked_at__lt=since),
        status=CheckoutStatus.CREATED,
        created_at__lt=since,
    ).select_related("tenant", "account")
    outcomes: Counter = Counter()
    for checkout in stale.order_by("created_at", "pk").iterator():
        try:
            outcomes[checkout_reconcile(checkout)] += 1
        except Exception as failure:  # one checkout's bug must not stop the others
            log.exception("checkout %s could not be reconciled", checkout.uid)
            Checkout.objects.filter(pk=checkout.pk).update(
                checked_at=timezone.now(),
                check_outcome=CheckOutcome.ERROR,
                check_detail=str(failure)[:200],
                check_count=F("check_count") + 1,
            )
            outcomes[CheckOutcome.ERROR] += 1
    return outcomes
