"""Every hook between apps, connected in one place and in the order it runs.

A lower app that must let an app above it take part in its own work declares a typed
`core.hooks.Hook` and calls it at a named place; the connections are made here and nowhere else
(`WiringConfig.ready`, the last app to load). Each chain is also listed at the end of DESIGN.md.
Read top to bottom, this file is the answer to "what else runs when…"."""

from core import money
from debt_collection.services.penalty_runs import close_refusal
from debt_collection.services.plans import (
    instalment_account,
    plan_payment_booked,
    plan_payment_reversed,
)
from invoicing import hooks as invoicing_hooks
from splitting import hooks as splitting_hooks
from splitting import selectors as splitting_selectors
from splitting.core.payments import charges_book
from wallets import ledger_checks as wallet_ledger
from wallets.funding import funding_claim
from wallets.settlement import UsedCoupons
from warehouse import hooks as warehouse_hooks
from warehouse.countries import country_named


def connect() -> None:
    # Formatting an amount or a date for an owner that does not carry its country (core) → the
    # country profile of its profile code (warehouse).
    money.country_profiles.connect(country_named)

    # Charges posted (warehouse, inside the import's or penalty run's transaction) → the ledger
    # books the receivables and waiting advances are applied to the new open items (splitting).
    warehouse_hooks.charges_posted_hook.connect(charges_book)

    # A period's close (invoicing) first asks whether every step of month-end before it ran:
    # the period's penalty run (debt_collection). The close does not run it.
    invoicing_hooks.close_checks.connect(close_refusal)

    # A payment document (invoicing, while a period's documents are issued) shows the account's
    # money on advance at the close — payments not yet applied to any charge (splitting) — and
    # takes it off what is to pay.
    invoicing_hooks.unused_advances.connect(splitting_selectors.unused_advances)

    # A bank credit (splitting's statement matcher) → first, is it a wallet's funding, quoting
    # the wallet's reference anywhere in the credit (wallets)? It is then the wallet's.
    splitting_hooks.credit_resolvers.connect(funding_claim)
    # → else, when its reference is not a payment document's: an instalment of a payment plan
    # (debt_collection) pays that plan's account.
    splitting_hooks.reference_resolvers.connect(instalment_account)

    # A payment booked (splitting, inside its transaction) → when it quotes an instalment's
    # reference (a bank transfer, the instalment's pay link), or its account's plan is funded by
    # all its payments, it counts toward that plan (debt_collection). A payment reversed → it
    # no longer does, and the instalments it paid are unpaid again.
    splitting_hooks.payments_booked.connect(plan_payment_booked)
    splitting_hooks.payments_reversed.connect(plan_payment_reversed)

    # A supplier's registry, balance and payable (splitting's settlement) → coupons used at the
    # supplier's offices count as collected for it (wallets).
    splitting_hooks.supplier_credits.connect(UsedCoupons)

    # check_ledger (splitting) → what wallets hold of splitting's accounts, and their own
    # invariants (wallets).
    splitting_hooks.ledger_shares.connect(wallet_ledger.wallet_ledger_share)
    splitting_hooks.ledger_checks.connect(wallet_ledger.wallet_findings)
