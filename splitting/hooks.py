"""Splitting's extension points (`core.hooks.Hook`) for the apps built on it: they may import
splitting, never the other way round, yet some of their money passes through splitting's own
work — a bank credit that funds a corporate wallet, the coupons a supplier is paid for in its
registry, the balances `check_ledger` recomputes.

- `credit_resolvers`: asked first for every new bank credit, with the whole credit: an app whose
  references have a shape only it knows (a wallet's funding reference, structured or typed in
  the text) answers whose the credit is, or takes it itself.
- `reference_resolvers`: asked, in order, for a reference a credit quotes that is no payment
  document's (an instalment of a payment plan); the first answer wins.
- `payments_booked`, `payments_reversed`: told of every payment booked (with the reference it
  quoted that is no document's, e.g. an instalment's) and of every payment reversed, inside that
  payment's transaction, so an app can record what the money was meant for (a payment plan).
- `supplier_credits`: money an app owes a supplier outside its payments (used coupons); the
  supplier's daily registry, its balance and the ledger check count it.
- `ledger_checks`, `ledger_shares`: an app's own ledger invariants, and what it holds of
  splitting's ledger accounts, for `splitting.core.ledger_check`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from core.hooks import Hook

if TYPE_CHECKING:
    from integrations.settlement.types import RegistryLine
    from integrations.statements.types import StatementCredit
    from splitting.models import BankCredit, Payment, Registry
    from warehouse.models import Account, Supplier, Tenant


# --- bank credits ---------------------------------------------------------------------------


class CreditClaim(Protocol):
    """Books a credit an app took itself: called with the credit's row, already saved as
    matched under the answer's `rule`, inside the transaction that saved it."""

    def __call__(self, *, credit: BankCredit, actor) -> object: ...


@dataclass(frozen=True)
class ReferenceMatch:
    """A resolver's answer: either `account` — the credit becomes that account's payment, booked
    by the matcher like any other — or `claim` — the resolver's app takes the credit itself (a
    wallet's funding). `rule` is the credit's recorded match rule."""

    account: Account | None = None
    claim: CreditClaim | None = None
    rule: str = "reference"

    def __post_init__(self):
        if (self.account is None) == (self.claim is None):
            raise ValueError("a ReferenceMatch names an account or a claim, exactly one")


class CreditResolver(Protocol):
    def __call__(self, *, tenant: Tenant, credit: StatementCredit) -> ReferenceMatch | None: ...


class ReferenceResolver(Protocol):
    """`reference` is compact and upper-case. A bare `Account` answers as
    `ReferenceMatch(account=...)`."""

    def __call__(self, *, tenant: Tenant, reference: str) -> ReferenceMatch | Account | None: ...


credit_resolvers: Hook[CreditResolver] = Hook(
    "splitting.credit_resolvers",
    "Asked first for every new bank credit, before any matching: the first answer wins.",
)
reference_resolvers: Hook[ReferenceResolver] = Hook(
    "splitting.reference_resolvers",
    "Asked for a reference that is no payment document's: the first answer wins.",
)


def credit_resolve(*, tenant: Tenant, credit: StatementCredit) -> ReferenceMatch | None:
    for function in credit_resolvers:
        match = function(tenant=tenant, credit=credit)
        if match is not None:
            return match
    return None


def reference_resolve(*, tenant: Tenant, reference: str) -> ReferenceMatch | None:
    for function in reference_resolvers:
        found = function(tenant=tenant, reference=reference)
        if isinstance(found, ReferenceMatch):
            return found
        if found is not None:
            return ReferenceMatch(account=found)
    return None


# --- payments booked and reversed ----------------------------------------------------------


class PaymentBooked(Protocol):
    """`reference` is the compact, upper-case reference the payment quoted when it is no
    payment document's (an instalment of a payment plan), else "". Runs inside the payment's
    transaction, after its bookings; the account and its open items are locked."""

    def __call__(self, *, payment: Payment, reference: str) -> None: ...


class PaymentReversed(Protocol):
    def __call__(self, *, payment: Payment) -> None: ...


payments_booked: Hook[PaymentBooked] = Hook(
    "splitting.payments_booked",
    "Told of every new payment inside its transaction (not of a replay).",
)
payments_reversed: Hook[PaymentReversed] = Hook(
    "splitting.payments_reversed",
    "Told of every reversed payment inside the reversal's transaction.",
)


def payment_booked(*, payment: Payment, reference: str = "") -> None:
    for function in payments_booked:
        function(payment=payment, reference=reference)


def payment_reversed(*, payment: Payment) -> None:
    for function in payments_reversed:
        function(payment=payment)


# --- settlement -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryItem:
    """One line an app adds to a supplier's registry; `at` and `pk` order it after the
    allocations booked at the same instant."""

    at: datetime
    pk: int
    line: RegistryLine


class SupplierCredits(Protocol):
    """Money an app owes suppliers outside their payments (coupons used at a supplier's office:
    the fee, whole, no commission), settled in the supplier's daily registry."""

    def pending(self, *, supplier: Supplier, before: datetime) -> bool:
        """Whether any is due before `before` and in no registry yet."""
        ...

    def attach(
        self, *, supplier: Supplier, registry: Registry, before: datetime
    ) -> tuple[int, int]:
        """Puts what is pending into `registry`; gives (count, gross) of what it now holds."""
        ...

    def registry_items(self, *, registry: Registry) -> list[RegistryItem]: ...

    def collected(self, *, supplier: Supplier) -> int:
        """What the supplier was owed so far, in minor units (its balance page)."""
        ...


supplier_credits: Hook[SupplierCredits] = Hook(
    "splitting.supplier_credits",
    "What else a supplier is paid for: its registries, balance and payable count it.",
)


def supplier_credits_pending(*, supplier: Supplier, before: datetime) -> bool:
    return any(source.pending(supplier=supplier, before=before) for source in supplier_credits)


def supplier_credits_attach(
    *, supplier: Supplier, registry: Registry, before: datetime
) -> tuple[int, int]:
    count = gross = 0
    for source in supplier_credits:
        more, amount = source.attach(supplier=supplier, registry=registry, before=before)
        count, gross = count + more, gross + amount
    return count, gross


def supplier_registry_items(*, registry: Registry) -> list[tuple[int, RegistryItem]]:
    """Each item with the rank of its source (the allocations are rank 0)."""
    return [
        (rank, item)
        for rank, source in enumerate(supplier_credits, start=1)
        for item in source.registry_items(registry=registry)
    ]


def supplier_collected(*, supplier: Supplier) -> int:
    return sum(source.collected(supplier=supplier) for source in supplier_credits)


# --- the ledger check -----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A broken invariant: the rule's name and one line per row that breaks it."""

    rule: str
    details: list[str]


@dataclass(frozen=True)
class LedgerShare:
    """What an app holds of splitting's ledger accounts: supplier payables it booked, by
    supplier id, and money it took in through a channel, by channel."""

    payable: dict[int, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)


class LedgerCheck(Protocol):
    def __call__(self, tenant: Tenant) -> list[Finding]: ...


class LedgerShareOf(Protocol):
    def __call__(self, tenant: Tenant) -> LedgerShare: ...


ledger_checks: Hook[LedgerCheck] = Hook(
    "splitting.ledger_checks",
    "An app's own invariants, run by check_ledger after splitting's.",
)
ledger_shares: Hook[LedgerShareOf] = Hook(
    "splitting.ledger_shares",
    "What an app holds of splitting's payable and clearing accounts, for check_ledger.",
)
