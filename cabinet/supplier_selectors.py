"""Reads of the supplier's cabinet. Every query starts from `scope(user, …)` and is then narrowed
to ONE supplier the user holds a supplier membership for, so a supplier user never sees another
supplier's rows, even of the same tenant."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce, TruncDate

from splitting.models import Allocation, Payout
from warehouse.models import AccountLink, OpenItem, Supplier
from warehouse.scoping import scope
from warehouse.selectors import supplier_overview

AGING_BUCKETS = ("not_due", "d0_30", "d31_90", "d91_180", "d181_plus")


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


@dataclass(frozen=True)
class AgingRow:
    account_id: int
    account_number: str
    supplier_number: str
    payer_name: str
    not_due: int
    d0_30: int
    d31_90: int
    d91_180: int
    d181_plus: int

    @property
    def total(self) -> int:
        return self.not_due + self.d0_30 + self.d31_90 + self.d91_180 + self.d181_plus

    @property
    def overdue(self) -> int:
        return self.total - self.not_due


def _bucket_sums(today: dt.date) -> dict:
    """`open_amount` summed per aging bucket: days past the due date 0–30, 31–90, 91–180, >180;
    an item not yet due in its own bucket."""
    edges = {
        "not_due": Q(due_date__gt=today),
        "d0_30": Q(due_date__lte=today, due_date__gte=today - dt.timedelta(days=30)),
        "d31_90": Q(
            due_date__lt=today - dt.timedelta(days=30),
            due_date__gte=today - dt.timedelta(days=90),
        ),
        "d91_180": Q(
            due_date__lt=today - dt.timedelta(days=90),
            due_date__gte=today - dt.timedelta(days=180),
        ),
        "d181_plus": Q(due_date__lt=today - dt.timedelta(days=180)),
    }
    return {
        name: Coalesce(
            Sum(Case(When(condition, then="open_amount"), default=0, output_field=IntegerField())),
            0,
        )
        for name, condition in edges.items()
    }


def open_items_of(user, supplier: Supplier):
    return scope(user, OpenItem).filter(supplier=supplier, open_amount__gt=0)


def aging_totals(user, supplier: Supplier, today: dt.date) -> dict:
    found = open_items_of(user, supplier).order_by().aggregate(**_bucket_sums(today))
    found["total"] = sum(found[b] for b in AGING_BUCKETS)
    found["overdue"] = found["total"] - found["not_due"]
    return found


def aging_rows(user, supplier: Supplier, today: dt.date):
    """One row per account with an open item of `supplier`, the largest debt first."""
    grouped = (
        open_items_of(user, supplier)
        .order_by()
        .values("account_id", "account__account_number", "account__payer_name")
        .annotate(**_bucket_sums(today), total=Sum("open_amount"))
        .order_by("-total", "account__account_number")
    )
    return grouped


def aging_materialise(supplier: Supplier, rows) -> list[AgingRow]:
    """Turns a page of `aging_rows` into rows with the supplier's own account numbers."""
    rows = list(rows)
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
            **{b: r[b] for b in AGING_BUCKETS},
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
