"""What both renderings of the wallet statement (PDF and XLSX) write the same way: the columns
of the movements' table and a movement's description."""

from __future__ import annotations

from wallets.models import MovementKind
from wallets.selectors import StatementLine
from wallets.services.coupons import identifier_format

# The columns of the movements' table, as label keys (`texts.LABELS`): when, what, and the
# changes and balances after, amounts from the fourth column on.
MOVEMENT_COLUMNS = (
    "date",
    "kind",
    "description",
    "available_change",
    "blocked_change",
    "available_after",
    "blocked_after",
)


def movement_description(line: StatementLine, L: dict) -> str:
    """The bank reference of a funding, the fee and count of an issue, the coupon and case of a
    use, the coupon and reason of a release."""
    m = line.movement
    if m.kind == MovementKind.FUNDING:
        parts = [f"{L['bank_ref']} {m.bank_credit.bank_reference}"] if m.bank_credit_id else []
        return " · ".join(parts + ([m.memo] if m.memo else []))
    if m.kind == MovementKind.BLOCK:
        if m.batch_id:
            return f"{m.batch.fee.name} ({m.batch.fee.code}) × {m.batch.count}"
        return m.memo
    coupon = identifier_format(m.coupon.identifier) if m.coupon_id else ""
    if m.kind == MovementKind.REDEEM:
        return f"{coupon} · {L['case']} {m.coupon.case_reference or m.memo}"
    return f"{coupon} · {L['released'].get(m.memo, m.memo)}"
