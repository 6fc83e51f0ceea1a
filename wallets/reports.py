"""The operator's coupon report: per fee and office, the coupons issued, redeemed, expired and
cancelled in a period, and the funds that coupons still hold per corporate payer. One tenant at
a time (one currency; the period's days are the tenant's). Amounts in minor units; the XLSX
writes them as exact decimals."""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

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


def _major(amount: int) -> Decimal:
    return Decimal(amount) / 100


def operator_report_xlsx(report: OperatorReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    money_format = "#,##0.00"
    book = Workbook()
    sheet = book.active
    sheet.title = "coupons"
    sheet.append(
        [
            f"{report.tenant.name} · {report.start.isoformat()} – {report.end.isoformat()} · "
            f"{report.tenant.currency}"
        ]
    )
    header = ["fee", "fee name", "office"]
    for kind in KINDS:
        header += [f"{kind} (count)", f"{kind} (amount)"]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in report.rows:
        line = [row.fee.code, row.fee.name, row.office.code]
        for kind in KINDS:
            line += [row.figures[kind].count, _major(row.figures[kind].amount)]
        sheet.append(line)
    total = ["total", "", ""]
    for kind in KINDS:
        total += [report.totals[kind].count, _major(report.totals[kind].amount)]
    sheet.append(total)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3):
        for cell in row[4::2]:
            cell.number_format = money_format
    sheet.freeze_panes = "A3"

    blocked = book.create_sheet("blocked funds")
    blocked.append(["payer", "tax id", "funding reference", "valid coupons", "blocked"])
    for cell in blocked[1]:
        cell.font = Font(bold=True)
    for row in report.blocked:
        blocked.append(
            [
                row.wallet.payer.name,
                row.wallet.payer.tax_id,
                row.wallet.funding_reference,
                row.coupons,
                _major(row.blocked),
            ]
        )
    blocked.append(["total", "", "", report.blocked_coupons, _major(report.blocked_total)])
    for cell in blocked[blocked.max_row]:
        cell.font = Font(bold=True)
    for row in blocked.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = money_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
