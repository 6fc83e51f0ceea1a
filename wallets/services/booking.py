"""What every wallet operation writes besides its own rows, in its own transaction: the ledger
accounts it books to, the wallet's statement line with the balances after it, and the audit
row with the actor."""

from wallets.models import Wallet, WalletMovement
from warehouse.models import AuditEvent

FEE_INCOME = "fee_income"  # the operator's income from coupons used at its own offices


def available_code(wallet_id: int) -> str:
    """The ledger account of what the wallet's payer may still spend."""
    return f"wallet:{wallet_id}"


def blocked_code(wallet_id: int) -> str:
    """The ledger account of what the wallet's valid coupons hold."""
    return f"wallet_blocked:{wallet_id}"


def movement_record(
    wallet: Wallet, kind: str, amount: int, txn, actor=None, **links
) -> WalletMovement:
    """The statement line of a ledger transaction, with the wallet's counters after it (the
    caller has updated and saved them)."""
    return WalletMovement.objects.create(
        wallet=wallet,
        kind=kind,
        amount=amount,
        available_after=wallet.available,
        blocked_after=wallet.blocked,
        transaction=txn,
        at=txn.posted_at,
        actor=actor,
        **links,
    )


def audit(tenant_id: int, actor, action: str, **detail) -> None:
    AuditEvent.objects.create(tenant_id=tenant_id, actor=actor, action=action, detail=detail)
