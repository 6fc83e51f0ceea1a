"""Outbound webhooks to the suppliers' billing systems: signing and one delivery attempt.

The signature header is `X-Unibill-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
`"<t>." + body` with the supplier's secret — the scheme Stripe uses, so receivers can reject a
replayed or forged call by its timestamp and signature."""

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Unibill-Signature"
DEFAULT_TOLERANCE = 300


@dataclass(frozen=True)
class WebhookResult:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def webhook_signature(secret: str | Sequence[str], timestamp: int, body: bytes) -> str:
    """`t=<timestamp>,v1=<mac>` — with one `v1` per secret while a rotated secret overlaps the
    new one, so a receiver holding either verifies."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets or not all(secrets):
        raise ValueError("a webhook is signed with a secret")
    return ",".join([f"t={timestamp}", *(f"v1={_mac(s, timestamp, body)}" for s in secrets)])


def webhook_verify(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance=DEFAULT_TOLERANCE
) -> bool:
    """True when one of the header's `v1` signatures signs `body` with `secret` and its
    timestamp is within `tolerance` seconds of now. What a receiver does; Unibill's own tests
    use it as one."""
    try:
        pairs = [part.split("=", 1) for part in header.split(",")]
        timestamp = int(next(value for key, value in pairs if key.strip() == "t"))
        given = [value for key, value in pairs if key.strip() == "v1"]
    except (StopIteration, ValueError):
        return False
    if not given or abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = _mac(secret, timestamp, body)
    return any(hmac.compare_digest(expected, value) for value in given)


def webhook_send(
    url: str, secret: str | Sequence[str], body: bytes, *, event: str = "", timeout: float = 10
) -> WebhookResult:
    """POSTs `body` (JSON) once, signed with each of `secret`. Never raises for what the network
    or the receiver does: a 2xx answer is a delivery, anything else is a failed attempt with its
    reason."""
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
