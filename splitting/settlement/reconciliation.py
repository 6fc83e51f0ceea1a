"""Reconciliation per channel and day: what the bank, the provider or the terminal processor
says it paid against what we booked.

- Bank: the statement's credits of that day against the payments booked from them (matched,
  or assigned from suspense) — a credit still waiting in suspense is missing on our side.
- Providers and terminal processors: their settlement file (CSV `external_id,amount` with an
  optional `date`), against the payments booked on that channel that day (tenant time zone),
  matched by external id.
Amounts in minor units."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Sum

from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    workbook_bytes,
)
from core.money import to_major, to_minor
from splitting.models import BankCredit, Channel, Payment, PaymentStatus
from warehouse.models import Tenant
from warehouse.reports import FileRejected, LineError

MATCHED = "matched"
MISSING_OURS = "missing_ours"
MISSING_THEIRS = "missing_theirs"
AMOUNT_DIFFERS = "amount_differs"


@dataclass(frozen=True)
class ReconciliationLine:
    key: str
    theirs: int | None
    ours: int | None
    status: str
    note: str = ""


@dataclass(frozen=True)
class Reconciliation:
    tenant: Tenant
    channel: str
    day: date
    lines: list[ReconciliationLine]

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def theirs_total(self) -> int:
        return sum(line.theirs or 0 for line in self.lines)

    @property
    def ours_total(self) -> int:
        return sum(line.ours or 0 for line in self.lines)


def _status(theirs: int | None, ours: int | None) -> str:
    if ours is None:
        return MISSING_OURS
    if theirs is None:
        return MISSING_THEIRS
    return MATCHED if theirs == ours else AMOUNT_DIFFERS


def _booked_on(tenant: Tenant, channel: str, day: date):
    zone = ZoneInfo(tenant.timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return Payment.objects.filter(
        tenant=tenant,
        channel=channel,
        status=PaymentStatus.BOOKED,
        booked_at__gte=start,
        booked_at__lt=start + timedelta(days=1),
    )


def reconcile_bank(*, tenant: Tenant, day: date) -> Reconciliation:
    credits = list(BankCredit.objects.filter(tenant=tenant, booked_on=day).order_by("pk"))
    booked = defaultdict(int)
    for row in (
        Payment.objects.filter(bank_credit__in=credits, status=PaymentStatus.BOOKED)
        .values("bank_credit_id")
        .annotate(total=Sum("amount"))
    ):
        booked[row["bank_credit_id"]] = row["total"]
    lines = []
    for credit in credits:
        ours = booked.get(credit.pk)
        handled = (ours or 0) + credit.refunded
        note = ""
        if credit.open_amount:
            note = f"{credit.open_amount} waits in suspense"
        elif credit.refunded:
            note = f"{credit.refunded} refunded to the payer"
        status = (
            MATCHED
            if handled == credit.amount and not credit.open_amount
            else (MISSING_OURS if ours is None else AMOUNT_DIFFERS)
        )
        lines.append(ReconciliationLine(credit.bank_reference, credit.amount, ours, status, note))
    unstated = _booked_on(tenant, Channel.BANK, day).filter(bank_credit__isnull=True)
    for payment in unstated.order_by("pk"):
        lines.append(
            ReconciliationLine(
                payment.external_id, None, payment.amount, MISSING_THEIRS, "on no statement"
            )
        )
    return Reconciliation(tenant, Channel.BANK, day, lines)


def settlement_read(data: bytes) -> dict[str, int]:
    """A provider's or processor's settlement: `external_id,amount[,date]` per line."""
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:500] else ","))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["external_id", "amount"]:
        raise FileRejected([LineError(1, "header", "", "expected external_id,amount[,date]")])
    reported: dict[str, int] = {}
    errors = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        key = row[0].strip()
        try:
            reported[key] = reported.get(key, 0) + to_minor(row[1])
        except (ValueError, IndexError):
            errors.append(LineError(number, "amount", ",".join(row), "not an amount"))
    if errors:
        raise FileRejected(errors)
    return reported


def reconcile_settlement(
    *, tenant: Tenant, channel: str, day: date, reported: dict[str, int], prefix: str = ""
) -> Reconciliation:
    """`prefix`: how our external ids start for this partner (a terminal processor's
    `<code>:`), so its settlement's bare ids match ours."""
    ours = {
        p.external_id.removeprefix(prefix): p.amount
        for p in _booked_on(tenant, channel, day).filter(external_id__startswith=prefix)
    }
    keys = sorted(set(ours) | set(reported))
    return Reconciliation(
        tenant,
        channel,
        day,
        [
            ReconciliationLine(
                key, reported.get(key), ours.get(key), _status(reported.get(key), ours.get(key))
            )
            for key in keys
        ],
    )


def reconciliation_xlsx(result: Reconciliation) -> bytes:
    book = new_workbook()
    sheet = add_sheet(book, "reconciliation")
    append_row(sheet, [f"{result.tenant.code} · {result.channel} · {result.day.isoformat()}"])
    header_row(sheet, ["key", "theirs", "ours", "status", "note"])
    for line in result.lines:
        append_row(
            sheet,
            [
                line.key,
                None if line.theirs is None else to_major(line.theirs),
                None if line.ours is None else to_major(line.ours),
                line.status,
                line.note,
            ],
        )
    append_row(sheet, ["total", to_major(result.theirs_total), to_major(result.ours_total)])
    number_format(sheet, min_row=3, min_col=2, max_col=3)
    return workbook_bytes(book)
