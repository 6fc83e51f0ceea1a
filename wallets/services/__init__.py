"""Wallet and coupon operations, one module per concern: corporate payers and the people who act
for them (`payers`), money in by bank transfer (`funding`), coupons from issue to use or release
(`coupons`), the offices' API tokens (`offices`); what they all write besides their own rows is in
`booking`, their refusals in `errors`.

Each operation is one database transaction that locks what it changes — lock order: a coupon
before its wallet — updates the wallet's counters, writes the statement line and books the same
amounts in the ledger:

- funding:  clearing:bank → wallet:<id>            (the payer's money, owed to them)
- issuing:  wallet:<id> → wallet_blocked:<id>       (held for the coupons)
- release:  wallet_blocked:<id> → wallet:<id>       (cancelled or expired)
- redeeming: wallet_blocked:<id> → payable:<supplier> or fee_income (spent)

A refused operation raises before writing anything."""
