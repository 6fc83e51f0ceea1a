"""Reads of what accounts owe, for the rest of the system — and the one home of the rules those
reads share, so that every page, message and figure says the same:

- **open**: a debt still open is an item with `open_amount > 0` (a credit is an item below 0);
- **overdue**: an open debt whose due date has passed — `due_date < as_of`. The payer has the
  whole due date to pay: on the due date itself nothing of it is overdue yet;
- **aging**: open debts by days past due in the tenant's own buckets (`Tenant.aging_bounds`,
  30,90,180,365 unless set): "not yet due" (due today or later), then 0–30 (1 to 30 days past
  due), 31–90, … and over the last bound;
- **the balance** of one or many accounts: what is due after credits, what is overdue, the
  advance, per supplier and period, the next due date.

Amounts in minor units."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, IntegerField, Min, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import ngettext

from warehouse.models import Account, OpenItem, Supplier, Tenant

# --- open and overdue ---------------------------------------------------------------------------


def open_debt_q(prefix: str = "") -> Q:
    """An open debt: something of it is still owed. `prefix` reaches the item through a
    relation ("open_item__")."""
    return Q(**{f"{prefix}open_amount__gt": 0})


def past_due_q(as_of: date, prefix: str = "") -> Q:
    """Due before `as_of`: its due date has passed (the due date itself is not past)."""
    return Q(**{f"{prefix}due_date__lt": as_of})


def overdue_q(as_of: date, prefix: str = "") -> Q:
    """An open debt past its due date on `as_of`."""
    return open_debt_q(prefix) & past_due_q(as_of, prefix)


def is_past_due(due_date: date, as_of: date) -> bool:
    """`past_due_q` for one date in Python."""
    return due_date < as_of


def overdue_items(as_of: date) -> QuerySet[OpenItem]:
    return OpenItem.objects.filter(overdue_q(as_of))


def account_open_items(account: Account) -> QuerySet[OpenItem]:
    """Items with something still open (debts, and credits not yet used), oldest first."""
    return (
        OpenItem.objects.filter(account=account)
        .exclude(open_amount=0)
        .select_related("supplier")
        .order_by("period", "supplier__code", "kind", "pk")
    )


# --- the balance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierPosition:
    supplier: Supplier
    open: int  # this supplier's open items, its credits netted
    overdue: int
    periods: dict[str, int]
    next_due_date: date | None = None  # the earliest due date still ahead of an open debt


@dataclass(frozen=True)
class AccountBalance:
    account: Account
    as_of: date
    total_due: int  # debts still open, after credits
    overdue: int  # debts past their due date
    advance: int  # credits (overpayments, recalculations in the payer's favour) not yet used
    suppliers: list[SupplierPosition] = field(default_factory=list)
    next_due_date: date | None = None  # the earliest due date still ahead of an open debt
    overdue_since: date | None = None  # the earliest due date passed with something open


def _balance_rows(account_ids: list[int], as_of: date) -> list[dict]:
    """Open items grouped per account, supplier and period, with the supplier's fields the
    balance shows (so the suppliers cost no query of their own)."""
    debt, overdue = open_debt_q(), overdue_q(as_of)
    return list(
        OpenItem.objects.filter(account_id__in=account_ids)
        .exclude(open_amount=0)
        .values(
            "account_id",
            "supplier_id",
            "supplier__tenant_id",
            "supplier__code",
            "supplier__name",
            "period",
        )
        .annotate(
            open=Sum("open_amount"),
            overdue=Coalesce(Sum("open_amount", filter=overdue), 0),
            credit=Coalesce(Sum("open_amount", filter=Q(open_amount__lt=0)), 0),
            next_due=Min("due_date", filter=debt & ~past_due_q(as_of)),
            overdue_since=Min("due_date", filter=overdue),
        )
        .order_by("account_id", "supplier_id", "period")
    )


def _earliest(dates: Iterable[date | None]) -> date | None:
    found = [d for d in dates if d is not None]
    return min(found) if found else None


def _supplier_positions(rows: list[dict]) -> list[SupplierPosition]:
    per_supplier: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        per_supplier[row["supplier_id"]].append(row)
    positions = []
    for supplier_id, own in per_supplier.items():
        first = own[0]
        supplier = Supplier.from_db(
            OpenItem.objects.db,
            ["id", "tenant_id", "code", "name"],
            [
                supplier_id,
                first["supplier__tenant_id"],
                first["supplier__code"],
                first["supplier__name"],
            ],
        )
        positions.append(
            SupplierPosition(
                supplier=supplier,
                open=sum(r["open"] for r in own),
                overdue=sum(r["overdue"] for r in own),
                periods={r["period"]: r["open"] for r in own},
                next_due_date=_earliest(r["next_due"] for r in own),
            )
        )
    return sorted(positions, key=lambda p: p.supplier.code)


def account_balances(accounts: Iterable[Account], *, as_of: date) -> dict[int, AccountBalance]:
    """The balance of each account (by pk) on `as_of`, in one query however many there are."""
    accounts = list(accounts)
    rows = _balance_rows([a.pk for a in accounts], as_of) if accounts else []
    per_account: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        per_account[row["account_id"]].append(row)
    balances = {}
    for account in accounts:
        own = per_account.get(account.pk, [])
        total = sum(r["open"] for r in own)  # debts after credits
        balances[account.pk] = AccountBalance(
            account=account,
            as_of=as_of,
            total_due=max(total, 0),
            overdue=sum(r["overdue"] for r in own),
            advance=max(-total, 0),
            suppliers=_supplier_positions(own),
            next_due_date=_earliest(r["next_due"] for r in own),
            overdue_since=_earliest(r["overdue_since"] for r in own),
        )
    return balances


def account_balance(account: Account, *, as_of: date | None = None) -> AccountBalance:
    as_of = as_of or date.today()
    return account_balances([account], as_of=as_of)[account.pk]


# --- aging --------------------------------------------------------------------------------------

NOT_DUE = "not_due"


@dataclass(frozen=True)
class AgingBucket:
    """Open debts `after` < days past due <= `through` (no upper end when None)."""

    after: int
    through: int | None

    @property
    def key(self) -> str:
        """A name for the bucket's column in rows and templates: d0_30, d31_90, d366_plus."""
        low = 0 if self.after == 0 else self.after + 1
        return f"d{low}_{self.through}" if self.through is not None else f"d{low}_plus"

    @property
    def label(self) -> str:
        """The short heading of charts: 0–30, 31–90, >365."""
        if self.through is None:
            return f">{self.after}"
        return f"{0 if self.after == 0 else self.after + 1}–{self.through}"

    @property
    def title(self) -> str:
        """The heading of tables, in the active language: "0–30 days", "Over 365 days"."""
        if self.through is None:
            return ngettext("Over %(days)d day", "Over %(days)d days", self.after) % {
                "days": self.after
            }
        return ngettext("%(low)d–%(high)d day", "%(low)d–%(high)d days", self.through) % {
            "low": 0 if self.after == 0 else self.after + 1,
            "high": self.through,
        }

    def condition(self, as_of: date) -> Q:
        condition = Q(due_date__lt=as_of - timedelta(days=self.after))
        if self.through is not None:
            condition &= Q(due_date__gte=as_of - timedelta(days=self.through))
        return condition


def aging_buckets(tenant: Tenant) -> tuple[AgingBucket, ...]:
    """The tenant's overdue buckets, from its `aging_bounds`: (30, 90) → 0–30, 31–90, >90."""
    bounds = tenant.aging_bounds_days
    afters = (0, *bounds[:-1])
    return (
        *(AgingBucket(after, through) for after, through in zip(afters, bounds, strict=True)),
        AgingBucket(bounds[-1], None),
    )


def aging_sums(buckets: Iterable[AgingBucket], as_of: date) -> dict:
    """Aggregates for `.aggregate()` / `.annotate()` over open debts: `not_due` and one per
    bucket key, each the open amount summed (0 when none)."""

    def summed(condition: Q):
        return Coalesce(
            Sum(
                Case(
                    When(condition, then="open_amount"),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
            0,
        )

    sums = {NOT_DUE: summed(~past_due_q(as_of))}
    sums.update({bucket.key: summed(bucket.condition(as_of)) for bucket in buckets})
    return sums


def aging(
    tenant: Tenant, *, as_of: date | None = None, supplier: Supplier | None = None
) -> list[dict]:
    """Open debt per supplier by days past due, in the tenant's buckets: {supplier_id, not_due,
    <bucket key>…, total}."""
    as_of = as_of or date.today()
    items = OpenItem.objects.filter(open_debt_q(), tenant=tenant)
    if supplier is not None:
        items = items.filter(supplier=supplier)
    rows = (
        items.values("supplier_id")
        .annotate(**aging_sums(aging_buckets(tenant), as_of), total=Sum("open_amount"))
        .order_by("supplier_id")
    )
    return list(rows)
