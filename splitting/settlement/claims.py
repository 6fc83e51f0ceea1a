"""A supplier paying back what it owes the operator (reversals of money it had already been
paid, `splitting.core.payables`): its bank transfer arrives unmatched, waits in suspense, and
staff take it from there for the supplier's claim — the suspense queue gives it up, what the
supplier owes back goes down."""

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.core.payables import positions_lock
from splitting.models import BankCredit, ClaimRepayment, CreditStatus, TransactionKind
from warehouse.models import AuditEvent, Supplier


@transaction.atomic
def claim_repay(*, credit: BankCredit, supplier: Supplier, amount: int, actor) -> ClaimRepayment:
    if supplier.tenant_id != credit.tenant_id:
        raise ApplicationError("the supplier is another tenant's", code="foreign_supplier")
    locked = BankCredit.objects.select_for_update().get(pk=credit.pk)
    if not isinstance(amount, int) or not 0 < amount <= locked.open_amount:
        raise ApplicationError(
            f"take between 0.01 and what waits ({locked.open_amount} minor units)",
            code="bad_amount",
            extra={"amount": ["More than what waits in suspense."]},
        )
    owed = positions_lock(supplier.tenant_id, supplier.pk).recoverable
    if amount > owed:
        raise ApplicationError(
            f"{supplier.name} owes back {owed} minor units, less than {amount}",
            code="more_than_owed",
            extra={"amount": ["More than the supplier owes back."]},
        )
    now = timezone.now()
    txn = ledger.transaction_post(
        tenant_id=supplier.tenant_id,
        kind=TransactionKind.REPAID,
        legs=[Leg(ledger.SUSPENSE, amount), Leg(ledger.recoverable(supplier.pk), -amount)],
        memo=f"{supplier.code} paid back (credit {locked.bank_reference})"[:200],
        at=now,
    )
    locked.open_amount -= amount
    if locked.open_amount == 0:
        locked.status = CreditStatus.ASSIGNED
    locked.save(update_fields=["open_amount", "status"])
    repayment = ClaimRepayment.objects.create(
        tenant_id=supplier.tenant_id,
        supplier=supplier,
        credit=locked,
        amount=amount,
        transaction=txn,
        created_at=now,
        actor=actor,
    )
    AuditEvent.objects.create(
        tenant_id=supplier.tenant_id,
        actor=actor,
        action="supplier.repaid",
        detail={"supplier": supplier.code, "credit": locked.pk, "amount": amount},
    )
    return repayment
