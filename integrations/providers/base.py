"""The interface every online payment provider's adapter speaks, and the selection rules a
provider is offered under. Pure: no Django, no models, no network.

Amounts are integers in minor units. A provider only ever learns what is in `CheckoutRequest`:
the amount, the currency, our reference (a document reference or an account number) and a
description of the merchant's own choosing — never who the payer is."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from core.money import percent_of

EventKind = Literal["payment_succeeded", "payment_failed", "refunded", "unknown"]

TOLERANCE = 300  # seconds a signed webhook's timestamp may be away from now


@dataclass(frozen=True)
class CheckoutRequest:
    amount: int  # minor units, what the payer is charged
    currency: str  # ISO 4217, upper case
    reference: str
    description: str
    success_url: str
    cancel_url: str
    idempotency_key: str


@dataclass(frozen=True)
class Checkout:
    provider_id: str  # the provider's id of the checkout (session)
    redirect_url: str  # where the payer pays


@dataclass(frozen=True)
class ProviderEvent:
    kind: EventKind
    provider_id: str = ""  # the checkout (session) the event is about
    payment_id: str = ""  # the provider's payment (intent) id
    amount: int = 0
    currency: str = ""
    reference: str = ""
    raw_type: str = ""  # the provider's own name of the event


class WebhookRejected(Exception):
    """A webhook that is not the provider's: bad or missing signature, a timestamp too far
    from now, or a body that cannot be read. Nothing of it may be acted on."""


class ProviderError(Exception):
    """The provider refused a request or could not be reached."""


class Provider(abc.ABC):
    """One online payment provider: a hosted checkout, its signed webhooks, refunds."""

    code: str = ""

    @abc.abstractmethod
    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """Opens a hosted checkout; raises ProviderError."""

    @abc.abstractmethod
    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> ProviderEvent:
        """Verifies a webhook's signature and timestamp and reads it; raises WebhookRejected."""

    @abc.abstractmethod
    def refund(self, payment_id: str, amount: int, idempotency_key: str) -> str:
        """Pays back `amount` of a payment; the provider's refund id. Raises ProviderError."""

    @abc.abstractmethod
    def status(self, provider_id: str) -> ProviderEvent | None:
        """Asks the provider where a checkout stands, as its webhook would tell it: an event of
        kind `payment_succeeded` (with the payment's id, amount, currency and reference, so it
        books exactly as the webhook does) or `payment_failed`; None while it is still open
        (not paid yet, or paid by a method whose outcome comes later). Raises ProviderError
        when the provider cannot be asked or does not know the checkout."""


@dataclass(frozen=True)
class ProviderRules:
    """When a provider is offered: the amount range (max None: no limit), the channels
    (`cabinet`, `pay_link`…), and its fee to the payer — percent of the amount rounded half-up
    to the minor unit, plus a fixed part."""

    min_amount: int = 1
    max_amount: int | None = None
    fee_percent: Decimal = Decimal("0")
    fee_fixed: int = 0
    channels: frozenset[str] = field(default_factory=lambda: frozenset({"cabinet"}))

    def __post_init__(self):
        if self.min_amount < 1:
            raise ValueError("min_amount must be at least 1")
        if self.max_amount is not None and self.max_amount < self.min_amount:
            raise ValueError("max_amount is below min_amount")
        if not Decimal("0") <= Decimal(self.fee_percent) <= Decimal("100") or self.fee_fixed < 0:
            raise ValueError("a fee is a percentage between 0 and 100 plus a fixed amount >= 0")

    def allows(self, amount: int, channel: str) -> bool:
        if channel not in self.channels or amount < self.min_amount:
            return False
        return self.max_amount is None or amount <= self.max_amount

    def fee(self, amount: int) -> int:
        return percent_of(amount, self.fee_percent) + self.fee_fixed

    @classmethod
    def from_settings(cls, data: Mapping) -> ProviderRules:
        """From a settings dict: amounts in minor units, the percent as a string."""
        max_amount = data.get("max_amount")
        return cls(
            min_amount=int(data.get("min_amount", 1)),
            max_amount=None if max_amount is None else int(max_amount),
            fee_percent=Decimal(str(data.get("fee_percent", "0"))),
            fee_fixed=int(data.get("fee_fixed", 0)),
            channels=frozenset(data.get("channels", ("cabinet",))),
        )


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value, whatever the case of its name in `headers` ("" when absent)."""
    if name in headers:
        return headers[name]
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return ""
