"""Money in: a bank credit quoting a wallet's funding reference funds the wallet (the statement
matcher finds the wallet through `wallets.funding`, the hook it calls)."""

from django.db import transaction

from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.models import BankCredit, Channel, TransactionKind
from wallets.models import MovementKind, Wallet, WalletMovement
from wallets.services.booking import audit, available_code, movement_record
from warehouse.models import Tenant


def wallet_for_reference(tenant: Tenant, text: str) -> Wallet | None:
    compact = "".join(text.split()).upper()
    if not compact.startswith("RF"):
        return None
    return Wallet.objects.filter(tenant=tenant, funding_reference=compact).first()


@transaction.atomic
def wallet_fund(*, wallet: Wallet, credit: BankCredit, actor=None) -> WalletMovement:
    """Books a bank credit (already saved, status matched) as the wallet's funding."""
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    txn = ledger.transaction_post(
        tenant_id=locked.tenant_id,
        kind=TransactionKind.FUNDING,
        legs=[
            Leg(ledger.clearing(Channel.BANK), credit.amount),
            Leg(available_code(locked.pk), -credit.amount),
        ],
        memo=f"wallet {locked.funding_reference} funded ({credit.bank_reference})",
    )
    locked.funded += credit.amount
    locked.available += credit.amount
    locked.save(update_fields=["funded", "available"])
    movement = movement_record(
        locked,
        MovementKind.FUNDING,
        credit.amount,
        txn,
        actor,
        bank_credit=credit,
        memo=credit.payer_name[:200],
    )
    audit(
        locked.tenant_id,
        actor,
        "wallet.funded",
        wallet=locked.pk,
        amount=credit.amount,
        credit=credit.pk,
    )
    return movement
