"""Reads of what accounts owe, for the rest of the system: an account's open items and balance
per supplier and period, and aging buckets per tenant and supplier. Amounts in minor units."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce

from warehouse.models import Account, OpenItem, Supplier, Tenant

AGING_BUCKETS = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("180+", 181, None),
)


def account_open_items(account: Account) -> QuerySet[OpenItem]:
    """Items with something still open (debts, and credits not yet used), oldest first."""
    return (
        OpenItem.objects.filter(account=account)
        .exclude(open_amount=0)
        .select_related("supplier")
        .order_by("period", "supplier__code", "kind", "pk")
    )


@dataclass(frozen=True)
class SupplierPosition:
    supplier: Supplier
    open: int
    overdue: int
    periods: dict[str, int]


@dataclass(frozen=True)
class AccountBalance:
    account: Account
    as_of: date
    total_due: int  # debts still open, after credits
    overdue: int  # debts past their due date
    advance: int  # credits (overpayments, recalculations in the payer's favour) not yet used
    suppliers: list[SupplierPosition] = field(default_factory=list)


def account_balance(account: Account, *, as_of: date | None = None) -> AccountBalance:
    as_of = as_of or date.today()
    rows = (
        OpenItem.objects.filter(account=account)
        .exclude(open_amount=0)
        .values("supplier_id", "period")
        .annotate(
            open=Sum("open_amount"),
            overdue=Coalesce(
                Sum("open_amount", filter=Q(due_date__lt=as_of, open_amount__gt=0)), 0
            ),
            credit=Coalesce(Sum("open_amount", filter=Q(open_amount__lt=0)), 0),
        )
        .order_by("supplier_id", "period")
    )
    suppliers = Supplier.objects.in_bulk({r["supplier_id"] for r in rows})
    positions: dict[int, dict] = {}
    debts = overdue = credits = 0
    for row in rows:
        position = positions.setdefault(
            row["supplier_id"], {"open": 0, "overdue": 0, "periods": {}}
        )
        position["open"] += row["open"]
        position["overdue"] += row["overdue"]
        position["periods"][row["period"]] = row["open"]
        debts += row["open"] - row["credit"]
        overdue += row["overdue"]
        credits += -row["credit"]
    total = debts - credits
    return AccountBalance(
        account=account,
        as_of=as_of,
        total_due=max(total, 0),
        overdue=overdue,
        advance=max(-total, 0),
        suppliers=[
            SupplierPosition(suppliers[s], p["open"], p["overdue"], p["periods"])
            for s, p in sorted(positions.items(), key=lambda kv: suppliers[kv[0]].code)
        ],
    )


def aging(
    tenant: Tenant, *, as_of: date | None = None, supplier: Supplier | None = None
) -> list[dict]:
    """Open debt per supplier by days past due: {supplier_id, not_due, "0-30", …, "180+",
    total}. Day 0 is the due date itself."""
    as_of = as_of or date.today()
    items = OpenItem.objects.filter(tenant=tenant, open_amount__gt=0)
    if supplier is not None:
        items = items.filter(supplier=supplier)

    def between(low: int, high: int | None) -> Q:
        condition = Q(due_date__lte=as_of - timedelta(days=low))
        if high is not None:
            condition &= Q(due_date__gte=as_of - timedelta(days=high))
        return condition

    buckets = {
        name: Coalesce(
            Sum(
                Case(
                    When(between(low, high), then="open_amount"),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
            0,
        )
        for name, low, high in AGING_BUCKETS
    }
    rows = (
        items.values("supplier_id")
        .annotate(
            not_due=Coalesce(Sum("open_amount", filter=Q(due_date__gt=as_of)), 0),
            total=Sum("open_amount"),
            **buckets,
        )
        .order_by("supplier_id")
    )
    return list(rows)
