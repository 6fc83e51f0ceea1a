"""Netting credit items: a negative open item (a recalculation in the payer's favour) is set
against the same supplier's open debts of the same account at once, not only when a payment
happens to arrive.

`credits_net` runs inside the caller's transaction with the account locked (`open_items_lock`;
lock order: account, then its open items by primary key). Which debts a credit takes is the pure
engine's (`allocation.net_credits`: oldest period first, pro rata within a period, charges before
penalties, never across suppliers); here it is recorded:

- clearings of kind `recalculation` on both sides, the credit's and the debt's, each with
  source `credit:<credit item id>` (positive amounts: both items move towards zero);
- one ledger transaction (`netting`) per call, moving the receivable between the periods: the
  ledger holds a receivable per supplier, account and period (`check_ledger`: it equals the
  open items) and `billed` per supplier and period mirroring it, so a credit of period C set
  against a debt of period D books receivable C +x, D −x and billed C −x, D +x. Within one
  period the legs cancel and nothing is booked. No money moves: no payable, no commission.

What the debts cannot take stays open (negative) for the next charges or payment.

It runs when charges post (`payments.charges_book`, before the waiting advances are applied),
when a payment is taken (`payments.payment_post`, before it is spread) and when a reversal
reopens items (`reversals.payment_reverse`)."""

from collections import defaultdict

from django.utils import timezone

from splitting.core import allocation as engine
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.models import TransactionKind
from warehouse.models import Account, ClearingKind, OpenItem, OpenItemKind
from warehouse.services.open_items import ClearingRequest, open_items_clear


def debt_items(locked: list[OpenItem]) -> list[engine.Item]:
    """The account's open debts (positive open items) as the engines see them."""
    return [
        engine.Item(
            id=item.pk,
            supplier_id=item.supplier_id,
            period=item.period,
            is_penalty=item.kind == OpenItemKind.PENALTY,
            open_amount=item.open_amount,
        )
        for item in locked
        if item.open_amount > 0
    ]


def credits_net(*, account: Account, locked: list[OpenItem]) -> list[engine.Offset]:
    """Sets the account's credit items against its debts of the same supplier; `locked` are the
    account's open items as `open_items_lock` returned them, updated in place. Returns the
    offsets booked (none when there is no credit or no debt of its supplier: no query then)."""
    credits = [
        engine.Credit(item.pk, item.supplier_id, item.period, item.open_amount)
        for item in locked
        if item.open_amount < 0
    ]
    if not credits:
        return []
    offsets = engine.net_credits(credits, debt_items(locked))
    if not offsets:
        return []
    now = timezone.now()
    legs: dict[tuple[str, int | None, str], int] = defaultdict(int)
    for offset in offsets:
        receivable = ledger.receivable(offset.supplier_id)
        billed = ledger.billed(offset.supplier_id)
        legs[(receivable, account.pk, offset.credit_period)] += offset.amount
        legs[(receivable, account.pk, offset.period)] -= offset.amount
        legs[(billed, None, offset.credit_period)] -= offset.amount
        legs[(billed, None, offset.period)] += offset.amount
    if any(legs.values()):
        ledger.transaction_post(
            tenant_id=account.tenant_id,
            kind=TransactionKind.NETTING,
            legs=[
                Leg(code, amount, account_id, period)
                for (code, account_id, period), amount in sorted(
                    legs.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2])
                )
            ],
            memo=f"credits netted on account {account.pk}",
            at=now,
        )
    items = {item.pk: item for item in locked}
    by_credit: dict[int, list[engine.Offset]] = defaultdict(list)
    for offset in offsets:
        by_credit[offset.credit_id].append(offset)
    for credit_id, own in by_credit.items():
        open_items_clear(
            account=account,
            requests=[
                ClearingRequest(credit_id, sum(o.amount for o in own)),
                *(ClearingRequest(o.item_id, o.amount) for o in own),
            ],
            kind=ClearingKind.RECALCULATION,
            source_id=f"credit:{credit_id}",
            at=now,
            locked=items,
        )
    return list(offsets)


def accounts_with_credits(*, tenant_id: int, supplier_id: int) -> list[int]:
    """The accounts where the supplier has both a credit and a debt open, in id order."""
    credits = OpenItem.objects.filter(
        tenant_id=tenant_id, supplier_id=supplier_id, open_amount__lt=0
    ).values("account_id")
    return list(
        OpenItem.objects.filter(
            tenant_id=tenant_id, supplier_id=supplier_id, open_amount__gt=0, account_id__in=credits
        )
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")
    )
