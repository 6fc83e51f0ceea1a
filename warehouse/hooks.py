"""Warehouse's extension points (`core.hooks.Hook`), connected in `config/wiring.py`.

Warehouse may not import the apps above it, yet some of their bookkeeping must happen inside
warehouse's own transaction: when charges post, splitting books them in the ledger and applies
the account advances the new charges can use; a failure rolls the whole posting back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from core.hooks import Hook

if TYPE_CHECKING:
    from warehouse.models import ImportBatch


class ChargesPosted(Protocol):
    def __call__(self, *, batch: ImportBatch) -> None: ...


charges_posted_hook: Hook[ChargesPosted] = Hook(
    "warehouse.charges_posted",
    "Called after a batch's charges and open items have been written (and an earlier "
    "version's rows replaced), in the same transaction.",
)


def charges_posted(*, batch: ImportBatch) -> None:
    for function in charges_posted_hook:
        function(batch=batch)
