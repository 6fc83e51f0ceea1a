"""Collections analytics of one tenant, each a few grouped SQL aggregates:

- debt by aging bucket (days past the due date, in the tenant's buckets) and supplier;
- collection rate per month: of the charges due that month, the share cleared by payments
  (payments, advances applied, and reversals reopening them), for the last 12 months;
- promises to pay kept and broken per month they were resolved;
- recovery per agent: booked payments of a case's account while the case was open (from its
  opening to its closing), grouped by the agent the case is assigned to, and per stage (the
  case's current stage).
Amounts in minor units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, pgettext_lazy

from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    set_widths,
    workbook_bytes,
)
from core.money import to_major
from core.ui.charts import Series
from debt_collection.models import CaseStage
from splitting.models import Payment, PaymentStatus
from warehouse.models import Clearing, ClearingKind, OpenItem, OpenItemKind, Supplier, Tenant
from warehouse.selectors_open_items import aging, aging_buckets

PAID_KINDS = (ClearingKind.PAYMENT, ClearingKind.ADVANCE, ClearingKind.REVERSAL)

# The series the code reads by name, and the legend a reader sees for each.
SERIES_LABELS = {
    "Billed": pgettext_lazy("chart series", "Billed"),
    "Paid": pgettext_lazy("chart series", "Paid"),
    "Kept": pgettext_lazy("chart series", "Kept"),
    "Broken": pgettext_lazy("chart series", "Broken"),
    "Recovered": pgettext_lazy("chart series", "Recovered"),
}


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_back(as_of: dt.date, months: int) -> list[dt.date]:
    first = _month_start(as_of)
    out = []
    year, month = first.year, first.month
    for _ in range(months):
        out.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


def aging_by_supplier(*, tenant: Tenant, as_of: dt.date) -> Series:
    """Overdue open debt per aging bucket (the tenant's, warehouse's `aging`), one series per
    supplier with something overdue."""
    buckets = aging_buckets(tenant)
    names = dict(Supplier.objects.filter(tenant=tenant).values_list("pk", "name"))
    series = {}
    for row in aging(tenant, as_of=as_of):
        values = [row[bucket.key] for bucket in buckets]
        if any(values):
            series[names.get(row["supplier_id"], str(row["supplier_id"]))] = values
    return Series(
        title=gettext("Debt by days past due"),
        categories=[bucket.label for bucket in buckets],
        series=series,
    )


def collection_rate(*, tenant: Tenant, as_of: dt.date, months: int = 12) -> Series:
    """Billed and paid of the charges due in each of the last `months` months."""
    first_months = _months_back(as_of, months)
    start, end = first_months[0], _next_month(first_months[-1])

    def month_cases(field_name: str, value: str) -> dict:
        return {
            f"m{i}": Coalesce(
                Sum(
                    Case(
                        When(
                            Q(**{f"{field_name}__gte": m, f"{field_name}__lt": _next_month(m)}),
                            then=value,
                        ),
                        default=0,
                        output_field=IntegerField(),
                    )
                ),
                0,
            )
            for i, m in enumerate(first_months)
        }

    billed = OpenItem.objects.filter(
        tenant=tenant,
        kind=OpenItemKind.CHARGES,
        amount__gt=0,
        due_date__gte=start,
        due_date__lt=end,
    ).aggregate(**month_cases("due_date", "amount"))
    paid = Clearing.objects.filter(
        tenant=tenant,
        kind__in=PAID_KINDS,
        open_item__kind=OpenItemKind.CHARGES,
        open_item__amount__gt=0,
        open_item__due_date__gte=start,
        open_item__due_date__lt=end,
    ).aggregate(**month_cases("open_item__due_date", "amount"))
    return Series(
        title=gettext("Collection rate of the charges due each month"),
        categories=[m.strftime("%Y-%m") for m in first_months],
        series={
            "Billed": [billed[f"m{i}"] for i in range(len(first_months))],
            "Paid": [paid[f"m{i}"] for i in range(len(first_months))],
        },
        labels=SERIES_LABELS,
    )


def rate_percent(billed: int, paid: int) -> Decimal | None:
    if not billed:
        return None
    return (Decimal(paid) * 100 / Decimal(billed)).quantize(Decimal("0.1"))


def promises(*, tenant: Tenant, as_of: dt.date, months: int = 12) -> Series:
    """Promises kept and broken, by the month they were resolved (tenant time)."""
    first_months = _months_back(as_of, months)
    categories = [m.strftime("%Y-%m") for m in first_months]
    try:
        from debt_collection.models import PromiseStatus, PromiseToPay
    except ImportError:  # promises not installed: an empty chart
        return Series(
            gettext("Promises to pay: kept and broken"),
            categories,
            {"Kept": [], "Broken": []},
            money=False,
            labels=SERIES_LABELS,
        )
    zone = ZoneInfo(tenant.timezone or "UTC")

    def instant(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone)

    counts = {}
    for status in (PromiseStatus.KEPT, PromiseStatus.BROKEN):
        counts[status] = {
            f"m{i}": Count(
                "pk",
                filter=Q(
                    status=status,
                    resolved_at__gte=instant(m),
                    resolved_at__lt=instant(_next_month(m)),
                ),
            )
            for i, m in enumerate(first_months)
        }
    kept = PromiseToPay.objects.filter(tenant=tenant).aggregate(**counts[PromiseStatus.KEPT])
    broken = PromiseToPay.objects.filter(tenant=tenant).aggregate(**counts[PromiseStatus.BROKEN])
    return Series(
        title=gettext("Promises to pay: kept and broken"),
        categories=categories,
        series={
            "Kept": [kept[f"m{i}"] for i in range(len(first_months))],
            "Broken": [broken[f"m{i}"] for i in range(len(first_months))],
        },
        money=False,
        labels=SERIES_LABELS,
    )


def _recovered(tenant: Tenant, group_by: str):
    """Booked payments of case accounts while the case was open, grouped by a case field."""
    case = "account__debt_cases"
    return (
        Payment.objects.filter(
            Q(**{f"{case}__closed_at__isnull": True}) | Q(booked_at__lte=F(f"{case}__closed_at")),
            status=PaymentStatus.BOOKED,
            **{f"{case}__tenant": tenant, "booked_at__gte": F(f"{case}__opened_at")},
        )
        .values(f"{case}__{group_by}")
        .annotate(total=Sum("amount"))
        .values_list(f"{case}__{group_by}", "total")
    )


def recovery_per_agent(*, tenant: Tenant) -> Series:
    rows = sorted(_recovered(tenant, "assigned_to"), key=lambda r: -r[1])
    users = get_user_model().objects.in_bulk([pk for pk, _ in rows if pk])
    names = []
    for pk, _ in rows:
        user = users.get(pk)
        names.append((user.get_full_name() or user.username) if user else gettext("Unassigned"))
    return Series(
        title=gettext("Recovered per agent"),
        categories=names,
        series={"Recovered": [total for _, total in rows]},
        labels=SERIES_LABELS,
    )


def recovery_per_stage(*, tenant: Tenant) -> Series:
    totals = dict(_recovered(tenant, "stage"))
    stages = [stage for stage in CaseStage if stage in totals]
    return Series(
        title=gettext("Recovered per case stage"),
        categories=[str(stage.label) for stage in stages],
        series={"Recovered": [totals[stage] for stage in stages]},
        labels=SERIES_LABELS,
    )


@dataclass(frozen=True)
class Dashboard:
    tenant: Tenant
    as_of: dt.date
    aging: Series
    rate: Series
    promises: Series
    agents: Series
    stages: Series

    @property
    def charts(self) -> list[tuple[str, Series]]:
        return [
            ("aging", self.aging),
            ("rate", self.rate),
            ("promises", self.promises),
            ("agents", self.agents),
            ("stages", self.stages),
        ]

    @property
    def rates(self) -> list[Decimal | None]:
        billed, paid = self.rate.series["Billed"], self.rate.series["Paid"]
        return [rate_percent(b, p) for b, p in zip(billed, paid, strict=True)]


def dashboard(*, tenant: Tenant, as_of: dt.date) -> Dashboard:
    return Dashboard(
        tenant=tenant,
        as_of=as_of,
        aging=aging_by_supplier(tenant=tenant, as_of=as_of),
        rate=collection_rate(tenant=tenant, as_of=as_of),
        promises=promises(tenant=tenant, as_of=as_of),
        agents=recovery_per_agent(tenant=tenant),
        stages=recovery_per_stage(tenant=tenant),
    )


def dashboard_xlsx(board: Dashboard) -> bytes:
    """One workbook, a sheet per chart: categories down, series across (amounts in major units),
    and the collection rate in percent on its sheet."""
    book = new_workbook()
    for name, chart in board.charts:
        sheet = add_sheet(book, name)
        append_row(sheet, [chart.title], bold=True)
        names = list(chart.series)
        header = ["", *map(chart.label, names)] + ([gettext("Rate, %")] if name == "rate" else [])
        header_row(sheet, header, freeze=False)
        for index, category in enumerate(chart.categories):
            values = [chart.series[s][index] if chart.series[s] else 0 for s in names]
            if chart.money:
                values = [to_major(v) for v in values]
            row = [category, *values]
            if name == "rate":
                rate = board.rates[index]
                row.append(float(rate) if rate is not None else None)
            append_row(sheet, row)
        if chart.money:
            number_format(sheet, min_row=3, min_col=2, max_col=1 + len(names))
        set_widths(sheet, [28])
    return workbook_bytes(book)
