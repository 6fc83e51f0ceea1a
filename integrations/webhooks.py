"""Outbound webhooks to the suppliers' billing systems: signing and one delivery attempt.

The signature header is `X-Unibill-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
`"<t>." + body` with the supplier's secret — the scheme Stripe uses, so receivers can reject a
replayed or forged call by its timestamp and signature."""

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Unibill-Signature"
DEFAULT_TOLERANCE = 300


@dataclass(frozen=True)
class WebhookResult:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def webhook_verify(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance=DEFAULT_TOLERANCE
) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance`
    seconds of now. What a receiver does; Unibill's own tests use it as one."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
        given = fields["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def webhook_send(
    url: str, secret: str, body: bytes, *, event: str = "", timeout: float = 10
) -> WebhookResult:
    """POSTs `body` (JSON) once. Never raises for what the network or the receiver does: a
    2xx answer is a delivery, anything else is a failed attempt with its reason."""
    timestamp = int(time.time())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Unibill-Webhooks/1",
            SIGNATURE_HEADER: webhook_signature(secret, timestamp, body),
            "X-Unibill-Event": event,
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            error = ""
    except urllib.error.HTTPError as failure:
        status, error = failure.code, f"HTTP {failure.code}"
    except (urllib.error.URLError, OSError, ValueError) as failure:
        status, error = None, str(getattr(failure, "reason", failure))[:300]
    duration = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    return WebhookResult(ok=ok, status_code=status, error=error, duration_ms=duration)


def backoff_seconds(attempt: int, *, base: int = 30, cap: int = 6 * 3600) -> int:
    """Wait before try `attempt + 1` (attempt counts from 1): 30 s, 1 min, 2 min … up to 6 h."""
    return min(cap, base * 2 ** max(0, attempt - 1))
