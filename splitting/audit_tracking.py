"""The splitting rows whose changes the change history records (`warehouse.audit_history`):
the tenant's allocation rules and the provider rules — terminal networks and front offices.
`register()` is called once from `SplittingConfig.ready()`.

Not tracked: payments, allocations, the ledger, registries, payouts and the outbox. Services
write those (each with its own audit or ledger row), never a person editing a value."""

from warehouse.audit_history import track


def register() -> None:
    from splitting.models import AllocationRules, FrontOffice, TerminalProcessor

    track(AllocationRules)
    # The terminal network's password is stored as a hash; even that is not shown.
    track(TerminalProcessor, secret_fields=("password_hash",))
    track(FrontOffice, secret_fields=("secret",))
