"""What the operator owes each supplier (`payable:<id>`) and what a supplier owes the operator
(`recoverable:<id>`), read from the ledger — the one truth settling goes by.

A payable never goes below zero: when money flows back (a reversed payment) after the supplier
was paid its share, the part the payable cannot absorb is set aside at once as what the supplier
owes back (`payables_floor`), and the next settlements recover it before paying anything
(`splitting.settlement.payouts`). Left unrecovered for the tenant's `claim_after_days`, it is a
claim on the supplier (`supplier_claims`), shown in its cabinet and the operator's report."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.utils import timezone

from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.models import Entry, LedgerAccount, TransactionKind
from warehouse.models import Supplier, Tenant


@dataclass(frozen=True)
class Position:
    """A supplier's two balances, both ≥ 0 in a sound ledger."""

    payable: int  # the operator owes the supplier
    recoverable: int  # the supplier owes the operator


def _sum(tenant_id: int, code: str) -> int:
    return (
        Entry.objects.filter(
            ledger_account__tenant_id=tenant_id, ledger_account__code=code
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )


def position(tenant_id: int, supplier_id: int) -> Position:
    return Position(
        payable=-_sum(tenant_id, ledger.payable(supplier_id)),
        recoverable=_sum(tenant_id, ledger.recoverable(supplier_id)),
    )


def positions_lock(tenant_id: int, supplier_id: int) -> Position:
    """The supplier's position, read after locking both of its ledger accounts (in the caller's
    transaction): whoever takes from the payable (settling, setting aside) waits for the other,
    so two of them never both take the same money. Payments only add to it and do not wait."""
    ids = ledger.ledger_accounts(
        tenant_id, [ledger.payable(supplier_id), ledger.recoverable(supplier_id)]
    )
    list(
        LedgerAccount.objects.select_for_update()
        .filter(pk__in=sorted(ids.values()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return position(tenant_id, supplier_id)


def payables_floor(*, tenant_id: int, supplier_ids, at: datetime | None = None) -> dict[int, int]:
    """After money flowed back, in the caller's transaction: each supplier whose payable went
    below zero has the shortfall set aside as what it owes back. Returns {supplier: set aside}."""
    moved = {}
    for supplier_id in sorted(set(supplier_ids)):
        shortfall = -positions_lock(tenant_id, supplier_id).payable
        if shortfall <= 0:
            continue
        ledger.transaction_post(
            tenant_id=tenant_id,
            kind=TransactionKind.OVERPAID,
            legs=[
                Leg(ledger.recoverable(supplier_id), shortfall),
                Leg(ledger.payable(supplier_id), -shortfall),
            ],
            memo=f"supplier {supplier_id} was paid more than is now collected for it",
            at=at,
        )
        moved[supplier_id] = shortfall
    return moved


@dataclass(frozen=True)
class Claim:
    """What a supplier owes back, since when (the oldest part not yet recovered), and whether it
    has been owed longer than the tenant allows (then it is a claim on the supplier)."""

    supplier: Supplier
    amount: int
    since: date
    due_by: date
    overdue: bool


def _owed_since(tenant: Tenant, supplier_id: int, owed: int) -> date:
    """The day the oldest part of `owed` was set aside: recoveries take the oldest first, so
    the balance is made of the newest set-asides."""
    zone = ZoneInfo(tenant.timezone)
    rest = owed
    rows = (
        Entry.objects.filter(
            ledger_account__tenant=tenant,
            ledger_account__code=ledger.recoverable(supplier_id),
            amount__gt=0,
        )
        .order_by("-transaction__posted_at", "-pk")
        .values_list("amount", "transaction__posted_at")
    )
    since = timezone.localdate(timezone=zone)
    for amount, posted_at in rows:
        since = posted_at.astimezone(zone).date()
        rest -= amount
        if rest <= 0:
            break
    return since


def supplier_claims(tenant: Tenant, *, today: date | None = None) -> list[Claim]:
    """Every supplier of the tenant that owes the operator something, oldest debt first."""
    today = today or timezone.localdate(timezone=ZoneInfo(tenant.timezone))
    owed = (
        Entry.objects.filter(
            ledger_account__tenant=tenant, ledger_account__code__startswith="recoverable:"
        )
        .values("ledger_account__supplier_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    suppliers = Supplier.objects.in_bulk([r["ledger_account__supplier_id"] for r in owed])
    claims = []
    for row in owed:
        if row["total"] <= 0:
            continue
        supplier_id = row["ledger_account__supplier_id"]
        since = _owed_since(tenant, supplier_id, row["total"])
        due_by = since + timedelta(days=tenant.claim_after_days)
        claims.append(
            Claim(suppliers[supplier_id], row["total"], since, due_by, overdue=today > due_by)
        )
    return sorted(claims, key=lambda claim: (claim.since, claim.supplier.code))
