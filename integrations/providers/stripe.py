"""Stripe Checkout Sessions through Stripe's own Python library (`stripe`).

- a checkout is a Checkout Session in `payment` mode with one line item: the amount, the
  currency and our reference as the product's name, `client_reference_id` and
  `metadata[reference]` — nothing about the payer (no e-mail, no name, no customer);
- webhooks carry `Stripe-Signature: t=…,v1=…` and are verified by
  `stripe.Webhook.construct_event` with a 300 s tolerance (and, unlike the library, a
  timestamp too far in the future is refused as well);
- `checkout.session.completed` / `async_payment_succeeded` with `payment_status` "paid" is a
  payment; `async_payment_failed` and `expired` a failure; `charge.refunded` a refund;
  anything else is unknown (acknowledged, not acted on);
- refunds by payment intent;
- the status call retrieves the Checkout Session (`GET /v1/checkout/sessions/<id>`): "paid"
  (or "no_payment_required") is a payment, "expired" a failure, anything else still open.

`api_base` points the client at another address (the tests' local double on loopback)."""

from __future__ import annotations

import time
from collections.abc import Mapping

import stripe

from .base import (
    TOLERANCE,
    Checkout,
    CheckoutRequest,
    Provider,
    ProviderError,
    ProviderEvent,
    WebhookRejected,
    header,
)

SIGNATURE_HEADER = "Stripe-Signature"
SUCCEEDED = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
FAILED = ("checkout.session.async_payment_failed", "checkout.session.expired")


class StripeProvider(Provider):
    code = "stripe"

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        api_base: str = "",
        timeout: float = 20.0,
        max_network_retries: int = 2,
    ):
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=max_network_retries,  # safe: every write has its key
        )

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        product = {"name": request.reference}
        if request.description:
            product["description"] = request.description
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount,
                        "product_data": product,
                    },
                    "quantity": 1,
                }
            ],
            "client_reference_id": request.reference,
            "metadata": {"reference": request.reference},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": request.idempotency_key}
            )
        except stripe.StripeError as failure:
            raise ProviderError(f"Stripe: {failure.user_message or failure}") from None
        if not session.id or not session.url:
            raise ProviderError("Stripe answered a session without id or url")
        return Checkout(provider_id=session.id, redirect_url=session.url)

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> ProviderEvent:
        signature = header(headers, SIGNATURE_HEADER)
        try:
            event = stripe.Webhook.construct_event(
                body,
                signature,
                self.webhook_secret,
                # the library checks staleness against its own clock; a given `now` is ours
                tolerance=TOLERANCE if now is None else 0,
            )
        except stripe.SignatureVerificationError as refused:
            raise WebhookRejected(str(refused).split(". ")[0]) from None
        except (ValueError, UnicodeDecodeError) as bad:
            raise WebhookRejected(f"unreadable event: {bad}") from None
        _check_timestamp(signature, time.time() if now is None else now)
        try:
            return _event(event.to_dict())
        except (KeyError, TypeError, ValueError, AttributeError) as bad:
            raise WebhookRejected(f"unreadable event: {bad!r}") from None

    def refund(self, payment_id: str, amount: int, idempotency_key: str) -> str:
        try:
            refund = self.client.v1.refunds.create(
                params={"payment_intent": payment_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as failure:
            raise ProviderError(f"Stripe: {failure.user_message or failure}") from None
        return refund.id

    def status(self, provider_id: str) -> ProviderEvent | None:
        try:
            session = self.client.v1.checkout.sessions.retrieve(provider_id)
        except stripe.StripeError as failure:
            raise ProviderError(f"Stripe: {failure.user_message or failure}") from None
        try:
            return _session_status(session.to_dict())
        except (KeyError, TypeError, ValueError, AttributeError) as bad:
            raise ProviderError(f"Stripe answered an unreadable session: {bad!r}") from None


def _session_status(session: dict) -> ProviderEvent | None:
    """A retrieved Checkout Session as the event its webhook would be; None while open."""
    if session.get("payment_status") in ("paid", "no_payment_required"):
        kind, raw_type = "payment_succeeded", "checkout.session.paid"
    elif session.get("status") == "expired":
        kind, raw_type = "payment_failed", "checkout.session.expired"
    else:
        return None
    return _session_event(kind, session, raw_type)


def _check_timestamp(signature: str, now: float) -> None:
    fields = dict(part.strip().split("=", 1) for part in signature.split(",") if "=" in part)
    if abs(now - int(fields["t"])) > TOLERANCE:
        raise WebhookRejected(f"the timestamp {fields['t']} is outside the tolerance")


def _event(event: dict) -> ProviderEvent:
    raw_type = str(event["type"])
    subject = event["data"]["object"]
    if raw_type in SUCCEEDED and subject.get("payment_status") == "paid":
        kind = "payment_succeeded"
    elif raw_type in FAILED:
        kind = "payment_failed"
    elif raw_type == "charge.refunded":
        return ProviderEvent(
            kind="refunded",
            payment_id=_id(subject.get("payment_intent")),
            amount=_amount(subject.get("amount_refunded")),
            currency=str(subject.get("currency", "")).upper(),
            raw_type=raw_type,
        )
    else:  # e.g. completed but still "unpaid": a delayed method, its outcome comes later
        return ProviderEvent(
            kind="unknown", provider_id=str(subject.get("id", "")), raw_type=raw_type
        )
    return _session_event(kind, subject, raw_type)


def _session_event(kind, session: dict, raw_type: str) -> ProviderEvent:
    metadata = session.get("metadata") or {}
    return ProviderEvent(
        kind=kind,
        provider_id=str(session["id"]),
        payment_id=_id(session.get("payment_intent")),
        amount=_amount(session.get("amount_total")),
        currency=str(session.get("currency") or "").upper(),
        reference=str(session.get("client_reference_id") or metadata.get("reference") or ""),
        raw_type=raw_type,
    )


def _id(value) -> str:
    """An id, whether the field is expanded into its object or not."""
    if isinstance(value, dict):
        return str(value.get("id", ""))
    return str(value or "")


def _amount(value) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"amount {value!r} is not an integer")
    return value
