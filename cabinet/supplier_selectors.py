"""Reads of the supplier's cabinet. Every query starts from `scope(user, …)` and is then narrowed
to ONE supplier the user holds a supplier membership for, so a supplier user never sees another
supplier's rows, even of the same tenant."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncDate

from splitting.models import Allocation, Payout
from warehouse.models import AccountLink, OpenItem, Supplier
from warehouse.scoping import scope
from warehouse.selectors import supplier_overview
from warehouse.selectors_open_items import (
    NOT_DUE,
    AgingBucket,
    aging_buckets,
    aging_sums,
    open_debt_q,
)


def suppliers_of(user) -> list[Supplier]:
    """The suppliers `user` works for as a supplier user (not as staff), with the number of
    accounts linked to each (`linked_accounts`)."""
    if not user.is_authenticated:
        return []
    return list(supplier_overview(user))


def supplier_for(user, supplier_id: int | None) -> Supplier | None:
    suppliers = suppliers_of(user)
    if supplier_id is None:
        return suppliers[0] if suppliers else None
    return next((s for s in suppliers if s.pk == supplier_id), None)


def allocations_of(user, supplier: Supplier):
    """The payment shares in `supplier`'s favour, reversals included (negative), newest first."""
    return (
        scope(user, Allocation)
        .filter(supplier=supplier)
        .select_related("payment__account")
        .order_by("-booked_at", "-pk")
    )


def _zone(supplier: Supplier) -> ZoneInfo:
    return ZoneInfo(supplier.tenant.timezone or "UTC")


def totals_per_day(allocations, supplier: Supplier) -> list[dict]:
    """Per day of booking (the tenant's time zone): count, gross, commission and net."""
    rows = (
        allocations.order_by()
        .annotate(day=TruncDate("booked_at", tzinfo=_zone(supplier)))
        .values("day")
        .annotate(count=Count("pk"), gross=Sum("amount"), commission=Sum("commission"))
        .order_by("-day")
    )
    return [{**row, "net": row["gross"] - row["commission"]} for row in rows]


def totals(allocations) -> dict:
    found = allocations.order_by().aggregate(
        count=Count("pk"),
        gross=Coalesce(Sum("amount"), 0),
        commission=Coalesce(Sum("commission"), 0),
    )
    return {**found, "net": found["gross"] - found["commission"]}


def day_bounds(supplier: Supplier, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=_zone(supplier))
    return start, start + dt.timedelta(days=1)


def aging_buckets_of(supplier: Supplier) -> tuple[AgingBucket, ...]:
    """The supplier's aging columns: its tenant's buckets (warehouse's one definition)."""
    return aging_buckets(supplier.tenant)


@dataclass(frozen=True)
class AgingRow:
    account_id: int
    account_number: str
    supplier_number: str
    payer_name: str
    not_due: int
    buckets: tuple[int, ...]  # per bucket of `aging_buckets_of`, in order

    @property
    def total(self) -> int:
        return self.not_due + self.overdue

    @property
    def overdue(self) -> int:
        return sum(self.buckets)


def open_items_of(user, supplier: Supplier):
    return scope(user, OpenItem).filter(open_debt_q(), supplier=supplier)


def aging_totals(user, supplier: Supplier, today: dt.date) -> dict:
    """not_due, one sum per bucket key, `buckets` (those sums in order), total and overdue."""
    buckets = aging_buckets_of(supplier)
    found = open_items_of(user, supplier).order_by().aggregate(**aging_sums(buckets, today))
    found["buckets"] = [found[b.key] for b in buckets]
    found["overdue"] = sum(found["buckets"])
    found["total"] = found[NOT_DUE] + found["overdue"]
    return found


def aging_rows(user, supplier: Supplier, today: dt.date):
    """One row per account with an open item of `supplier`, the largest debt first."""
    grouped = (
        open_items_of(user, supplier)
        .order_by()
        .values("account_id", "account__account_number", "account__payer_name")
        .annotate(**aging_sums(aging_buckets_of(supplier), today), total=Sum("open_amount"))
        .order_by("-total", "account__account_number")
    )
    return grouped


def aging_materialise(supplier: Supplier, rows) -> list[AgingRow]:
    """Turns a page of `aging_rows` into rows with the supplier's own account numbers."""
    rows = list(rows)
    buckets = aging_buckets_of(supplier)
    numbers = dict(
        AccountLink.objects.filter(
            supplier=supplier, account_id__in=[r["account_id"] for r in rows]
        ).values_list("account_id", "external_number")
    )
    return [
        AgingRow(
            account_id=r["account_id"],
            account_number=r["account__account_number"],
            supplier_number=numbers.get(r["account_id"], ""),
            payer_name=r["account__payer_name"],
            not_due=r[NOT_DUE],
            buckets=tuple(r[b.key] for b in buckets),
        )
        for r in rows
    ]


def payouts_of(user, supplier: Supplier):
    return (
        scope(user, Payout)
        .filter(supplier=supplier)
        .select_related("registry")
        .order_by("-created_at", "-pk")
    )
