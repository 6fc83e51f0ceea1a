"""The operator's coupon report: per fee and office, the coupons issued, redeemed, expired and
cancelled in a period, and the funds that coupons still hold per corporate payer. One tenant at
a time (one currency; the period's days are the tenant's). Amounts in minor units; the XLSX
writes them as exact decimals."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    workbook_bytes,
)
from core.money import to_major
from wallets.models import Coupon, CouponStatus, Fee, Office, Wallet
from warehouse.models import Tenant

KINDS = ("issued", "redeemed", "expired", "cancelled")


@dataclass
class Figure:
    count: int = 0
    amount: int = 0

    def add(self, other: "Figure") -> None:
        self.count += other.count
        self.amount += other.amount


@dataclass
class FeeOfficeRow:
    fee: Fee
    office: Office
    figures: dict[str, Figure] = field(default_factory=lambda: {k: Figure() for k in KINDS})


@dataclass(frozen=True)
class BlockedRow:
    wallet: Wallet
    coupons: int  # valid coupons holding the blocked amount
    blocked: int


@dataclass
class OperatorReport:
    tenant: Tenant
    start: date
    end: date  # inclusive
    rows: list[FeeOfficeRow]
    totals: dict[str, Figure]
    blocked: list[BlockedRow]

    @property
    def blocked_total(self) -> int:
        return sum(row.blocked for row in self.blocked)

    @property
    def blocked_coupons(self) -> int:
        return sum(row.coupons for row in self.blocked)


def _bounds(tenant: Tenant, start: date, end: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tenant.timezone)
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def operator_report(tenant: Tenant, start: date, end: date) -> OperatorReport:
    since, until = _bounds(tenant, start, end)
    coupons = Coupon.objects.filter(tenant=tenant)
    moments = {
        "issued": coupons.filter(issued_at__gte=since, issued_at__lt=until),
        "redeemed": coupons.filter(status=CouponStatus.USED, used_at__gte=since, used_at__lt=until),
        "expired": coupons.filter(
            status=CouponStatus.EXPIRED, released_at__gte=since, released_at__lt=until
        ),
        "cancelled": coupons.filter(
            status=CouponStatus.CANCELLED, released_at__gte=since, released_at__lt=until
        ),
    }
    found: dict[tuple[int, int], dict[str, Figure]] = defaultdict(dict)
    for kind, rows in moments.items():
        grouped = (
            rows.values("fee_id", "office_id")
            .annotate(n=Count("pk"), total=Sum("amount"))
            .order_by()
        )
        for row in grouped:
            found[(row["fee_id"], row["office_id"])][kind] = Figure(row["n"], row["total"])
    fees = Fee.objects.in_bulk({fee for fee, _office in found})
    offices = Office.objects.in_bulk({office for _fee, office in found})
    totals = {kind: Figure() for kind in KINDS}
    result = []
    for (fee_id, office_id), figures in found.items():
        row = FeeOfficeRow(fee=fees[fee_id], office=offices[office_id])
        for kind, figure in figures.items():
            row.figures[kind] = figure
            totals[kind].add(figure)
        result.append(row)
    result.sort(key=lambda r: (r.fee.code, r.office.code))
    return OperatorReport(
        tenant=tenant,
        start=start,
        end=end,
        rows=result,
        totals=totals,
        blocked=blocked_outstanding(tenant),
    )


def blocked_outstanding(tenant: Tenant) -> list[BlockedRow]:
    """Now, not in the period: what each payer's valid coupons hold."""
    wallets = (
        Wallet.objects.filter(tenant=tenant, blocked__gt=0)
        .select_related("payer")
        .annotate(valid=Coalesce(Count("coupons", filter=Q(coupons__status=CouponStatus.VALID)), 0))
        .order_by("payer__name", "pk")
    )
    return [BlockedRow(wallet=w, coupons=w.valid, blocked=w.blocked) for w in wallets]


def operator_report_xlsx(report: OperatorReport) -> bytes:
    """Two sheets (`core.documents.xlsx`): per fee and office the count and amount of each kind,
    with a total row; and the funds each payer's valid coupons hold."""
    book = new_workbook()
    _figures_sheet(add_sheet(book, "coupons"), report)
    _blocked_sheet(add_sheet(book, "blocked funds"), report)
    return workbook_bytes(book)


def _figures_sheet(sheet, report: OperatorReport) -> None:
    tenant = report.tenant
    period = f"{report.start.isoformat()} – {report.end.isoformat()}"
    append_row(sheet, [f"{tenant.name} · {period} · {tenant.currency}"])
    header = ["fee", "fee name", "office"]
    for kind in KINDS:
        header += [f"{kind} (count)", f"{kind} (amount)"]
    header_row(sheet, header)
    for row in report.rows:
        line = [row.fee.code, row.fee.name, row.office.code]
        for kind in KINDS:
            line += [row.figures[kind].count, to_major(row.figures[kind].amount)]
        append_row(sheet, line)
    total = ["total", "", ""]
    for kind in KINDS:
        total += [report.totals[kind].count, to_major(report.totals[kind].amount)]
    append_row(sheet, total, bold=True)
    for column in range(5, 4 + 2 * len(KINDS), 2):  # the amounts, beside each count
        number_format(sheet, min_row=3, min_col=column, max_col=column)


def _blocked_sheet(sheet, report: OperatorReport) -> None:
    header_row(
        sheet, ["payer", "tax id", "funding reference", "valid coupons", "blocked"], freeze=False
    )
    for row in report.blocked:
        payer = row.wallet.payer
        append_row(
            sheet,
            [
                payer.name,
                payer.tax_id,
                row.wallet.funding_reference,
                row.coupons,
                to_major(row.blocked),
            ],
        )
    total = ["total", "", "", report.blocked_coupons, to_major(report.blocked_total)]
    append_row(sheet, total, bold=True)
    number_format(sheet, min_row=2, min_col=5, max_col=5)


def coupons_by_status(wallet: Wallet, now) -> list[dict]:
    """A payer's coupons per state, a valid one past its expiry counted as expired."""
    shown = Case(
        When(status=CouponStatus.VALID, expires_at__lte=now, then=Value(str(CouponStatus.EXPIRED))),
        default=F("status"),
        output_field=CharField(),
    )
    found = {
        row["shown"]: row
        for row in Coupon.objects.filter(wallet=wallet)
        .annotate(shown=shown)
        .order_by()
        .values("shown")
        .annotate(count=Count("pk"), amount=Sum("amount"))
    }
    return [
        {
            "status": status,
            "count": found.get(status, {}).get("count", 0),
            "amount": found.get(status, {}).get("amount") or 0,
        }
        for status in CouponStatus.values
    ]


def spending_by_month(wallet: Wallet) -> list[dict]:
    """A payer's used coupons per month (in the tenant's zone) and fee, newest month first."""
    zone = ZoneInfo(wallet.tenant.timezone)
    return list(
        Coupon.objects.filter(wallet=wallet, status=CouponStatus.USED)
        .annotate(month=TruncMonth("used_at", tzinfo=zone))
        .order_by()
        .values("month", "fee__code", "fee__name")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by("-month", "fee__code")
    )
