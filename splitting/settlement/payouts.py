"""Settling a registry and paying the supplier: what the registry still has to pay comes out of
the supplier's payable — never more than the payable holds (`splitting.core.payables`) — what
the supplier owes back is recovered from it first, and the rest is a payout, booked together
with its payment-order file in one database transaction (a writer that refuses the bank details
books nothing). One registry's payout gets its own file; a day's settlement of all the tenant's
registries gets one file for the bank with every payout in it.

The bank then confirms a payout (a statement debit that names it) or returns it (a credit that
names it); a return gives the amount back to the supplier's payable and the registry something
to pay again (`splitting.settlement.bank_debits`)."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from core.money import format_minor
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.core.outbox import events_enqueue, supplier_event_write
from splitting.core.payables import Position, position, positions_lock
from splitting.models import (
    Payout,
    PayoutFile,
    PayoutStatus,
    Registry,
    RegistryStatus,
    TransactionKind,
)
from splitting.settlement.flows import flows_on_payouts
from splitting.settlement.orders import (
    orders_file,
    payment_order_format,
)
from warehouse.models import AuditEvent, Tenant

PAYOUT_SENT = "payout.sent"


@dataclass(frozen=True)
class Settlement:
    """What settling a registry did: taken out of the payable, of it recovered (what the
    supplier owed back) and paid out (the payout, if any)."""

    registry: Registry
    taken: int
    recovered: int
    payout: Payout | None


@dataclass
class DaySettlement:
    settled: list[Settlement] = field(default_factory=list)
    refused: list[tuple[Registry, str]] = field(default_factory=list)
    file: PayoutFile | None = None

    @property
    def payouts(self) -> list[Payout]:
        return [s.payout for s in self.settled if s.payout is not None]


def _end_to_end_id(registry: Registry) -> str:
    """The registry's number for its first payout; `<number>-2`, `-3` … for a payout again
    after the bank returned one."""
    earlier = Payout.objects.filter(registry=registry).count()
    return registry.number if not earlier else f"{registry.number}-{earlier + 1}"


def split(want: int, available: Position) -> tuple[int, int]:
    """(taken, recovered): a registry that still has `want` to pay takes it out of the payable,
    no more than the payable holds, and what the supplier owes back comes off it first."""
    taken = min(want, max(available.payable, 0)) if want > 0 else 0
    return taken, min(max(available.recoverable, 0), taken)


@dataclass(frozen=True)
class Preview:
    want: int
    available: Position
    taken: int
    recovered: int

    @property
    def paid(self) -> int:
        return self.taken - self.recovered


def settlement_preview(registry: Registry) -> Preview:
    """What settling the registry now would do (for the confirmation page; nothing locked)."""
    want = registry.net - registry.taken
    available = position(registry.tenant_id, registry.supplier_id)
    return Preview(want, available, *split(want, available))


def _settle(registry: Registry, *, actor, at: datetime) -> Settlement:
    """Inside the caller's transaction, the registry locked and not yet settled."""
    want = registry.net - registry.taken
    taken = recovered = 0
    payout = None
    if want > 0:
        taken, recovered = split(want, positions_lock(registry.tenant_id, registry.supplier_id))
    paid = taken - recovered
    if taken:
        supplier_id = registry.supplier_id
        txn = ledger.transaction_post(
            tenant_id=registry.tenant_id,
            kind=TransactionKind.PAYOUT if paid else TransactionKind.OFFSET,
            legs=[
                Leg(ledger.payable(supplier_id), taken),
                Leg(ledger.recoverable(supplier_id), -recovered),
                Leg(ledger.BANK, -paid),
            ],
            memo=f"settlement of registry {registry.number}"
            + (f", {format_minor(recovered)} recovered" if recovered else ""),
            at=at,
        )
        if paid:
            payout = Payout.objects.create(
                tenant_id=registry.tenant_id,
                supplier_id=supplier_id,
                registry=registry,
                amount=paid,
                end_to_end_id=_end_to_end_id(registry),
                transaction=txn,
                created_at=at,
                actor=actor,
            )
    registry.taken += taken
    registry.recovered += recovered
    registry.status = RegistryStatus.PAID if paid else RegistryStatus.NETTED
    registry.settled_at = at
    registry.save(update_fields=["taken", "recovered", "status", "settled_at"])
    AuditEvent.objects.create(
        tenant_id=registry.tenant_id,
        actor=actor,
        action="registry.settled",
        detail={"registry": registry.number, "taken": taken, "recovered": recovered, "paid": paid},
    )
    return Settlement(registry, taken, recovered, payout)


def _settled(registry: Registry) -> Settlement:
    """A registry settled before: what it did, as it stands."""
    live = registry.payouts.exclude(status=PayoutStatus.RETURNED).first()
    return Settlement(registry, registry.taken, registry.recovered, live)


def _file_write(tenant, payouts, *, day, file_format, at, actor) -> PayoutFile:
    try:
        content, filename = orders_file(
            tenant, payouts, day=day, file_format=file_format, created_at=at
        )
    except ValueError as error:
        raise ApplicationError(
            f"the {file_format} payment order cannot be written: {error}", code="bad_bank_details"
        ) from None
    record = PayoutFile.objects.create(
        tenant=tenant,
        day=day,
        format=file_format,
        filename=filename,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=at,
        actor=actor,
    )
    Payout.objects.filter(pk__in=[p.pk for p in payouts]).update(file=record)
    for payout in payouts:
        payout.file = record
    return record


def _announce(payouts: list[Payout], at: datetime) -> None:
    """The suppliers hear of their payouts (webhook), and their "on each payout" flows make
    their files — in the payouts' transaction, sent after commit."""
    flows_on_payouts(payouts, at)
    events = []
    for payout in payouts:
        registry = payout.registry
        event = supplier_event_write(
            supplier=registry.supplier,
            event=PAYOUT_SENT,
            body={
                "payout": payout_body(payout),
                "registry": {
                    "number": registry.number,
                    "day": f"{registry.day:%Y-%m-%d}",
                    "net": format_minor(registry.net),
                    "recovered": format_minor(registry.recovered),
                },
            },
            at=at,
        )
        if event is not None:
            events.append(event)
    events_enqueue(events)


def payout_body(payout: Payout) -> dict:
    return {
        "end_to_end_id": payout.end_to_end_id,
        "amount": format_minor(payout.amount),
        "status": payout.status,
        "created_at": payout.created_at.isoformat(),
    }


@transaction.atomic(durable=True)
def registry_settle(*, registry: Registry, actor=None, file_format: str = "") -> Settlement:
    """Settles one registry: its payout (if any) and that payout's own payment-order file, or
    nothing to pay. Settling a settled registry again returns what it did."""
    registry = (
        Registry.objects.select_for_update()
        .select_related("tenant", "supplier")
        .get(pk=registry.pk)
    )
    if registry.status != RegistryStatus.BUILT:
        return _settled(registry)
    at = timezone.now()
    settlement = _settle(registry, actor=actor, at=at)
    if settlement.payout is not None:
        file_format = file_format or payment_order_format(registry.tenant)
        _file_write(
            registry.tenant,
            [settlement.payout],
            day=registry.day,
            file_format=file_format,
            at=at,
            actor=actor,
        )
        _announce([settlement.payout], at)
    return settlement


def payout_create(*, registry: Registry, actor=None, file_format: str = "") -> Payout | None:
    """The registry's payout (settling it, if it is not settled yet); None when there was
    nothing to pay."""
    return registry_settle(registry=registry, actor=actor, file_format=file_format).payout


@transaction.atomic(durable=True)
def day_settle(*, tenant: Tenant, day: date, actor=None, file_format: str = "") -> DaySettlement:
    """Settles every registry of the tenant's `day` still to settle, with ONE payment-order
    file for all the payouts. A registry whose supplier's bank details the format cannot carry
    is left unsettled and named in `refused`; the others go ahead."""
    file_format = file_format or payment_order_format(tenant)
    at = timezone.now()
    result = DaySettlement()
    registries = (
        Registry.objects.select_for_update(of=("self",))
        .select_related("tenant", "supplier")
        .filter(tenant=tenant, day=day, status=RegistryStatus.BUILT)
        .order_by("supplier__code", "pk")
    )
    for registry in registries:
        try:
            with transaction.atomic():  # a savepoint: a refused registry books nothing
                settlement = _settle(registry, actor=actor, at=at)
                if settlement.payout is not None:
                    try:
                        orders_file(
                            tenant,
                            [settlement.payout],
                            day=day,
                            file_format=file_format,
                            created_at=at,
                        )
                    except ValueError as error:
                        raise ApplicationError(str(error), code="bad_bank_details") from None
        except ApplicationError as refusal:
            registry.refresh_from_db()
            result.refused.append((registry, refusal.message))
            continue
        result.settled.append(settlement)
    if result.payouts:
        result.file = _file_write(
            tenant, result.payouts, day=day, file_format=file_format, at=at, actor=actor
        )
        _announce(result.payouts, at)
    return result
