"""The one service that changes open items after they are posted: clearing (a payment, an
advance, a write-off) and reopening (a reversal). Splitting decides *what* to clear and calls
this inside its own transaction, after locking the account (lock order: account, then its open
items by primary key, then supplier balances)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.db import insert_rows
from core.errors import ApplicationError
from warehouse.models import Account, Clearing, ClearingKind, OpenItem


@dataclass(frozen=True)
class ClearingRequest:
    open_item_id: int
    amount: int  # minor units; positive clears, negative reopens


def open_items_lock(*, account: Account) -> list[OpenItem]:
    """Locks the account row, then its open items in primary-key order, and returns the
    items that are still open. Call inside the caller's transaction."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM warehouse_account WHERE id = %s{lock}", [account.pk])
        if cursor.fetchone() is None:
            raise Account.DoesNotExist(f"account {account.pk}")
    return list(
        OpenItem.objects.raw(
            "SELECT id, tenant_id, batch_id, account_id, supplier_id, period, kind, due_date,"
            " amount, open_amount FROM warehouse_openitem"
            f" WHERE account_id = %s AND open_amount <> 0 ORDER BY id{lock}",
            [account.pk],
        )
    )


def open_items_clear(
    *,
    account: Account,
    requests: list[ClearingRequest],
    kind: str,
    source_id: str,
    at: datetime | None = None,
    locked: Mapping[int, OpenItem] | None = None,
) -> list[Clearing]:
    """Applies each request to its open item and records a Clearing for it. A request that
    would take an item past zero (or past its amount when reopening) is refused whole.
    `locked`: the items the caller has already locked with `open_items_lock` (saves a query);
    one UPDATE writes all of them."""
    if kind not in ClearingKind.values:
        raise ApplicationError(f"unknown clearing kind {kind!r}", code="bad_clearing_kind")
    if not transaction.get_connection().in_atomic_block:
        raise ApplicationError(
            "open_items_clear runs inside the caller's transaction", code="no_transaction"
        )
    at = at or timezone.now()
    wanted = {r.open_item_id for r in requests}
    if locked is not None and wanted <= locked.keys():
        items = {pk: locked[pk] for pk in wanted}
    else:
        items = {
            item.pk: item
            for item in OpenItem.objects.select_for_update(of=("self",))
            .filter(account=account, pk__in=wanted)
            .order_by("pk")
        }
    clearings = []
    for request in requests:
        item = items.get(request.open_item_id)
        if item is None or item.account_id != account.pk:
            raise ApplicationError(
                f"open item {request.open_item_id} is not the account's", code="foreign_open_item"
            )
        remaining = (
            item.open_amount - request.amount
            if item.amount >= 0
            else (item.open_amount + request.amount)
        )
        if not min(0, item.amount) <= remaining <= max(0, item.amount):
            raise ApplicationError(
                f"clearing {request.amount} of open item {item.pk} (open {item.open_amount} of "
                f"{item.amount}) would leave it out of range",
                code="over_clearing",
            )
        item.open_amount = remaining
        clearings.append(
            Clearing(
                tenant_id=item.tenant_id,
                open_item=item,
                amount=request.amount,
                kind=kind,
                source_id=source_id,
                cleared_at=at,
            )
        )
    _write(items, clearings)
    return clearings


def _write(items: dict[int, OpenItem], clearings: list[Clearing]) -> None:
    """One UPDATE for the items and one INSERT for the clearings (`core.db.insert_rows`), in
    plain SQL: this runs in every payment, where the ORM's bulk helpers cost more than the
    statements themselves."""
    changed = sorted({c.open_item_id for c in clearings})
    with connection.cursor() as cursor:
        rows = ", ".join(["(%s, %s)"] * len(changed))
        cursor.execute(
            f"WITH v (id, open_amount) AS (VALUES {rows})"
            " UPDATE warehouse_openitem SET open_amount = v.open_amount"
            " FROM v WHERE warehouse_openitem.id = v.id",
            [value for pk in changed for value in (pk, items[pk].open_amount)],
        )
    insert_rows(
        Clearing,
        ("tenant_id", "open_item_id", "amount", "kind", "source_id", "cleared_at"),
        [
            (c.tenant_id, c.open_item_id, c.amount, c.kind, c.source_id, c.cleared_at)
            for c in clearings
        ],
    )
