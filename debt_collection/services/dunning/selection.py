"""Choosing who is due a dunning step: every active account's overdue debt from one aggregate
query over open items, every account's `DunningState` from one query, and the level each may
fire decided in Python (see the package's rules). Also the reads the later phases share:
`per_account`, and `Decision`, what the run decided for one account."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Min, Q, Sum

from debt_collection.models import DunningLevel, DunningState, DunningStep
from warehouse.models import Account, OpenItem, Tenant
from warehouse.selectors_open_items import overdue_q

if TYPE_CHECKING:
    from debt_collection.services.dunning.result import DunningRunResult

BATCH = 5000


@dataclass
class Decision:
    """One account's step in this run: chosen here, its outcome and recipient filled in by
    `channels`, its texts by `rendering`, its message and case by `writing`."""

    account_id: int
    level: DunningLevel
    cycle: int
    overdue: int
    total: int
    dpd: int
    oldest_period: str
    outcome: str = ""
    channel: str = ""
    recipient: str = ""
    payer: str = ""
    number: str = ""
    subject: str = ""
    body: str = ""
    message_id: int | None = None
    case_id: int | None = None


def per_account(queryset, *, tenant: Tenant, account_ids: list[int], field="account_id"):
    """`queryset` restricted to `account_ids`: by IN lists of BATCH ids when they are few, by
    the tenant (and a filter in Python by the caller) when they are many — 40 IN lists of 5,000
    ids cost more than one pass over the tenant."""
    if len(account_ids) > 4 * BATCH:
        yield queryset.filter(tenant=tenant)
        return
    for start in range(0, len(account_ids), BATCH):
        yield queryset.filter(**{f"{field}__in": account_ids[start : start + BATCH]})


def overdue_debts(*, tenant: Tenant, on: dt.date, account_ids: Iterable[int] | None = None):
    """(account id, overdue, total open, days past due, oldest overdue period) of every account
    with overdue debt on `on` — one aggregate query."""
    overdue = overdue_q(on)
    items = OpenItem.objects.filter(tenant=tenant).exclude(open_amount=0)
    if account_ids is not None:
        items = items.filter(account_id__in=list(account_ids))
    rows = (
        items.values("account_id")
        .annotate(
            overdue=Sum("open_amount", filter=overdue),
            total=Sum("open_amount"),
            oldest_charge=Min("due_date", filter=overdue & Q(kind="charges")),
            oldest_any=Min("due_date", filter=overdue),
            oldest_period=Min("period", filter=overdue),
        )
        .filter(overdue__gt=0)
        .order_by()
        .values_list(
            "account_id", "overdue", "total", "oldest_charge", "oldest_any", "oldest_period"
        )
    )
    for account_id, overdue, total, oldest_charge, oldest_any, oldest_period in rows.iterator(
        chunk_size=BATCH
    ):
        oldest = oldest_charge or oldest_any
        yield account_id, overdue, total, (on - oldest).days, oldest_period


def dunning_states(tenant: Tenant) -> dict[int, tuple]:
    """Account id → (cycle, level id, last step date, state id, last message at)."""
    return {
        row[0]: row[1:]
        for row in DunningState.objects.filter(tenant=tenant).values_list(
            "account_id", "cycle", "level_id", "last_step_on", "pk", "last_message_at"
        )
    }


def messages_this_week(*, tenant: Tenant, on: dt.date) -> dict[int, int]:
    """Account id → dunning messages of the 7 days up to `on` (the tenant's frequency cap)."""
    week = (
        DunningStep.objects.filter(
            tenant=tenant,
            run_date__gt=on - dt.timedelta(days=7),
            run_date__lte=on,
            message__isnull=False,
        )
        .values("account_id")
        .annotate(n=Count("id"))
        .values_list("account_id", "n")
    )
    return dict(week)


def steps_due(
    *,
    tenant: Tenant,
    on: dt.date,
    levels: list[DunningLevel],
    states: dict[int, tuple],
    result: DunningRunResult,
    progress: Callable[[int], None] | None,
) -> tuple[list[Decision], set[int]]:
    """The decisions of the accounts due a level on `on`, and the ids of every active account
    with overdue debt (counted in `result.accounts_overdue`). An account stepped on `on` already
    waits for tomorrow; one whose previous level's wait has not passed is counted in
    `result.waiting`. `progress(BATCH)` is told of every BATCH overdue accounts."""
    by_id = {level.pk: level for level in levels}
    decisions: list[Decision] = []
    overdue_ids: set[int] = set()
    inactive = set(
        Account.objects.filter(tenant=tenant, is_active=False).values_list("pk", flat=True)
    )
    for account_id, overdue, total, dpd, oldest_period in overdue_debts(tenant=tenant, on=on):
        if account_id in inactive:
            continue
        overdue_ids.add(account_id)
        if progress and len(overdue_ids) % BATCH == 0:
            progress(BATCH)
        cycle, level_id, last_on, *_ = states.get(account_id, (1, None, None))
        if last_on is not None and last_on >= on:
            continue  # stepped on this date already (or a later one)
        current = by_id.get(level_id)
        after = current.position if current else 0
        level = next(
            (
                x
                for x in levels
                if x.position > after and x.days_past_due <= dpd and x.min_debt <= overdue
            ),
            None,
        )
        if level is None:
            continue
        if current and (on - last_on).days < current.wait_days:
            result.waiting += 1
            continue
        decisions.append(Decision(account_id, level, cycle, overdue, total, dpd, oldest_period))
    result.accounts_overdue = len(overdue_ids)
    return decisions, overdue_ids
