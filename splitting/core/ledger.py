"""Posting to the double-entry ledger. Every booking of Unibill — charges, payments, advances
applied, reversals, refunds, payouts — goes through `transaction_post` (or, for the bulk of a
charge import, `receivables_sync`), which refuses a transaction that does not sum to zero
before the database's own trigger would."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db import transaction as db_transaction
from django.utils import timezone

from core.db import insert_object, insert_objects
from core.errors import ApplicationError
from splitting.models import Entry, LedgerAccount, Transaction, TransactionKind
from warehouse.models import Clearing


def receivable(supplier_id: int) -> str:
    return f"receivable:{supplier_id}"


def billed(supplier_id: int) -> str:
    return f"billed:{supplier_id}"


def payable(supplier_id: int) -> str:
    return f"payable:{supplier_id}"


def recoverable(supplier_id: int) -> str:
    """What a supplier owes the operator: reversals of money it had already been paid out,
    recovered from its next payouts (`splitting.settlement.payables`)."""
    return f"recoverable:{supplier_id}"


def clearing(channel: str) -> str:
    return f"clearing:{channel}"


ADVANCE = "advance"
COMMISSION = "commission"
SUSPENSE = "suspense"
BANK = "bank"


@dataclass(frozen=True)
class Leg:
    """One side of a booking: `amount` debit positive, credit negative."""

    code: str
    amount: int
    account_id: int | None = None
    period: str = ""


class LedgerUnbalanced(ApplicationError):
    pass


def _supplier_of(code: str) -> int | None:
    kind, _, rest = code.partition(":")
    return int(rest) if kind in ("receivable", "billed", "payable", "recoverable") else None


def ledger_accounts(tenant_id: int, codes: Iterable[str]) -> dict[str, int]:
    """The ids of the tenant's ledger accounts by code, creating the missing ones."""
    codes = sorted(set(codes))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code, id FROM splitting_ledgeraccount WHERE tenant_id = %s"
            f" AND code IN ({', '.join(['%s'] * len(codes))})",
            [tenant_id, *codes],
        )
        found = dict(cursor.fetchall())
    missing = set(codes) - found.keys()
    if missing:
        LedgerAccount.objects.bulk_create(
            [
                LedgerAccount(tenant_id=tenant_id, code=code, supplier_id=_supplier_of(code))
                for code in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        found = dict(
            LedgerAccount.objects.filter(tenant_id=tenant_id, code__in=codes).values_list(
                "code", "id"
            )
        )
    return found


def transaction_post(
    *,
    tenant_id: int,
    kind: str,
    legs: Iterable[Leg],
    payment_id: int | None = None,
    batch_id: int | None = None,
    memo: str = "",
    at: datetime | None = None,
) -> Transaction:
    """Books one transaction. Legs on the same ledger account, resident account and period are
    merged; zero legs dropped. Runs inside the caller's database transaction."""
    if not db_transaction.get_connection().in_atomic_block:
        raise ApplicationError("ledger postings run inside a transaction", code="no_transaction")
    merged: dict[tuple[str, int | None, str], int] = defaultdict(int)
    for leg in legs:
        merged[(leg.code, leg.account_id, leg.period)] += leg.amount
    merged = {key: amount for key, amount in merged.items() if amount}
    total = sum(merged.values())
    if total:
        raise LedgerUnbalanced(
            f"a {kind} transaction must sum to zero; these legs sum to {total}",
            code="ledger_unbalanced",
        )
    if not merged:
        raise ApplicationError(f"a {kind} transaction without entries", code="ledger_empty")
    ids = ledger_accounts(tenant_id, {code for code, _, _ in merged})
    txn = Transaction(
        tenant_id=tenant_id,
        kind=kind,
        payment_id=payment_id,
        batch_id=batch_id,
        memo=memo[:200],
        posted_at=at or timezone.now(),
    )
    insert_object(txn)
    insert_objects(
        [
            Entry(
                transaction_id=txn.pk,
                ledger_account_id=ids[code],
                account_id=account_id,
                period=period,
                amount=amount,
            )
            for (code, account_id, period), amount in merged.items()
        ]
    )
    return txn


def transactions_negate(
    *, tenant_id: int, of: list[int], kind: str, payment_id: int | None, memo: str
) -> Transaction:
    """A new transaction whose entries undo every entry of the transactions `of`."""
    txn = Transaction.objects.create(
        tenant_id=tenant_id,
        kind=kind,
        payment_id=payment_id,
        memo=memo[:200],
        posted_at=timezone.now(),
    )
    marks = ", ".join(["%s"] * len(of))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO splitting_entry (transaction_id, ledger_account_id, account_id, period,"
            " amount) SELECT %s, ledger_account_id, account_id, period, -amount"
            f" FROM splitting_entry WHERE transaction_id IN ({marks}) ORDER BY id",
            [txn.pk, *of],
        )
    return txn


def receivables_sync(*, batch) -> Transaction | None:
    """Books what a charge import changed: for each resident account, the difference between
    the open items of the batch's supplier and period and the receivable the ledger holds for
    them — new charges, an earlier version replaced, a recalculation — against `billed`. Done in
    SQL, one INSERT … SELECT, because an import may touch hundreds of thousands of accounts.
    A batch whose recalculation reduced open items of earlier periods (a penalty put right,
    `penalties_post(recalculation=True)`) syncs those periods too, in the same transaction."""
    ids = ledger_accounts(
        batch.tenant_id, [receivable(batch.supplier_id), billed(batch.supplier_id)]
    )
    receivable_id, billed_id = ids[receivable(batch.supplier_id)], ids[billed(batch.supplier_id)]
    txn = Transaction.objects.create(
        tenant_id=batch.tenant_id,
        kind=TransactionKind.CHARGES,
        batch_id=batch.pk,
        memo=f"charges of batch {batch.pk}",
        posted_at=timezone.now(),
    )
    periods = [batch.period] + sorted(
        set(
            Clearing.objects.filter(
                tenant_id=batch.tenant_id,
                source_id=f"batch:{batch.pk}",
                open_item__supplier_id=batch.supplier_id,
            )
            .exclude(open_item__period=batch.period)
            .values_list("open_item__period", flat=True)
        )
    )
    booked = 0
    with connection.cursor() as cursor:
        for period in periods:
            cursor.execute(
                """
                INSERT INTO splitting_entry (transaction_id, ledger_account_id, account_id,
                                             period, amount)
                SELECT %s, %s, account_id, %s, SUM(amount) FROM (
                    SELECT account_id, open_amount AS amount FROM warehouse_openitem
                     WHERE supplier_id = %s AND period = %s
                    UNION ALL
                    SELECT account_id, -amount FROM splitting_entry
                     WHERE ledger_account_id = %s AND period = %s
                ) AS difference
                GROUP BY account_id HAVING SUM(amount) <> 0 ORDER BY account_id
                """,
                [txn.pk, receivable_id, period, batch.supplier_id, period, receivable_id, period],
            )
            booked += max(cursor.rowcount, 0)
        if booked == 0:
            txn.delete()
            return None
        cursor.execute(
            "INSERT INTO splitting_entry (transaction_id, ledger_account_id, account_id, period,"
            " amount) SELECT %s, %s, NULL, period, -SUM(amount) FROM splitting_entry"
            " WHERE transaction_id = %s GROUP BY period HAVING SUM(amount) <> 0 ORDER BY period",
            [txn.pk, billed_id, txn.pk],
        )
    return txn
