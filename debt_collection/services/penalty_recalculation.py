"""`penalties_recalculate`: puts right the penalties charged under rules that were wrong or have
changed since (a key rate entered late, a moratorium or cap found later — e.g. № 329 missing,
№ 424 one day too long). For every charges item with penalties charged through a date on or
after `since`, it recomputes the cumulative penalty through the last date charged with the
rules in force now, and posts the difference over what was charged (the accruals and earlier
recalculations) as a penalty charge into the first open period: an increase is a new penalty
item, a decrease reduces what is open of the account's penalties for that supplier and then
becomes a credit. Each item's correction is a `PenaltyRecalculation` row naming the acts its
lines now follow; pre-trial claims and court documents whose penalty changed are flagged for
reissue. Idempotent: a second run finds nothing to put right and posts nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max

from core.errors import ApplicationError
from debt_collection import penalties as engine
from debt_collection.models import (
    CollectionSettings,
    LegalDocument,
    PenaltyAccrual,
    PenaltyRecalculation,
)
from debt_collection.services.penalties import (
    Policy,
    charged_so_far,
    movements_by_item,
    policy_for,
    supplier_rules,
)
from warehouse.legal_calendar import month_after
from warehouse.models import AuditEvent, Clearing, ClosedPeriod, OpenItem, Tenant
from warehouse.services.penalties import penalties_post


@dataclass
class RecalculationResult:
    run: uuid.UUID
    period: str
    items: int = 0  # items whose penalty changed
    increase: int = 0  # minor units
    decrease: int = 0  # minor units, positive
    skipped: list[str] = field(default_factory=list)
    reissue: int = 0  # legal documents flagged

    def summary(self) -> str:
        return (
            f"{self.items} item(s) put right into {self.period}: +{self.increase} / "
            f"-{self.decrease} minor units; {self.reissue} document(s) to reissue"
            + (f"; skipped {len(self.skipped)}: {self.skipped[0]}" if self.skipped else "")
        )


def _next_open_period(tenant: Tenant, today: dt.date) -> str:
    last = ClosedPeriod.objects.filter(tenant=tenant).aggregate(last=Max("period"))["last"]
    if last is None:
        return f"{today:%Y-%m}"
    year, month = month_after(*map(int, last.split("-")))
    return f"{year:04d}-{month:02d}"


@transaction.atomic(durable=True)
def penalties_recalculate(
    *, tenant: Tenant, since: dt.date | None = None, actor=None, today: dt.date | None = None
) -> RecalculationResult:
    """Recomputes every penalty charged through a date on or after `since` (all when None) with
    the rules in force, and posts the differences. What was charged is read under the tenant
    row's lock, which a close's `penalties_charge` takes too (lock order: the tenant, then
    accounts and their open items)."""
    from django.utils import timezone

    if since is not None and not isinstance(since, dt.date):
        raise ApplicationError("since is a date", code="bad_date")
    list(Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk"))
    zone = ZoneInfo(tenant.timezone)
    today = today or timezone.localdate(timezone=zone)
    result = RecalculationResult(run=uuid.uuid4(), period=_next_open_period(tenant, today))
    through = _charged_through(tenant, since)
    if not through:
        return result
    rows, postings = _corrections(tenant=tenant, through=through, zone=zone, result=result)
    if not rows:
        return result
    penalties_post(
        tenant=tenant,
        period=result.period,
        rows=[(a, s, amount) for (a, s), amount in sorted(postings.items()) if amount],
        actor=actor,
        recalculation=True,
    )
    PenaltyRecalculation.objects.bulk_create(rows, batch_size=2000)
    result.items = len(rows)
    result.increase = sum(r.difference for r in rows if r.difference > 0)
    result.decrease = -sum(r.difference for r in rows if r.difference < 0)
    result.reissue = _flag_documents(tenant, {account for account, _ in postings}, result.run)
    _audit(tenant=tenant, since=since, result=result, rows=rows, actor=actor)
    return result


def _charged_through(tenant: Tenant, since: dt.date | None) -> dict[int, dt.date]:
    """{charges item id: the last date its penalty was charged through}, for every item with
    an accrual through `since` or later (every item with one when None)."""
    accruals = PenaltyAccrual.objects.filter(tenant=tenant)
    if since is not None:
        accruals = accruals.filter(through_date__gte=since)
    return dict(
        PenaltyAccrual.objects.filter(base_item_id__in=accruals.values("base_item_id").distinct())
        .values("base_item_id")
        .annotate(last=Max("through_date"))
        .values_list("base_item_id", "last")
    )


def _corrections(
    *, tenant: Tenant, through: dict[int, dt.date], zone: ZoneInfo, result: RecalculationResult
) -> tuple[list[PenaltyRecalculation], dict[tuple[int, int], int]]:
    """A `PenaltyRecalculation` for each item whose penalty, recomputed through the same date
    with today's rules, differs from what was charged, and the differences per (account,
    supplier). Items without a rate for their days go to `result.skipped`."""
    items = {
        pk: (account_id, supplier_id, due_date, amount)
        for pk, account_id, supplier_id, due_date, amount in OpenItem.objects.filter(
            pk__in=list(through)
        ).values_list("pk", "account_id", "supplier_id", "due_date", "amount")
    }
    movements = movements_by_item(
        Clearing.objects.filter(open_item_id__in=list(items)).values_list(
            "open_item_id", "amount", "cleared_at"
        ),
        zone,
    )
    charged = charged_so_far(list(items))
    settings = CollectionSettings.for_tenant(tenant)
    policy = policy_for(tenant.profile)
    kinds = supplier_rules(tenant)
    rows, postings = [], defaultdict(int)
    for item_id, (account_id, supplier_id, due_date, amount) in sorted(items.items()):
        try:
            recomputed, rules = _recompute(
                policy,
                kinds.get(supplier_id),
                due_date=due_date,
                amount=amount,
                movements=movements.get(item_id, ()),
                as_of=through[item_id],
                count_payment_day=settings.penalty_count_payment_day,
            )
        except engine.RateMissing as exc:
            result.skipped.append(f"item {item_id}: {exc}")
            continue
        before = charged.get(item_id, 0)
        if recomputed == before:
            continue
        rows.append(
            PenaltyRecalculation(
                tenant=tenant,
                run=result.run,
                base_item_id=item_id,
                period=result.period,
                through_date=through[item_id],
                charged_before=before,
                recomputed=recomputed,
                difference=recomputed - before,
                rules=rules,
            )
        )
        postings[(account_id, supplier_id)] += recomputed - before
    return rows, postings


def _recompute(
    policy: Policy,
    kind: str | None,
    *,
    due_date: dt.date,
    amount: int,
    movements,
    as_of: dt.date,
    count_payment_day: bool,
) -> tuple[int, list[str]]:
    """The item's cumulative penalty through `as_of` under today's rules, and the acts its
    lines follow; an item exempt now (`kind` None) has none, so everything charged goes back."""
    if kind is None:
        return 0, []
    computed = engine.penalty_compute(
        due_date=due_date,
        amount=amount,
        movements=movements,
        as_of=as_of,
        rule=policy.rule(kind, due_date),
        rates=policy.rates,
        policies=policy.policies,
        count_payment_day=count_payment_day,
    )
    return computed.total, sorted({line.rate_source for line in computed.lines if line.rate_source})


def _audit(
    *,
    tenant: Tenant,
    since: dt.date | None,
    result: RecalculationResult,
    rows: list[PenaltyRecalculation],
    actor,
) -> None:
    AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        action="penalties.recalculated",
        detail={
            "run": str(result.run),
            "period": result.period,
            "since": since.isoformat() if since else "",
            "changed": result.items,
            "increase": result.increase,
            "decrease": result.decrease,
            "rules": sorted({rule for row in rows for rule in row.rules}),
            "reissue": result.reissue,
            "skipped": len(result.skipped),
        },
    )


def _flag_documents(tenant: Tenant, account_ids: set[int], run: uuid.UUID) -> int:
    """Pre-trial claims and court documents of those accounts whose penalty, computed now for
    their own date, differs from what they demand: flagged for reissue."""
    from debt_collection.services.legal_documents.debt_table import penalties_by_item

    flagged = 0
    documents = LegalDocument.objects.filter(
        tenant=tenant, case__account_id__in=account_ids, reissue_reason=""
    ).select_related("case__account__tenant")
    for document in documents:
        _, penalty, _ = penalties_by_item(
            account=document.case.account, as_of=document.document_date
        )
        if penalty != document.penalty_total:
            document.reissue_reason = (
                f"penalties recalculated (run {run}): {penalty} instead of "
                f"{document.penalty_total} minor units"
            )
            document.save(update_fields=["reissue_reason"])
            flagged += 1
    return flagged
