"""Taking a payment and undoing one. `payment_post` is the one entry point every channel calls
(the API, provider webhooks, bank statements, terminals, the cash desk): inside one transaction
it locks the account and its open items (lock order: account, then its open items by primary
key), splits the money with the allocation engine, clears the open items, books the ledger,
and writes the suppliers' notifications to the outbox, which leave after commit.

The operator's commission is one per payment and supplier (`allocation.commission_step`): a
payment's advance applied later withholds only what the supplier's rule, applied once to
everything of the payment the supplier received, still asks for. Credit items are netted
against the same supplier's debts before money is spread (`splitting.core.netting`)."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from rest_framework import status

from core.db import insert_object, insert_objects
from core.errors import ApplicationError
from invoicing.models import DocumentStatus, PaymentDocument
from splitting import hooks
from splitting.core import allocation as engine
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.core.netting import accounts_with_credits, credits_net, debt_items
from splitting.core.outbox import events_enqueue, supplier_events
from splitting.models import (
    Allocation,
    AllocationKind,
    AllocationOrder,
    AllocationRules,
    Channel,
    IdempotencyKey,
    Payment,
    PaymentStatus,
    TransactionKind,
)
from splitting.selectors import AllocationLine
from warehouse.models import Account, OpenItem, Supplier, Tenant
from warehouse.services.open_items import ClearingRequest, open_items_clear, open_items_lock


class PaymentRefused(ApplicationError):
    """The payment cannot be taken as given (422)."""


class PaymentConflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT


@dataclass(frozen=True)
class PaymentOutcome:
    payment: Payment
    created: bool
    lines: list[AllocationLine] | None = None  # what a new payment paid (None on a replay)


@dataclass(frozen=True)
class IdempotencyRequest:
    """An API request's key, stored with the new payment's id in the payment's own transaction:
    the key can never name a payment that was not booked, and a replay is answered from the
    payment (`splitting.core.idempotency`)."""

    user_id: int
    key: str
    request_hash: str


def payment_post(
    *,
    tenant: Tenant,
    account: Account,
    amount: int,
    channel: str,
    external_id: str,
    document_reference: str = "",
    reference: str = "",
    split: dict[str, int] | None = None,
    received_at: datetime | None = None,
    idempotency: IdempotencyRequest | None = None,
    bank_credit=None,
    from_suspense: bool = False,
    booked_with: Callable[[Payment], None] | None = None,
) -> PaymentOutcome:
    """Books a payment of `amount` minor units, or — when the channel already sent this
    `external_id` — returns the payment booked then (`created` False). `split` maps supplier
    codes to amounts the payer chose. A payment of a bank statement's credit names it;
    `from_suspense` when the money was parked in suspense before (it leaves suspense then,
    not the channel's clearing account, which took it when it arrived). `booked_with(payment)`
    runs inside the payment's transaction once it is booked, so a channel's own record of it
    (and any check the channel makes there) commits or rolls back with the payment.
    `reference` is a reference the payer quoted that is no document's (an instalment of a
    payment plan): the apps told of the payment (`splitting.hooks.payments_booked`, inside its
    transaction) read what it was meant for from it."""
    if not isinstance(amount, int) or amount <= 0:
        raise PaymentRefused("the amount must be positive", code="bad_amount")
    if channel not in Channel.values:
        raise PaymentRefused(f"unknown channel {channel!r}", code="bad_channel")
    if not external_id or len(external_id) > 100:
        raise PaymentRefused("external_id: 1 to 100 characters", code="bad_external_id")
    if account.tenant_id != tenant.pk:
        raise PaymentRefused("the account belongs to another tenant", code="foreign_account")
    try:
        return _post(
            tenant=tenant,
            account=account,
            amount=amount,
            channel=channel,
            external_id=external_id,
            document_reference=document_reference,
            reference=reference,
            split=split,
            received_at=received_at,
            idempotency=idempotency,
            bank_credit=bank_credit,
            from_suspense=from_suspense,
            booked_with=booked_with,
        )
    except IntegrityError:
        # A replay: the channel's external id is booked already (unique per channel).
        existing = Payment.objects.filter(
            tenant=tenant, channel=channel, external_id=external_id
        ).first()
        if existing is None:
            raise
        return _replayed(existing, account=account, amount=amount)


def _replayed(existing: Payment, *, account: Account, amount: int) -> PaymentOutcome:
    if existing.account_id != account.pk or existing.amount != amount:
        raise PaymentConflict(
            f"{existing.channel} payment {existing.external_id!r} was booked with another "
            "account or amount",
            code="external_id_conflict",
        )
    return PaymentOutcome(existing, created=False)


@transaction.atomic(durable=True)
def _post(
    *,
    tenant,
    account,
    amount,
    channel,
    external_id,
    document_reference,
    reference,
    split,
    received_at,
    idempotency,
    bank_credit,
    from_suspense,
    booked_with,
):
    locked = open_items_lock(account=account)
    credits_net(account=account, locked=locked)
    items = {item.pk: item for item in locked}
    document = _document(tenant, account, document_reference) if document_reference else None
    allocation, suppliers = _allocate(tenant, amount, _payable(locked), split, document)

    now = timezone.now()
    shares = _commissions(allocation, suppliers)
    payment = Payment(
        tenant=tenant,
        account=account,
        amount=amount,
        channel=channel,
        external_id=external_id,
        document_reference=document_reference,
        document=document,
        status=PaymentStatus.BOOKED,
        commission=sum(c for _, c in shares),
        advance=allocation.advance,
        advance_open=allocation.advance,
        refunded=0,
        bank_credit=bank_credit,
        from_suspense=from_suspense,
        received_at=received_at or now,
        booked_at=now,
    )
    insert_object(payment)
    legs = [Leg(ledger.SUSPENSE if from_suspense else ledger.clearing(channel), amount)]
    if allocation.advance:
        legs.append(Leg(ledger.ADVANCE, -allocation.advance, account.pk))
    _book(
        payment=payment,
        account=account,
        parts=allocation.parts,
        shares=shares,
        suppliers=suppliers,
        items=items,
        kind=AllocationKind.PAYMENT,
        source_legs=legs,
        at=now,
    )
    lines = _lines(shares, suppliers)
    if idempotency is not None:
        insert_object(
            IdempotencyKey(
                user_id=idempotency.user_id,
                key=idempotency.key,
                request_hash=idempotency.request_hash,
                status_code=201,
                payment_id=payment.pk,
                created_at=now,
            )
        )
    if booked_with is not None:
        booked_with(payment)
    hooks.payment_booked(payment=payment, reference=reference)
    return PaymentOutcome(payment, created=True, lines=lines)


def _allocate(
    tenant: Tenant,
    amount: int,
    payable: list[engine.Item],
    split: dict[str, int] | None,
    document: PaymentDocument | None,
) -> tuple[engine.Allocation, dict[int, Supplier]]:
    """How the payment spreads over what is payable, by the tenant's rules: the payer's own
    split, else the document's lines first (when the rules say so), else the rules' order;
    and the suppliers it reaches."""
    rules = allocation_rules(tenant)
    if split:
        return _allocate_split(tenant, amount, payable, split, rules)
    order = engine.Order(rules.order)
    if document is not None and rules.document_first:
        in_document = {item.id for item in payable if item.period <= document.period}
        allocation = engine.allocate_document(amount, payable, in_document, order)
    else:
        allocation = engine.allocate(amount, payable, order)
    wanted = {part.supplier_id for part in allocation.parts}
    suppliers = _suppliers(Supplier.objects.filter(pk__in=wanted)) if wanted else {}
    return allocation, suppliers


def _allocate_split(tenant, amount, payable, split, rules):
    if not rules.allow_explicit_split:
        raise PaymentRefused("this operator does not take split payments", code="no_split")
    suppliers = _suppliers(Supplier.objects.filter(tenant=tenant, code__in=split))
    by_code = {s.code: s.pk for s in suppliers.values()}
    unknown = sorted(set(split) - by_code.keys())
    if unknown:
        raise PaymentRefused(
            f"unknown supplier {unknown[0]!r}",
            code="unknown_supplier",
            extra={"split": {code: ["No such supplier."] for code in unknown}},
        )
    try:
        allocation = engine.allocate_explicit(
            amount, payable, {by_code[code]: part for code, part in split.items()}
        )
    except engine.AllocationRefused as refused:
        names = {pk: s.code for pk, s in suppliers.items()}
        fields = {names.get(k, str(k)): [v] for k, v in (refused.fields or {}).items()}
        raise PaymentRefused(
            str(refused), code=refused.code, extra={"split": fields} if fields else {}
        ) from None
    return allocation, suppliers


def _suppliers(queryset) -> dict[int, Supplier]:
    fields = ("code", "tenant_id", "webhook_url", "webhook_secret", *COMMISSION_FIELDS)
    return {s.pk: s for s in queryset.order_by().only(*fields)}


COMMISSION_FIELDS = ("commission_percent", "commission_fixed", "commission_min", "commission_max")


def _lines(
    shares: list[tuple[engine.Part, int]], suppliers: dict[int, Supplier]
) -> list[AllocationLine]:
    """What a booking paid per supplier and period, as `payment_allocations` reads it back."""
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for part, commission in shares:
        total = totals[(part.period, suppliers[part.supplier_id].code)]
        total[0] += part.amount
        total[1] += commission
    return [
        AllocationLine(code, period, amount, commission)
        for (period, code), (amount, commission) in sorted(totals.items())
    ]


def allocation_rules(tenant: Tenant) -> AllocationRules:
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT id, "order", document_first, allow_explicit_split'
            " FROM splitting_allocationrules WHERE tenant_id = %s",
            [tenant.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return AllocationRules(tenant=tenant, order=AllocationOrder.OLDEST_FIRST)
    return AllocationRules(
        pk=row[0], tenant=tenant, order=row[1], document_first=row[2], allow_explicit_split=row[3]
    )


def _payable(locked: list[OpenItem]) -> list[engine.Item]:
    """What a payment may pay: the positive open items (credits are netted beforehand)."""
    return debt_items(locked)


def _document(tenant: Tenant, account: Account, reference: str) -> PaymentDocument:
    document = (
        PaymentDocument.objects.filter(
            tenant=tenant, reference=reference, status=DocumentStatus.ISSUED
        )
        .only("pk", "account_id", "period")
        .first()
    )
    if document is None:
        raise PaymentRefused(
            f"no issued document with reference {reference!r}",
            code="unknown_document",
            extra={"document_reference": ["No such document."]},
        )
    if document.account_id != account.pk:
        raise PaymentRefused(
            "the document is another account's",
            code="document_of_another_account",
            extra={"document_reference": ["This document is not the account's."]},
        )
    return document


def _commissions(
    allocation: engine.Allocation,
    suppliers: dict[int, Supplier],
    before: dict[int, tuple[int, int]] | None = None,
) -> list[tuple[engine.Part, int]]:
    """Each part with the commission withheld from it: the supplier's rule applied once to its
    whole share of the payment — `before` maps a supplier to (share, commission) of the
    payment's earlier bookings, whose commission is not withheld again — then spread over this
    booking's parts so that every part adds up."""
    before = before or {}
    by_supplier: dict[int, list[engine.Part]] = defaultdict(list)
    for part in allocation.parts:
        by_supplier[part.supplier_id].append(part)
    withheld: dict[engine.Part, int] = {}
    for supplier_id, parts in by_supplier.items():
        supplier = suppliers[supplier_id]
        rule = engine.CommissionRule(
            percent=supplier.commission_percent,
            fixed=supplier.commission_fixed,
            minimum=supplier.commission_min,
            maximum=supplier.commission_max,
        )
        before_share, before_commission = before.get(supplier_id, (0, 0))
        total = engine.commission_step(
            sum(p.amount for p in parts),
            rule,
            before_share=before_share,
            withheld=before_commission,
        )
        for part, share in zip(
            parts, engine.commission_parts(total, [p.amount for p in parts]), strict=True
        ):
            withheld[part] = share
    return [(part, withheld[part]) for part in allocation.parts]


def _book(
    *,
    payment: Payment,
    account: Account,
    parts: tuple[engine.Part, ...],
    shares: list[tuple[engine.Part, int]],
    suppliers: dict[int, Supplier],
    items: dict[int, OpenItem],
    kind: str,
    source_legs: list[Leg],
    at: datetime,
) -> None:
    """Books parts of a payment (or of its advance): the ledger transaction, the allocation
    rows, the clearings of the open items, and the suppliers' notifications."""
    legs = list(source_legs)
    commission_total = 0
    for part, commission in shares:
        legs += [
            Leg(ledger.receivable(part.supplier_id), -part.amount, account.pk, part.period),
            Leg(ledger.billed(part.supplier_id), part.amount, None, part.period),
            Leg(ledger.payable(part.supplier_id), commission - part.amount),
        ]
        commission_total += commission
    if commission_total:
        legs.append(Leg(ledger.COMMISSION, -commission_total))
    txn = ledger.transaction_post(
        tenant_id=payment.tenant_id,
        kind=TransactionKind.PAYMENT if kind == AllocationKind.PAYMENT else TransactionKind.ADVANCE,
        legs=legs,
        payment_id=payment.pk,
        memo=f"{payment.channel}:{payment.external_id}",
        at=at,
    )
    if not parts:
        return
    rows = [
        Allocation(
            tenant_id=payment.tenant_id,
            payment_id=payment.pk,
            transaction_id=txn.pk,
            open_item_id=part.item_id,
            supplier_id=part.supplier_id,
            period=part.period,
            kind=kind,
            amount=part.amount,
            commission=commission,
            booked_at=at,
        )
        for part, commission in shares
    ]
    insert_objects(rows)
    open_items_clear(
        account=account,
        requests=[ClearingRequest(part.item_id, part.amount) for part in parts],
        kind="payment" if kind == AllocationKind.PAYMENT else "advance",
        source_id=f"payment:{payment.pk}",
        at=at,
        locked=items,
    )
    events_enqueue(
        supplier_events(
            payment=payment,
            account=account,
            rows=rows,
            suppliers=suppliers,
            event="payment.booked" if kind == AllocationKind.PAYMENT else "advance.applied",
            at=at,
        )
    )


def advances_apply(*, account: Account, locked: list[OpenItem] | None = None) -> int:
    """Applies the account's unused advances, oldest payment first, to what it owes now.
    Runs inside the caller's transaction with the account locked (`open_items_lock`)."""
    payments = list(
        Payment.objects.select_for_update(of=("self",))
        .filter(account=account, advance_open__gt=0, status=PaymentStatus.BOOKED)
        .order_by("booked_at", "pk")
    )
    if not payments:
        return 0
    if locked is None:
        locked = open_items_lock(account=account)
    items = {item.pk: item for item in locked}
    rules = allocation_rules(account.tenant)
    applied_total = 0
    for payment in payments:
        payable = _payable(list(items.values()))
        open_total = sum(item.open_amount for item in payable)
        if open_total == 0:
            break
        applied = min(payment.advance_open, open_total)
        allocation = engine.allocate(applied, payable, engine.Order(rules.order))
        wanted = {part.supplier_id for part in allocation.parts}
        suppliers = {s.pk: s for s in Supplier.objects.filter(pk__in=wanted)}
        shares = _commissions(allocation, suppliers, _booked_before(payment, wanted))
        now = timezone.now()
        _book(
            payment=payment,
            account=account,
            parts=allocation.parts,
            shares=shares,
            suppliers=suppliers,
            items=items,
            kind=AllocationKind.ADVANCE,
            source_legs=[Leg(ledger.ADVANCE, applied, account.pk)],
            at=now,
        )
        payment.advance_open -= applied
        payment.commission += sum(commission for _, commission in shares)
        payment.save(update_fields=["advance_open", "commission"])
        applied_total += applied
    return applied_total


def _booked_before(payment: Payment, supplier_ids) -> dict[int, tuple[int, int]]:
    """Per supplier: (share, commission) of the payment's bookings so far (the payment's own
    and its advance applied before; a reversed payment is never applied again)."""
    if not supplier_ids:
        return {}
    rows = (
        Allocation.objects.filter(
            payment=payment,
            supplier_id__in=supplier_ids,
            kind__in=[AllocationKind.PAYMENT, AllocationKind.ADVANCE],
        )
        .values("supplier_id")
        .annotate(share=Sum("amount"), commission=Sum("commission"))
        .order_by()
    )
    return {r["supplier_id"]: (r["share"] or 0, r["commission"] or 0) for r in rows}


def charges_book(*, batch) -> None:
    """Called by warehouse inside a charge import's transaction (`warehouse.hooks`): books the
    charges in the ledger, nets the supplier's credit items against its debts on every account
    that has both (`netting.credits_net`), then lets the accounts' unused advances pay what is
    still owed."""
    ledger.receivables_sync(batch=batch)
    netting = accounts_with_credits(tenant_id=batch.tenant_id, supplier_id=batch.supplier_id)
    for account in Account.objects.filter(pk__in=netting).order_by("pk"):
        credits_net(account=account, locked=open_items_lock(account=account))
    waiting = (
        Payment.objects.filter(
            tenant_id=batch.tenant_id, advance_open__gt=0, status=PaymentStatus.BOOKED
        )
        .filter(
            account__in=OpenItem.objects.filter(
                supplier_id=batch.supplier_id, period=batch.period, open_amount__gt=0
            ).values("account_id")
        )
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")
    )
    for account in Account.objects.filter(pk__in=list(waiting)).select_related("tenant"):
        advances_apply(account=account, locked=open_items_lock(account=account))
