"""Money flowing back: reversing a booked payment (its clearings reopened, its ledger
transactions negated, its suppliers told) and refunding the unused part of a payment's advance.
Each is a new transaction, never an edit."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from splitting import hooks
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.core.netting import credits_net
from splitting.core.outbox import events_enqueue, supplier_events
from splitting.core.payables import payables_floor
from splitting.core.payments import PaymentConflict, PaymentRefused, advances_apply
from splitting.models import (
    Allocation,
    AllocationKind,
    BankCredit,
    CreditStatus,
    Payment,
    PaymentStatus,
    TransactionKind,
)
from warehouse.models import AuditEvent, Supplier
from warehouse.services.open_items import ClearingRequest, open_items_clear, open_items_lock


@transaction.atomic(durable=True)
def payment_reverse(*, payment: Payment, actor=None, reason: str = "") -> Payment:
    """Undoes a payment: a new ledger transaction negating all of its bookings (its own and
        those of its advance applied later), its open items reopened, negative allocation rows for
        the suppliers' registries. The account's credit items, then other payments' advances, cover
    what they can of the reopened items."""
    account = payment.account
    open_items_lock(account=account)
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if payment.status == PaymentStatus.REVERSED:
        raise PaymentConflict("the payment is already reversed", code="already_reversed")
    booked = list(
        Allocation.objects.filter(
            payment=payment, kind__in=[AllocationKind.PAYMENT, AllocationKind.ADVANCE]
        ).order_by("pk")
    )
    now = timezone.now()
    txn = ledger.transactions_negate(
        tenant_id=payment.tenant_id,
        of=list(payment.transactions.order_by("pk").values_list("pk", flat=True)),
        kind=TransactionKind.REVERSAL,
        payment_id=payment.pk,
        memo=f"reversal of {payment.channel}:{payment.external_id}" + (f": {reason}"[:120]),
    )
    reopen: dict[int, int] = defaultdict(int)
    for row in booked:
        reopen[row.open_item_id] -= row.amount
    if reopen:
        open_items_clear(
            account=account,
            requests=[ClearingRequest(pk, amount) for pk, amount in sorted(reopen.items())],
            kind="reversal",
            source_id=f"payment:{payment.pk}",
            at=now,
        )
    rows = Allocation.objects.bulk_create(
        [
            Allocation(
                tenant_id=row.tenant_id,
                payment_id=payment.pk,
                transaction_id=txn.pk,
                open_item_id=row.open_item_id,
                supplier_id=row.supplier_id,
                period=row.period,
                kind=AllocationKind.REVERSAL,
                amount=-row.amount,
                commission=-row.commission,
                booked_at=now,
            )
            for row in booked
        ]
    )
    # What the suppliers had already been paid of it, they now owe back.
    payables_floor(tenant_id=payment.tenant_id, supplier_ids={r.supplier_id for r in rows}, at=now)
    payment.status, payment.reversed_at, payment.advance_open = PaymentStatus.REVERSED, now, 0
    payment.save(update_fields=["status", "reversed_at", "advance_open"])
    if payment.from_suspense and payment.bank_credit_id:
        # The negated bookings credit suspense again: the credit waits in the queue again.
        credit = BankCredit.objects.select_for_update().get(pk=payment.bank_credit_id)
        credit.open_amount += payment.amount - payment.refunded
        credit.status = CreditStatus.SUSPENSE
        credit.save(update_fields=["open_amount", "status"])
    suppliers = {s.pk: s for s in Supplier.objects.filter(pk__in={r.supplier_id for r in rows})}
    events_enqueue(
        supplier_events(
            payment=payment,
            account=account,
            rows=rows,
            suppliers=suppliers,
            event="payment.reversed",
            at=now,
        )
    )
    AuditEvent.objects.create(
        tenant_id=payment.tenant_id,
        actor=actor,
        action="payment.reversed",
        detail={"payment": payment.pk, "amount": payment.amount, "reason": reason},
    )
    hooks.payment_reversed(payment=payment)
    # The reopened items first take the account's waiting credits, then its advances.
    credits_net(account=account, locked=open_items_lock(account=account))
    advances_apply(account=account)
    return payment


@transaction.atomic(durable=True)
def advance_refund(*, payment: Payment, amount: int, actor=None, reason: str = "") -> Payment:
    """Pays back part or all of a payment's unused advance to the payer, through the channel
    it came from: the advance account gives it up, the channel's clearing pays it out."""
    open_items_lock(account=payment.account)
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if payment.status != PaymentStatus.BOOKED:
        raise PaymentConflict("the payment is reversed", code="already_reversed")
    if not isinstance(amount, int) or not 0 < amount <= payment.advance_open:
        raise PaymentRefused(
            f"a refund takes 0.01 up to the unused advance ({payment.advance_open} minor units)",
            code="bad_amount",
            extra={"amount": ["More than the unused advance."]},
        )
    ledger.transaction_post(
        tenant_id=payment.tenant_id,
        kind=TransactionKind.REFUND,
        legs=[
            Leg(ledger.ADVANCE, amount, payment.account_id),
            Leg(ledger.clearing(payment.channel), -amount),
        ],
        payment_id=payment.pk,
        memo=f"refund of {payment.channel}:{payment.external_id}" + (f": {reason}"[:120]),
    )
    payment.advance_open -= amount
    payment.refunded += amount
    payment.save(update_fields=["advance_open", "refunded"])
    AuditEvent.objects.create(
        tenant_id=payment.tenant_id,
        actor=actor,
        action="payment.advance_refunded",
        detail={"payment": payment.pk, "amount": amount, "reason": reason},
    )
    return payment
