"""The supplier's bank details as a payout's confirmation page shows them: the bank, its BIC and
the account, masked but for its first and last characters — enough to check it against the
contract, without spelling the whole account out on every screen."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.models import Supplier

MASK = "•••"


def account_mask(number: str, *, head: int = 4, tail: int = 4) -> str:
    """The first and last four characters: 40702810800001400002 → "4070 ••• 0002",
    DE89370400440532013000 → "DE89 ••• 3000"; a number too short to mask stays as it is."""
    digits = "".join(str(number or "").split())
    if len(digits) <= head + tail:
        return digits
    return f"{digits[:head]} {MASK} {digits[-tail:]}"


@dataclass(frozen=True)
class Payee:
    name: str
    tax_id: str
    bank_name: str
    bic: str
    account: str  # masked: the IBAN, else the settlement account
    corr_account: str

    @property
    def complete(self) -> bool:
        """The bank details a payment order needs are there (the writer refuses them else)."""
        return bool(self.bic and self.account)


def payee_of(supplier: Supplier) -> Payee:
    return Payee(
        name=supplier.name,
        tax_id=supplier.inn or supplier.tax_id,
        bank_name=supplier.bank_name,
        bic=supplier.bic,
        account=account_mask(supplier.iban or supplier.bank_account),
        corr_account=supplier.corr_account,
    )
