"""Splitting's core: taking a payment and undoing one, the allocation engine, the double-entry
ledger and its check, the suppliers' outbox, idempotent answers."""
