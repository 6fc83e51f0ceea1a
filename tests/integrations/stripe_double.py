"""A local double of Stripe's API for the tests: a real HTTP server on loopback that answers
what Unibill's Stripe adapter sends through the `stripe` library — form-encoded
`POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/<id>` and `POST /v1/refunds` with
`Authorization: Bearer <key>` and `Idempotency-Key` — with the JSON Stripe answers, and
records every request. `settle` pays (or expires) a session as the payer would, with no
webhook; `signed_event` does the same and builds the webhook as Stripe sends it: the event
JSON and its
`Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{payload}")>`.

    with StripeDouble(api_key="sk_test_…") as stripe:
        provider = StripeProvider("sk_test_…", "whsec_…", api_base=stripe.url)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

API_VERSION = "2026-10-28.endive"  # what stripe 16.1.0 sends


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]  # as sent, flat: "line_items[0][price_data][currency]" → "rub"


class StripeDouble:
    def __init__(self, api_key: str = "sk_test_double"):
        self.api_key = api_key
        self.requests: list[Recorded] = []
        self.sessions: dict[str, dict] = {}
        self._answers: dict[str, tuple[int, dict]] = {}  # by idempotency key
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StripeDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    # -- the API ----------------------------------------------------------------------------

    def _answer(self, method: str, path: str, headers: dict, params: dict) -> tuple[int, dict]:
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, _error("invalid_request_error", "Invalid API Key provided.")
        key = headers.get("idempotency-key", "")
        with self._lock:
            if key and key in self._answers:
                return self._answers[key]
            if method == "POST" and path == "/v1/checkout/sessions":
                answer = self._session_create(params)
            elif method == "GET" and path.startswith("/v1/checkout/sessions/"):
                return self._session_retrieve(path.rsplit("/", 1)[1])
            elif method == "POST" and path == "/v1/refunds":
                answer = self._refund_create(params)
            else:
                answer = 404, _error("invalid_request_error", f"Unrecognized request URL ({path}).")
            if key:
                self._answers[key] = answer
            return answer

    def _session_create(self, params: dict) -> tuple[int, dict]:
        if params.get("mode") != "payment":
            return 400, _error("invalid_request_error", "Missing required param: mode.", "mode")
        try:
            amount = int(params["line_items[0][price_data][unit_amount]"])
            quantity = int(params.get("line_items[0][quantity]", "1"))
            currency = params["line_items[0][price_data][currency]"]
        except (KeyError, ValueError):
            return 400, _error("invalid_request_error", "Invalid line_items.", "line_items")
        session_id = f"cs_test_{secrets.token_hex(24)}"
        now = int(time.time())
        metadata = {
            k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")
        }
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount * quantity,
            "amount_total": amount * quantity,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": None,
            "expires_at": now + 24 * 3600,
            "livemode": False,
            "metadata": metadata,
            "mode": "payment",
            "payment_intent": None,  # created when the payer confirms
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params.get("success_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
        }
        self.sessions[session_id] = session
        return 200, session

    def _session_retrieve(self, session_id: str) -> tuple[int, dict]:
        session = self.sessions.get(session_id)
        if session is None:
            return 404, _error(
                "invalid_request_error", f"No such checkout.session: '{session_id}'", "session"
            )
        return 200, session

    def _refund_create(self, params: dict) -> tuple[int, dict]:
        if not params.get("payment_intent", "").startswith("pi_"):
            return 400, _error("invalid_request_error", "No such payment_intent.", "payment_intent")
        return 200, {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": int(params.get("amount", 0)),
            "created": int(time.time()),
            "currency": "rub",
            "payment_intent": params["payment_intent"],
            "status": "succeeded",
        }

    def _handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                path, _, query = self.path.partition("?")
                params = dict(parse_qsl(raw or query, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                double.requests.append(Recorded(method, path, headers, params))
                code, body = double._answer(method, path, headers, params)
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
                self.send_header("Stripe-Version", API_VERSION)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                self._serve("POST")

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def log_message(self, *args):
                pass

        return Handler

    # -- webhooks ---------------------------------------------------------------------------

    def signed_event(
        self,
        session_id: str,
        secret: str,
        *,
        event_type: str = "checkout.session.completed",
        timestamp: int | None = None,
        **changes,
    ) -> tuple[bytes, dict[str, str]]:
        """The webhook Stripe sends about a session: (body, headers). A completed session is
        paid, with its payment intent, unless `changes` say otherwise."""
        session = self.settle(session_id, event_type, **changes)
        return event(event_type, session, secret, timestamp=timestamp)

    def settle(
        self, session_id: str, event_type: str = "checkout.session.completed", **changes
    ) -> dict:
        """What happens to a session at Stripe when the payer pays (or it expires), with no
        webhook sent: a later retrieve answers it so."""
        session = dict(self.sessions[session_id])
        if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            session.update(
                status="complete",
                payment_status="paid",
                payment_intent=session["payment_intent"] or f"pi_{secrets.token_hex(12)}",
            )
        elif event_type == "checkout.session.expired":
            session.update(status="expired")
        session.update(changes)
        self.sessions[session_id] = session
        return session


def event(
    event_type: str, subject: dict, secret: str, *, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """A Stripe event about `subject`, serialised and signed as Stripe does."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    payload = json.dumps(
        {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": API_VERSION,
            "created": timestamp,
            "data": {"object": subject},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        },
        indent=2,  # Stripe sends its events pretty-printed
    ).encode()
    return payload, {"Stripe-Signature": stripe_signature(payload, secret, timestamp)}


def stripe_signature(payload: bytes, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _error(kind: str, message: str, param: str | None = None) -> dict:
    body = {"type": kind, "message": message}
    if param:
        body["param"] = param
    return {"error": body}
