"""Typed boundary of the settlement writers: a supplier's daily registry and its payouts.

Amounts are integers in minor units (kopecks, cents, Rappen). A reversal is a registry line
with a negative amount (and a commission of the same sign), never an edit of the original line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

REGISTRY_ID_RE = re.compile(r"[A-Za-z0-9-]{1,35}")
CURRENCY_RE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Party:
    """A payer or payee. SEPA/CH parties carry `iban`/`bic`; RU parties carry `bank_account`,
    the 9-digit `bic`, `corr_account`, `inn` and `kpp`."""

    name: str
    iban: str = ""
    bic: str = ""
    bank_name: str = ""
    bank_account: str = ""  # RU settlement account (20 digits)
    corr_account: str = ""  # RU correspondent account
    inn: str = ""
    kpp: str = ""


@dataclass(frozen=True)
class RegistryLine:
    """One payment (or reversal) in the supplier's favour."""

    account_number: str
    period: str  # YYYY-MM
    document_reference: str  # may be ""
    payment_id: str
    booked_at: datetime  # aware
    amount: int  # minor units; NEGATIVE for a reversal
    commission: int  # minor units, same sign as amount

    def __post_init__(self) -> None:
        if self.booked_at.tzinfo is None or self.booked_at.utcoffset() is None:
            raise ValueError(f"registry line {self.payment_id}: booked_at must be aware")
        if self.amount * self.commission < 0:
            raise ValueError(
                f"registry line {self.payment_id}: commission {self.commission} and amount "
                f"{self.amount} have different signs"
            )

    @property
    def net(self) -> int:
        return self.amount - self.commission


@dataclass(frozen=True)
class Registry:
    """A supplier's daily registry of the payments in its favour (count, totals, lines)."""

    id: str  # <= 35 chars [A-Za-z0-9-]; becomes the payout's EndToEndId
    day: date
    currency: str  # "RUB", "EUR", "CHF"
    supplier: Party
    operator: Party
    lines: tuple[RegistryLine, ...]

    def __post_init__(self) -> None:
        if not REGISTRY_ID_RE.fullmatch(self.id):
            raise ValueError(f"registry id {self.id!r}: 1-35 characters of [A-Za-z0-9-]")
        if not CURRENCY_RE.fullmatch(self.currency):
            raise ValueError(f"registry {self.id}: currency {self.currency!r} is not ISO 4217")

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def gross(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def commission(self) -> int:
        return sum(line.commission for line in self.lines)

    @property
    def net(self) -> int:
        return self.gross - self.commission


@dataclass(frozen=True)
class Payout:
    """One credit transfer to a supplier: the net of one registry."""

    end_to_end_id: str  # the registry id
    amount: int  # minor units > 0
    currency: str
    creditor: Party
    remittance: str  # <= 140 chars, e.g. "Registry R-… of 2026-11-20: 123 payments"

    def __post_init__(self) -> None:
        if not REGISTRY_ID_RE.fullmatch(self.end_to_end_id):
            raise ValueError(
                f"payout end-to-end id {self.end_to_end_id!r}: 1-35 characters of [A-Za-z0-9-]"
            )
        if self.amount <= 0:
            raise ValueError(f"payout {self.end_to_end_id}: amount {self.amount} must be > 0")
        if not CURRENCY_RE.fullmatch(self.currency):
            raise ValueError(
                f"payout {self.end_to_end_id}: currency {self.currency!r} is not ISO 4217"
            )
