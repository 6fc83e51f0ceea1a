"""Payments made outside Unibill (a post office, another collector, a bank we get no statement
from), reported afterwards in a CSV file so that documents show as paid:

    account_number,amount,date,channel,external_id
    00000001,1234.50,2026-11-20,post-office,PO-778812

The whole file is checked first and refused whole with a per-line report; then each line is
a payment on the `external` channel whose external id is `<channel>:<external_id>`, so a file
imported again posts nothing new."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from core.encodings import EncodingError, decode_text
from core.money import to_minor
from splitting.core.payments import PaymentConflict, PaymentRefused, payment_post
from splitting.models import Channel
from warehouse.models import Account, AuditEvent, Tenant
from warehouse.reports import FileRejected, LineError

COLUMNS = ("account_number", "amount", "date", "channel", "external_id")


@dataclass(frozen=True)
class OutsideLine:
    line: int
    account: Account
    amount: int
    paid_on: date
    external_id: str


@dataclass(frozen=True)
class OutsideOutcome:
    posted: int
    already: int


def outside_payments_read(*, tenant: Tenant, data: bytes) -> list[OutsideLine]:
    try:
        text = decode_text(data, default=tenant.text_encoding).text
    except EncodingError as exc:
        raise FileRejected([LineError(None, "file", "", str(exc))]) from exc
    sample = text[:2048]
    dialect = ";" if sample.count(";") > sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=dialect))
    if not rows or [c.strip().lower() for c in rows[0]] != list(COLUMNS):
        raise FileRejected(
            [LineError(1, "header", ",".join(rows[0]) if rows else "", f"expected {COLUMNS}")]
        )
    numbers = {row[0].strip() for row in rows[1:] if row}
    accounts = {
        a.account_number: a
        for a in Account.objects.filter(tenant=tenant, account_number__in=numbers).only(
            "pk", "tenant_id", "account_number"
        )
    }
    errors: list[LineError] = []
    lines: list[OutsideLine] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            errors.append(LineError(number, "line", ",".join(row), f"{len(COLUMNS)} columns"))
            continue
        account_number, amount, paid_on, channel, external_id = (c.strip() for c in row)
        account = accounts.get(account_number)
        if account is None:
            errors.append(LineError(number, "account_number", account_number, "no such account"))
        try:
            minor = to_minor(amount)
            if minor <= 0:
                raise ValueError("the amount must be positive")
        except ValueError as problem:
            errors.append(LineError(number, "amount", amount, str(problem)))
            minor = 0
        try:
            day = date.fromisoformat(paid_on)
        except ValueError:
            errors.append(LineError(number, "date", paid_on, "a date is YYYY-MM-DD"))
            day = None
        if not channel or not external_id:
            errors.append(LineError(number, "external_id", external_id, "channel and id needed"))
        key = f"{channel}:{external_id}"[:100]
        if key in seen:
            errors.append(
                LineError(number, "external_id", external_id, f"also on line {seen[key]}")
            )
        seen[key] = number
        if account is not None and minor > 0 and day is not None and channel and external_id:
            lines.append(OutsideLine(number, account, minor, day, key))
    if errors:
        raise FileRejected(errors)
    if not lines:
        raise FileRejected([LineError(None, "file", "", "no payments in the file")])
    return lines


def outside_payments_import(*, tenant: Tenant, data: bytes, actor=None) -> OutsideOutcome:
    lines = outside_payments_read(tenant=tenant, data=data)
    zone = ZoneInfo(tenant.timezone)
    posted = already = 0
    for line in lines:
        try:
            outcome = payment_post(
                tenant=tenant,
                account=line.account,
                amount=line.amount,
                channel=Channel.EXTERNAL,
                external_id=line.external_id,
                received_at=datetime.combine(line.paid_on, time(12), tzinfo=zone),
            )
        except (PaymentConflict, PaymentRefused) as refused:
            raise FileRejected(
                [LineError(line.line, "external_id", line.external_id, refused.message)],
                message=f"stopped at line {line.line}; the lines before it are posted "
                "(importing the corrected file again posts only the rest)",
            ) from None
        posted += outcome.created
        already += not outcome.created
    AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        action="outside_payments.imported",
        detail={"posted": posted, "already": already},
    )
    return OutsideOutcome(posted, already)
