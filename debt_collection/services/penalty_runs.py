"""The penalty run: the step of month-end that charges a period's penalties, before the period
is closed. It is its own step — a `PenaltyRun` row — rather than a callback inside the close, so
the order of month-end can be read: charge penalties (here), then close the period
(`invoicing.services.closing.period_close`), which refuses a period whose run is missing
(`close_refusal`, registered in `config/wiring.py`).

A run charges what accrued through the period's last day and was not charged before
(`penalties_charge`); repeating it before the close charges only what accrued since (a late
payment's clearing, a late import), and it is refused once the period is closed: later changes go
through `penalties_recalculate` into an open period."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from debt_collection.models import CollectionSettings, PenaltyRun
from debt_collection.services.penalties import penalties_charge, period_end
from warehouse.models import Tenant
from warehouse.services.periods import period_is_locked, period_parse


@transaction.atomic
def penalty_run(*, tenant: Tenant, period: str, actor=None) -> PenaltyRun:
    """Charges `period`'s penalties and records the run. Takes the tenant row's lock first —
    `period_lock` takes it too — so a run and a close of the same period never interleave."""
    period_parse(period)
    list(Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk"))
    if period_is_locked(tenant, period):
        raise ApplicationError(
            _("%(period)s is closed: its penalties can no longer be charged.") % {"period": period},
            code="period_closed",
        )
    batches = penalties_charge(tenant=tenant, period=period, actor=actor)
    amount = sum(batch.amount_total for batch in batches)
    run = PenaltyRun.objects.filter(tenant=tenant, period=period).first()
    if run is None:
        run = PenaltyRun(tenant=tenant, period=period, runs=0)
    run.through_date = period_end(period)
    run.batches, run.amount = len(batches), amount
    run.runs += 1
    run.actor, run.ran_at = actor, timezone.now()
    run.save()
    return run


def close_refusal(*, tenant: Tenant, period: str) -> str | None:
    """Why `period` may not be closed yet, from debt collection's side: its penalties were not
    charged. None when they were, or when the tenant charges no penalties."""
    if not CollectionSettings.for_tenant(tenant).penalties_enabled:
        return None
    if PenaltyRun.objects.filter(tenant=tenant, period=period).exists():
        return None
    return _(
        "The penalties of %(period)s have not been charged: charge them first on the "
        "Penalty runs page (Collections → Penalty runs), then close the period."
    ) % {"period": period}
