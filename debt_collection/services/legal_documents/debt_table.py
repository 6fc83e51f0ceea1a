"""The per-period table a legal document claims: the account's overdue charges per period and
supplier as of the document date, with their penalties.

Charged, paid and debt come from the account's open items and their clearings as of the
document date; "paid" is everything that cleared the charge (payments, advances applied,
write-offs, recalculations), so charged − paid = debt on every row. Penalties come from
`debt_collection.services.penalties.account_penalty_calculation` as of the same date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from warehouse.models import Account, OpenItem, OpenItemKind, Tenant
from warehouse.selectors_open_items import past_due_q


@dataclass(frozen=True)
class DebtRow:
    period: str
    supplier_code: str
    supplier_name: str
    charged: int
    paid: int
    debt: int
    due_date: dt.date
    days_overdue: int
    penalty: int


@dataclass
class DebtTable:
    as_of: dt.date
    rows: list[DebtRow] = field(default_factory=list)
    penalty_total: int = 0
    # The day-by-day calculation: (period, supplier name, line), each line naming the act that
    # set its rate (`Line.rate_source`).
    penalty_lines: list[tuple] = field(default_factory=list)

    @property
    def charged(self) -> int:
        return sum(r.charged for r in self.rows)

    @property
    def paid(self) -> int:
        return sum(r.paid for r in self.rows)

    @property
    def debt(self) -> int:
        return sum(r.debt for r in self.rows)

    @property
    def periods(self) -> list[str]:
        return sorted({r.period for r in self.rows})


def _end_of(day: dt.date, tenant: Tenant) -> dt.datetime:
    """The first instant after `day`, in the tenant's time zone."""
    zone = ZoneInfo(tenant.timezone or "UTC")
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def penalties_by_item(
    *, account: Account, as_of: dt.date
) -> tuple[dict[tuple[str, str], int], int, list[tuple]]:
    """{(period, supplier code): penalty}, the total, and the day-by-day lines as (period,
    supplier name, line), from the penalty calculation."""
    from debt_collection.services.penalties import account_penalty_calculation

    calculation = account_penalty_calculation(account=account, as_of=as_of)
    by_item: dict[tuple[str, str], int] = {}
    lines = []
    for item in calculation.items:
        key = (item.period, item.supplier_code)
        by_item[key] = by_item.get(key, 0) + item.penalty
        lines.extend((item.period, item.supplier_name, line) for line in item.lines)
    return by_item, calculation.total, lines


def debt_table(*, account: Account, as_of: dt.date) -> DebtTable:
    """The account's overdue charges per period and supplier as of `as_of`, with penalties."""
    tenant = account.tenant
    cutoff = _end_of(as_of, tenant)
    # Clearings are summed per item (a grouped join would count an item once per clearing),
    # then items are grouped per period and supplier here.
    items = (
        OpenItem.objects.filter(past_due_q(as_of), account=account, kind=OpenItemKind.CHARGES)
        .annotate(
            cleared=Coalesce(
                Sum("clearings__amount", filter=Q(clearings__cleared_at__lt=cutoff)), 0
            )
        )
        .values("period", "supplier__code", "supplier__name", "amount", "cleared", "due_date")
        .order_by("period", "supplier__code", "pk")
    )
    groups: dict[tuple[str, str], dict] = {}
    for item in items:
        key = (item["period"], item["supplier__code"])
        group = groups.setdefault(
            key,
            {"name": item["supplier__name"], "charged": 0, "cleared": 0, "due": item["due_date"]},
        )
        group["charged"] += item["amount"]
        group["cleared"] += item["cleared"]
        group["due"] = min(group["due"], item["due_date"])
    penalties, penalty_total, lines = penalties_by_item(account=account, as_of=as_of)
    table = DebtTable(as_of=as_of, penalty_total=penalty_total, penalty_lines=lines)
    for (period, code), group in sorted(groups.items()):
        debt = group["charged"] - group["cleared"]
        penalty = penalties.get((period, code), 0)
        if debt <= 0 and penalty <= 0:
            continue
        table.rows.append(
            DebtRow(
                period=period,
                supplier_code=code,
                supplier_name=group["name"],
                charged=group["charged"],
                paid=group["cleared"],
                debt=debt,
                due_date=group["due"],
                days_overdue=(as_of - group["due"]).days,
                penalty=penalty,
            )
        )
    # A penalty on an item paid in full still belongs to the claim: its row stays (debt 0).
    table.penalty_total = max(table.penalty_total, sum(r.penalty for r in table.rows))
    return table
