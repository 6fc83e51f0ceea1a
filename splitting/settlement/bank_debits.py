"""What the bank says of the payouts, read from its statements: a debit that names a payout (its
EndToEndId in camt; the EndToEndId in the payment purpose in 1C and MT940) with the payout's
amount confirms it; a credit that names a sent or confirmed payout with its amount is the bank
returning it — the money is back, the supplier's payable holds it again and the registry has it
to pay again. A debit no payout explains waits for staff on the debit side of the suspense queue.
Each statement line is kept once (its dedupe key): importing a statement again changes nothing."""

import re

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from integrations.statements.types import StatementCredit, StatementDebit
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.core.outbox import events_enqueue, supplier_event_write
from splitting.models import (
    BankCredit,
    BankDebit,
    BankDebitStatus,
    CreditStatus,
    Payout,
    PayoutStatus,
    RegistryStatus,
    StatementImport,
    TransactionKind,
)
from splitting.settlement.payouts import payout_body
from warehouse.models import AuditEvent, Tenant

PAYOUT_CONFIRMED = "payout.confirmed"
PAYOUT_RETURNED = "payout.returned"
_E2E_TOKEN = re.compile(r"\bR\d{8}-\d+-\d+(?:-\d+)?\b")


def _names(end_to_end_id: str, text: str) -> list[str]:
    """The EndToEndIds a statement line may name: its own, then any in its payment purpose."""
    return ([end_to_end_id] if end_to_end_id else []) + _E2E_TOKEN.findall(text or "")


def _named(tenant: Tenant, end_to_end_id: str, text: str, amount: int, statuses) -> Payout | None:
    """The payout a statement line names, with the payout's own amount (locked)."""
    for name in _names(end_to_end_id, text):
        payout = (
            Payout.objects.select_for_update()
            .filter(tenant=tenant, end_to_end_id=name, status__in=statuses, amount=amount)
            .first()
        )
        if payout is not None:
            return payout
    return None


def _announce(payout: Payout, event: str, extra: dict, at) -> None:
    written = supplier_event_write(
        supplier=payout.supplier,
        event=event,
        body={"payout": {**payout_body(payout), **extra}},
        at=at,
    )
    events_enqueue([written] if written else [])


def _keys(line) -> list[str]:
    """A statement line's key and the keys the same line was stored under before."""
    return [key[:200] for key in (line.dedupe_key, *line.alternate_keys)]


@transaction.atomic
def debit_book(
    *, tenant: Tenant, record: StatementImport, debit: StatementDebit
) -> BankDebit | None:
    """Keeps a statement debit (None when it was kept before) and confirms the payout it names."""
    if BankDebit.objects.filter(tenant=tenant, dedupe_key__in=_keys(debit)).exists():
        return None
    payout = _named(tenant, debit.end_to_end_id, debit.free_text, debit.amount, [PayoutStatus.SENT])
    row = BankDebit.objects.create(
        tenant=tenant,
        statement=record,
        dedupe_key=debit.dedupe_key,
        amount=debit.amount,
        currency=debit.currency,
        booked_on=debit.booked_on,
        bank_reference=debit.bank_reference[:100],
        end_to_end_id=debit.end_to_end_id[:100],
        free_text=debit.free_text,
        counterparty_name=debit.counterparty_name[:200],
        counterparty_account=debit.counterparty_account[:34],
        document_number=debit.document_number[:20],
        status=BankDebitStatus.MATCHED if payout else BankDebitStatus.UNMATCHED,
    )
    if payout is not None:
        now = timezone.now()
        payout.status, payout.confirmed_by, payout.confirmed_at = PayoutStatus.CONFIRMED, row, now
        payout.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        _announce(payout, PAYOUT_CONFIRMED, {"booked_on": f"{debit.booked_on:%Y-%m-%d}"}, now)
    return row


def payout_returned(tenant: Tenant, credit: StatementCredit) -> Payout | None:
    """The live payout a statement credit gives back, if it is one (read without a lock; the
    booking locks it)."""
    names = _names(credit.end_to_end_id, credit.free_text)
    return (
        Payout.objects.filter(
            tenant=tenant,
            end_to_end_id__in=names,
            amount=credit.amount,
            status__in=[PayoutStatus.SENT, PayoutStatus.CONFIRMED],
        ).first()
        if names
        else None
    )


@transaction.atomic
def payout_return(
    *, tenant: Tenant, record: StatementImport, credit: StatementCredit
) -> Payout | None:
    """Books a credit that returns a payout: the money back in the bank account, the payable
    again, the registry to settle again. None when the credit was booked before or names no
    live payout (then it is an ordinary credit)."""
    if BankCredit.objects.filter(tenant=tenant, dedupe_key__in=_keys(credit)).exists():
        return None
    payout = _named(
        tenant,
        credit.end_to_end_id,
        credit.free_text,
        credit.amount,
        [PayoutStatus.SENT, PayoutStatus.CONFIRMED],
    )
    if payout is None:
        return None
    now = timezone.now()
    row = BankCredit.of_line(
        tenant, record, credit, status=CreditStatus.RETURN, match_rule="payout_return"
    )
    row.save()
    txn = ledger.transaction_post(
        tenant_id=tenant.pk,
        kind=TransactionKind.RETURN,
        legs=[
            Leg(ledger.BANK, payout.amount),
            Leg(ledger.payable(payout.supplier_id), -payout.amount),
        ],
        memo=f"payout {payout.end_to_end_id} returned by the bank",
        at=now,
    )
    reason = getattr(credit, "return_reason", "") or ""
    payout.status, payout.returned_by, payout.returned_at = PayoutStatus.RETURNED, row, now
    payout.return_transaction, payout.return_reason = txn, reason[:200]
    payout.save(
        update_fields=[
            "status",
            "returned_by",
            "returned_at",
            "return_transaction",
            "return_reason",
        ]
    )
    registry = payout.registry
    registry.taken -= payout.amount
    registry.status = RegistryStatus.BUILT
    registry.save(update_fields=["taken", "status"])
    AuditEvent.objects.create(
        tenant=tenant,
        action="payout.returned",
        detail={"payout": payout.end_to_end_id, "amount": payout.amount, "reason": reason},
    )
    _announce(payout, PAYOUT_RETURNED, {"reason": reason}, now)
    return payout


@transaction.atomic
def debit_clear(*, debit: BankDebit, note: str, actor) -> BankDebit:
    """Staff explain an unmatched debit (a bank fee, a transfer of the operator's own)."""
    debit = BankDebit.objects.select_for_update().get(pk=debit.pk)
    if debit.status != BankDebitStatus.UNMATCHED:
        raise ApplicationError("the debit is not waiting in the queue", code="not_unmatched")
    note = (note or "").strip()
    if not note:
        raise ApplicationError("say what the debit was", code="note_required")
    debit.status, debit.note = BankDebitStatus.CLEARED, note[:300]
    debit.save(update_fields=["status", "note"])
    AuditEvent.objects.create(
        tenant_id=debit.tenant_id,
        actor=actor,
        action="bank_debit.cleared",
        detail={"debit": debit.pk, "amount": debit.amount, "note": debit.note},
    )
    return debit
