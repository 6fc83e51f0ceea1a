"""Reconciliation per channel and day: what the bank, the provider or the terminal processor
says it paid against what we booked.

- Bank: the statement's credits booked on that day, each against what we made of it — the
  payments booked from it, what was refunded to the payer or taken for a supplier's claim, or,
  for a credit the matcher gave to something other than an account (a corporate wallet's
  funding, a payout the bank returned), its own booking, made with the credit in one
  transaction. What still waits in suspense is its own bucket (not ours yet, not lost either).
  Then our bank payments booked that day (tenant time) that come from no statement credit.
- Providers and terminal processors: their settlement file (CSV `external_id,amount` with
  optional `fee` and `date` columns), against the payments booked on that channel that day
  (tenant time zone), matched by external id. A provider that reports what the payer paid —
  our amount plus the provider's fee of the checkout — matches; a `fee` column is taken off
  the amount it stands next to.

Every line has one status (`ReconciliationStatus`); `Reconciliation.buckets` counts and sums
them. Amounts in minor units."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    workbook_bytes,
)
from core.money import format_currency, to_major, to_minor
from splitting.models import (
    BankCredit,
    Channel,
    Checkout,
    ClaimRepayment,
    CreditStatus,
    Payment,
    PaymentStatus,
)
from warehouse.models import Tenant
from warehouse.reports import FileRejected, LineError


class ReconciliationStatus(models.TextChoices):
    MATCHED = "matched", pgettext_lazy("reconciliation", "Matched")
    MISSING_OURS = "missing_ours", gettext_lazy("Only theirs: not booked by us")
    MISSING_THEIRS = "missing_theirs", gettext_lazy("Only ours: not in their report")
    AMOUNT_DIFFERS = "amount_differs", gettext_lazy("Amounts differ")
    IN_SUSPENSE = "in_suspense", gettext_lazy("Waits in suspense")


MATCHED = ReconciliationStatus.MATCHED
MISSING_OURS = ReconciliationStatus.MISSING_OURS
MISSING_THEIRS = ReconciliationStatus.MISSING_THEIRS
AMOUNT_DIFFERS = ReconciliationStatus.AMOUNT_DIFFERS
IN_SUSPENSE = ReconciliationStatus.IN_SUSPENSE

# The order of the buckets on the page: what needs work first.
BUCKET_ORDER = (MATCHED, MISSING_OURS, MISSING_THEIRS, AMOUNT_DIFFERS, IN_SUSPENSE)


@dataclass(frozen=True)
class ReconciliationLine:
    key: str
    theirs: int | None
    ours: int | None
    status: str
    note: str = ""

    @property
    def status_label(self) -> str:
        return str(ReconciliationStatus(self.status).label)

    @property
    def difference(self) -> int:
        """Theirs minus ours (a side that has nothing counts 0)."""
        return (self.theirs or 0) - (self.ours or 0)


@dataclass(frozen=True)
class Bucket:
    """The lines of one status: how many, and their sums on each side."""

    status: str
    count: int
    theirs: int
    ours: int

    @property
    def label(self) -> str:
        return str(ReconciliationStatus(self.status).label)

    @property
    def amount(self) -> int:
        """The one sum that says what the bucket is about: what matched, what only they have,
        what only we have, by how much the amounts differ (theirs − ours), what waits."""
        if self.status == MISSING_THEIRS:
            return self.ours
        if self.status == AMOUNT_DIFFERS:
            return self.theirs - self.ours
        if self.status == IN_SUSPENSE:
            return self.theirs - self.ours
        return self.theirs


@dataclass(frozen=True)
class Reconciliation:
    tenant: Tenant
    channel: str
    day: date
    lines: list[ReconciliationLine]

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def buckets(self) -> list[Bucket]:
        """One per status, in `BUCKET_ORDER`, empty ones included (a zero is an answer)."""
        return [
            Bucket(
                status,
                sum(1 for line in self.lines if line.status == status),
                sum(line.theirs or 0 for line in self.lines if line.status == status),
                sum(line.ours or 0 for line in self.lines if line.status == status),
            )
            for status in BUCKET_ORDER
        ]

    @property
    def mismatches(self) -> int:
        return sum(1 for line in self.lines if line.status != MATCHED)

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def theirs_total(self) -> int:
        return sum(line.theirs or 0 for line in self.lines)

    @property
    def ours_total(self) -> int:
        return sum(line.ours or 0 for line in self.lines)

    @property
    def difference_total(self) -> int:
        return self.theirs_total - self.ours_total


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


def _sums(queryset, key: str) -> dict[int, int]:
    return {row[key]: row["total"] for row in queryset.values(key).annotate(total=Sum("amount"))}


def _credit_line(
    tenant: Tenant, credit: BankCredit, booked: int | None, repaid: int, *, paid: bool
) -> ReconciliationLine:
    """A statement credit against what we made of it: `booked` the sum of its booked payments
    (None: none), `repaid` what suppliers' claims took of it, `paid` whether any payment, even
    a reversed one, was ever made from it."""
    money = lambda amount: format_currency(amount, tenant)  # noqa: E731
    notes = []
    if not paid and not repaid and not credit.refunded and not credit.parked:
        if credit.status == CreditStatus.RETURN:
            notes.append(_("a payout the bank returned, booked back to the supplier"))
            booked = credit.amount
        elif credit.status == CreditStatus.MATCHED:
            notes.append(_("booked directly, not as an account's payment (e.g. wallet funding)"))
            booked = credit.amount
    handled = (booked or 0) + credit.refunded + repaid
    if credit.refunded:
        notes.append(_("%(amount)s refunded to the payer") % {"amount": money(credit.refunded)})
    if repaid:
        notes.append(_("%(amount)s paid back by a supplier") % {"amount": money(repaid)})
    if credit.open_amount:
        notes.append(_("%(amount)s waits in suspense") % {"amount": money(credit.open_amount)})
        status = IN_SUSPENSE
    elif handled == credit.amount:
        status = MATCHED
    else:
        status = MISSING_OURS if not handled else AMOUNT_DIFFERS
    ours = handled if handled or booked is not None else None
    return ReconciliationLine(credit.bank_reference, credit.amount, ours, status, "; ".join(notes))


def reconcile_bank(*, tenant: Tenant, day: date) -> Reconciliation:
    credits = list(BankCredit.objects.filter(tenant=tenant, booked_on=day).order_by("pk"))
    made = Payment.objects.filter(bank_credit__in=credits)
    booked = _sums(made.filter(status=PaymentStatus.BOOKED), "bank_credit_id")
    paid = set(made.values_list("bank_credit_id", flat=True))
    repaid = _sums(ClaimRepayment.objects.filter(credit__in=credits), "credit_id")
    lines = [
        _credit_line(tenant, c, booked.get(c.pk), repaid.get(c.pk, 0), paid=c.pk in paid)
        for c in credits
    ]
    unstated = _booked_on(tenant, Channel.BANK, day).filter(bank_credit__isnull=True)
    for payment in unstated.order_by("pk"):
        lines.append(
            ReconciliationLine(
                payment.external_id,
                None,
                payment.amount,
                MISSING_THEIRS,
                _("booked as a bank transfer, but on no statement"),
            )
        )
    return Reconciliation(tenant, Channel.BANK, day, lines)


def settlement_read(data: bytes) -> dict[str, int]:
    """A provider's or processor's settlement: `external_id,amount[,fee][,date]` per line,
    with that header. With a `fee` column, the amount that counts is `amount − fee` (what the
    partner pays us after keeping its fee)."""
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:500] else ","))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    if header[:2] != ["external_id", "amount"]:
        raise FileRejected(
            [LineError(1, "header", "", _("expected external_id,amount[,fee][,date]"))]
        )
    fee_at = header.index("fee") if "fee" in header else None
    reported: dict[str, int] = {}
    errors = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        key = row[0].strip()
        try:
            amount = to_minor(row[1])
            if fee_at is not None and fee_at < len(row) and row[fee_at].strip():
                amount -= to_minor(row[fee_at])
        except (ValueError, IndexError):
            errors.append(LineError(number, "amount", ",".join(row), _("not an amount")))
            continue
        reported[key] = reported.get(key, 0) + amount
    if errors:
        raise FileRejected(errors)
    return reported


def reconcile_settlement(
    *, tenant: Tenant, channel: str, day: date, reported: dict[str, int], prefix: str = ""
) -> Reconciliation:
    """`prefix`: how our external ids start for this partner (a terminal processor's
    `<code>:`), so its settlement's bare ids match ours."""
    payments = list(_booked_on(tenant, channel, day).filter(external_id__startswith=prefix))
    ours = {p.external_id.removeprefix(prefix): p.amount for p in payments}
    fees: dict[str, int] = {}
    if channel == Channel.PROVIDER:
        by_payment = {p.pk: p.external_id.removeprefix(prefix) for p in payments}
        for payment_id, fee in Checkout.objects.filter(
            payment_id__in=list(by_payment), fee__gt=0
        ).values_list("payment_id", "fee"):
            fees[by_payment[payment_id]] = fee
    lines = []
    for key in sorted(set(ours) | set(reported)):
        theirs, mine = reported.get(key), ours.get(key)
        status, note = _status(theirs, mine), ""
        fee = fees.get(key, 0)
        if status == AMOUNT_DIFFERS and fee and theirs == mine + fee:
            status = MATCHED
            note = _("theirs includes the provider's fee of %(fee)s") % {
                "fee": format_currency(fee, tenant)
            }
        lines.append(ReconciliationLine(key, theirs, mine, status, note))
    return Reconciliation(tenant, channel, day, lines)


def reconciliation_xlsx(result: Reconciliation) -> bytes:
    """The result as a spreadsheet: the heading, one row per line with its status in words,
    the totals, then the buckets."""
    book = new_workbook()
    sheet = add_sheet(book, _("reconciliation"))
    append_row(
        sheet,
        [f"{result.tenant.name} · {result.channel_label} · {result.day.strftime('%d.%m.%Y')}"],
    )
    header_row(sheet, [_("Reference"), _("Theirs"), _("Ours"), _("Status"), _("Note")])
    for line in result.lines:
        append_row(
            sheet,
            [
                line.key,
                None if line.theirs is None else to_major(line.theirs),
                None if line.ours is None else to_major(line.ours),
                line.status_label,
                line.note,
            ],
        )
    append_row(sheet, [_("Total"), to_major(result.theirs_total), to_major(result.ours_total)])
    append_row(sheet, [])
    header_row(sheet, [_("Status"), _("Theirs"), _("Ours"), _("Lines")], freeze=False)
    for bucket in result.buckets:
        append_row(
            sheet, [bucket.label, to_major(bucket.theirs), to_major(bucket.ours), bucket.count]
        )
    number_format(sheet, min_row=3, min_col=2, max_col=3)
    return workbook_bytes(book)
