"""The client of the sandbox acquirer that ships with Unibill (`sandbox_acquirer.py`): the demo's
and the tests' online payment provider. It speaks over real HTTP as to any acquirer:

- `POST {base_url}/v1/checkouts` (JSON, `Authorization: Bearer <secret>`, `Idempotency-Key`)
  → `{"id": "sbx_…", "url": "<hosted card page>"}`;
- `POST {base_url}/v1/refunds` `{"payment_id", "amount"}` → `{"id": "sbxre_…"}`;
- `GET {base_url}/v1/checkouts/<id>` → `{"id", "status": "open" | "succeeded" | "failed",
  "amount", "currency", "reference", "payment_id", …}` (the status call);
- webhooks back to the merchant, JSON `{"id", "type", "created", "data": {"id", "status",
  "amount", "currency", "reference", "payment_id"}}` signed as Stripe signs them:
  `Sandbox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`.

Test cards on the hosted page: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined,
4000 0000 0000 9995 answers "temporary error, try again" the first time and succeeds then."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

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

SIGNATURE_HEADER = "Sandbox-Signature"

CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_RETRY = "4000000000009995"

EVENT_KINDS = {
    "checkout.completed": "payment_succeeded",
    "checkout.failed": "payment_failed",
    "refund.succeeded": "refunded",
}
# What a checkout's status, read back (`status`), means; "open" is not decided yet.
STATUS_KINDS = {"succeeded": "payment_succeeded", "failed": "payment_failed"}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Sandbox-Signature` header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, signature: str, body: bytes, *, now: float | None = None, tolerance=TOLERANCE
) -> None:
    """Raises WebhookRejected unless `signature` signs `body` with `secret` within `tolerance`
    seconds of now (either way: a clock ahead is as suspect as a replay)."""
    if not signature:
        raise WebhookRejected(f"no {SIGNATURE_HEADER} header")
    try:
        fields = [part.strip().split("=", 1) for part in signature.split(",")]
        timestamp = int(next(value for key, value in fields if key == "t"))
        given = [value for key, value in fields if key == "v1"]
    except (StopIteration, ValueError):
        raise WebhookRejected("unreadable signature header") from None
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, value) for value in given):
        raise WebhookRejected("the signature does not match")
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise WebhookRejected(f"the timestamp {timestamp} is outside the tolerance")


class SandboxProvider(Provider):
    code = "sandbox"

    def __init__(self, base_url: str, secret: str, webhook_secret: str = "", timeout=10.0):
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.webhook_secret = webhook_secret or secret
        self.timeout = timeout

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        answer = self._post(
            "/v1/checkouts",
            {
                "amount": request.amount,
                "currency": request.currency,
                "reference": request.reference,
                "description": request.description,
                "success_url": request.success_url,
                "cancel_url": request.cancel_url,
            },
            request.idempotency_key,
        )
        try:
            return Checkout(provider_id=str(answer["id"]), redirect_url=str(answer["url"]))
        except KeyError as missing:
            raise ProviderError(f"the acquirer's answer has no {missing}") from None

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> ProviderEvent:
        verify(self.webhook_secret, header(headers, SIGNATURE_HEADER), body, now=now)
        try:
            event = json.loads(body)
            raw_type = str(event["type"])
            data = event.get("data") or {}
            if raw_type not in EVENT_KINDS:
                return ProviderEvent(
                    kind="unknown", provider_id=str(data.get("id", "")), raw_type=raw_type
                )
            return _checkout_event(EVENT_KINDS[raw_type], data, raw_type)
        except (ValueError, KeyError, TypeError, AttributeError) as bad:
            raise WebhookRejected(f"unreadable event: {bad}") from None

    def refund(self, payment_id: str, amount: int, idempotency_key: str) -> str:
        answer = self._post(
            "/v1/refunds", {"payment_id": payment_id, "amount": amount}, idempotency_key
        )
        if "id" not in answer:
            raise ProviderError("the acquirer's answer has no id")
        return str(answer["id"])

    def status(self, provider_id: str) -> ProviderEvent | None:
        answer = self._get(f"/v1/checkouts/{urllib.parse.quote(provider_id, safe='')}")
        try:
            state = str(answer["status"])
            if state == "open":
                return None
            if state not in STATUS_KINDS:
                raise ValueError(f"status {state!r}")
            return _checkout_event(STATUS_KINDS[state], answer, f"checkout.{state}")
        except (ValueError, KeyError, TypeError) as bad:
            raise ProviderError(f"unreadable checkout from the acquirer: {bad}") from None

    def _post(self, path: str, payload: dict, idempotency_key: str) -> dict:
        return self._send(
            path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": idempotency_key},
        )

    def _get(self, path: str) -> dict:
        return self._send(path)

    def _send(self, path: str, *, data: bytes | None = None, headers: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=data,
            method="GET" if data is None else "POST",
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {self.secret}",
                "User-Agent": "Unibill-Providers/1",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as failure:
            detail = failure.read()[:300].decode(errors="replace")
            raise ProviderError(f"the acquirer answered HTTP {failure.code}: {detail}") from None
        except (urllib.error.URLError, OSError, ValueError) as failure:
            reason = getattr(failure, "reason", failure)
            raise ProviderError(f"the acquirer could not be reached: {reason}") from None


def _checkout_event(kind: str, data: dict, raw_type: str) -> ProviderEvent:
    """The event a checkout's data (a webhook's `data` or the status answer) describes; raises
    ValueError, KeyError or TypeError when it is not readable."""
    amount = data["amount"]
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError("amount is not an integer")
    return ProviderEvent(
        kind=kind,
        provider_id=str(data["id"]),
        payment_id=str(data.get("payment_id") or ""),
        amount=amount,
        currency=str(data["currency"]).upper(),
        reference=str(data.get("reference", "")),
        raw_type=raw_type,
    )
