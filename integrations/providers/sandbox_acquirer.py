"""The sandbox acquirer: a fake card acquirer that ships with Unibill for the demo and the
tests. It is another party, not part of the billing: it touches no model of the project and
keeps its state in Django's cache `sandbox_acquirer` when settings define one (the demo's file
cache under var/, which outlives the seeding process), else the default cache, keyed by
checkout id (one shared cache is needed when the site runs in several processes). It does
what a real acquirer does:

- `POST /sandbox-acquirer/v1/checkouts` (JSON, `Authorization: Bearer <api_key>`, optional
  `Idempotency-Key`) opens a checkout → 201 `{"id", "url", …}`;
- `GET /sandbox-acquirer/pay/<id>` is its hosted card page (card number, expiry, CVC; it shows
  the amount and the reference only); the payer's `POST` decides by test card: success → the
  signed webhook `checkout.completed` to the merchant, then a redirect to `success_url`;
  decline → "declined" and `checkout.failed`; the retry card → "temporary error, try again"
  once, then success;
- `GET /sandbox-acquirer/v1/checkouts/<id>` reads a checkout; `POST /sandbox-acquirer/v1/refunds`
  refunds a payment (`refund.succeeded` follows).

Its settings are `settings.SANDBOX_ACQUIRER`: `enabled` (every page answers 404 otherwise),
`api_key`, `webhook_secret`, `webhook_url` (the merchant's webhook endpoint) and `webhooks`
(default on; off, none is sent — noted as "off" — as when they are lost on the way). Webhooks
are sent once, synchronously, after the outcome is decided and stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .sandbox import CARD_DECLINED, CARD_RETRY, CARD_SUCCEEDS, SIGNATURE_HEADER, sign

KEEP = 7 * 24 * 3600  # seconds a checkout is kept
PREFIX = "sandbox-acquirer"
MAX_AMOUNT = 10**12


def _config() -> dict:
    config = getattr(settings, "SANDBOX_ACQUIRER", {})
    if not config.get("enabled"):
        raise Http404("the sandbox acquirer is off")
    return config


def _error(status: int, kind: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"type": kind, "message": message}}, status=status)


def _authorised(request, config) -> bool:
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {config['api_key']}".encode())


def _key(kind: str, value: str) -> str:
    return f"{PREFIX}:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


class _Store:
    """The acquirer's own cache, looked up per call (tests swap the settings)."""

    def __getattr__(self, name):
        alias = "sandbox_acquirer" if "sandbox_acquirer" in settings.CACHES else "default"
        return getattr(caches[alias], name)


cache = _Store()


def _load(checkout_id: str) -> dict | None:
    return cache.get(_key("checkout", checkout_id))


def _store(state: dict) -> None:
    cache.set(_key("checkout", state["id"]), state, KEEP)


def _public(state: dict) -> dict:
    return {
        key: state[key]
        for key in (
            "id",
            "object",
            "url",
            "status",
            "amount",
            "currency",
            "reference",
            "payment_id",
            "refunded",
            "created",
        )
    }


def _checked(data) -> tuple[dict, str]:
    """The checkout's fields as given, or an error message."""
    if not isinstance(data, dict):
        return {}, "a JSON object is expected"
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        return {}, "amount: a positive integer in minor units"
    currency = data.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        return {}, "currency: an ISO 4217 code"
    reference = data.get("reference")
    if not isinstance(reference, str) or not 0 < len(reference) <= 64:
        return {}, "reference: 1 to 64 characters"
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 200:
        return {}, "description: at most 200 characters"
    for name in ("success_url", "cancel_url"):
        url = data.get(name)
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            return {}, f"{name}: an absolute http(s) URL"
    return {
        "amount": amount,
        "currency": currency.upper(),
        "reference": reference,
        "description": description,
        "success_url": data["success_url"],
        "cancel_url": data["cancel_url"],
    }, ""


@csrf_exempt
@require_POST
def checkouts_create(request):
    config = _config()
    if not _authorised(request, config):
        return _error(401, "authentication_error", "invalid API key")
    try:
        data = json.loads(request.body)
    except ValueError:
        return _error(400, "invalid_request_error", "the body is not JSON")
    fields, problem = _checked(data)
    if problem:
        return _error(400, "invalid_request_error", problem)
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    idempotency = request.headers.get("Idempotency-Key", "")
    if idempotency:
        earlier = cache.get(_key("idempotency", idempotency))
        if earlier is not None:
            if earlier["digest"] != digest:
                return _error(409, "idempotency_error", "the key was used for another request")
            state = _load(earlier["checkout"])
            if state is not None:
                return JsonResponse(_public(state), status=200)
    checkout_id = f"sbx_{secrets.token_urlsafe(18)}"
    state = {
        "id": checkout_id,
        "object": "checkout",
        "url": request.build_absolute_uri(reverse("sandbox-acquirer-pay", args=[checkout_id])),
        "status": "open",
        "payment_id": "",
        "refunded": 0,
        "attempts": 0,
        "created": int(time.time()),
        "webhooks": [],
        **fields,
    }
    _store(state)
    if idempotency:
        cache.set(
            _key("idempotency", idempotency), {"digest": digest, "checkout": checkout_id}, KEEP
        )
    return JsonResponse(_public(state), status=201)


@csrf_exempt
@require_GET
def checkout_read(request, checkout_id: str):
    config = _config()
    if not _authorised(request, config):
        return _error(401, "authentication_error", "invalid API key")
    state = _load(checkout_id)
    if state is None:
        return _error(404, "invalid_request_error", "no such checkout")
    return JsonResponse({**_public(state), "webhooks": state["webhooks"]})


@csrf_exempt
@require_POST
def refunds_create(request):
    config = _config()
    if not _authorised(request, config):
        return _error(401, "authentication_error", "invalid API key")
    try:
        data = json.loads(request.body)
        payment_id, amount = str(data["payment_id"]), data["amount"]
    except (ValueError, KeyError, TypeError):
        return _error(400, "invalid_request_error", "payment_id and amount are required")
    idempotency = request.headers.get("Idempotency-Key", "")
    if idempotency:
        earlier = cache.get(_key("refund", idempotency))
        if earlier is not None:
            return JsonResponse(earlier, status=200)
    checkout_id = cache.get(_key("payment", payment_id))
    state = _load(checkout_id) if checkout_id else None
    if state is None:
        return _error(404, "invalid_request_error", "no such payment")
    left = state["amount"] - state["refunded"]
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= left:
        return _error(400, "invalid_request_error", f"amount: 1 to {left}")
    state["refunded"] += amount
    _store(state)
    answer = {
        "id": f"sbxre_{secrets.token_urlsafe(12)}",
        "object": "refund",
        "status": "succeeded",
        "payment_id": payment_id,
        "amount": amount,
    }
    if idempotency:
        cache.set(_key("refund", idempotency), answer, KEEP)
    _deliver(config, "refund.succeeded", state, amount=amount)
    return JsonResponse(answer, status=201)


@never_cache
@require_http_methods(["GET", "POST"])
def pay_page(request, checkout_id: str):
    config = _config()
    state = _load(checkout_id)
    if state is None:
        return _page(request, {"missing": True}, status=404)
    if state["status"] != "open" or request.method == "GET":
        return _page(request, {"state": state})
    card = "".join(ch for ch in request.POST.get("card_number", "") if ch.isdigit())
    errors = _card_errors(card, request.POST.get("expiry", ""), request.POST.get("cvc", ""))
    if errors:
        return _page(request, {"state": state, "errors": errors, "card": card})
    if card == CARD_RETRY:
        state["attempts"] += 1
        _store(state)
        if state["attempts"] == 1:
            return _page(request, {"state": state, "retry": True})
    succeeded = card in (CARD_SUCCEEDS, CARD_RETRY)
    # One decision per checkout, even for two submits at once: `add` is atomic in every cache.
    if not cache.add(_key("decided", checkout_id), 1, KEEP):
        return _page(request, {"state": _load(checkout_id) or state})
    state = _load(checkout_id) or state
    state["status"] = "succeeded" if succeeded else "failed"
    if succeeded:
        state["payment_id"] = f"sbxpay_{secrets.token_urlsafe(12)}"
        cache.set(_key("payment", state["payment_id"]), checkout_id, KEEP)
    _store(state)
    _deliver(config, "checkout.completed" if succeeded else "checkout.failed", state)
    if succeeded:
        return HttpResponseRedirect(state["success_url"], status=303)
    return _page(request, {"state": state, "declined": True})


def _card_errors(card: str, expiry: str, cvc: str) -> dict[str, str]:
    errors = {}
    if card not in (CARD_SUCCEEDS, CARD_DECLINED, CARD_RETRY):
        errors["card_number"] = (
            "Use a test card: 4242 4242 4242 4242, 4000 0000 0000 0002 or 4000 0000 0000 9995."
        )
    month, _, year = expiry.strip().partition("/")
    try:
        month_number, year_number = int(month), 2000 + int(year)
        valid = 1 <= month_number <= 12 and len(year.strip()) == 2
        today = date.today()
        if valid and (year_number, month_number) < (today.year, today.month):
            errors["expiry"] = "The card has expired."
        elif not valid:
            raise ValueError
    except ValueError:
        errors["expiry"] = "Expiry as MM/YY."
    if not (cvc.strip().isdigit() and len(cvc.strip()) in (3, 4)):
        errors["cvc"] = "3 or 4 digits."
    return errors


def _page(request, context: dict, *, status: int = 200):
    state = context.get("state")
    if state:
        units, cents = divmod(state["amount"], 100)
        context["amount"] = f"{units:,}.{cents:02d}".replace(",", "\u202f")
    response = render(request, "sandbox_acquirer/pay.html", context, status=status)
    # Not "no-referrer": a browser then posts the card form with `Origin: null`, which Django's
    # CSRF check refuses; same-origin still sends nothing to another site.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _deliver(config: dict, event_type: str, state: dict, *, amount: int | None = None) -> None:
    """Sends one signed webhook to the merchant and notes the outcome; never raises."""
    if not config.get("webhooks", True):
        state["webhooks"].append({"type": event_type, "outcome": "off"})
        _store(state)
        return
    body = json.dumps(
        {
            "id": f"evt_{secrets.token_urlsafe(12)}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {
                "id": state["id"],
                "status": state["status"],
                "amount": state["amount"] if amount is None else amount,
                "currency": state["currency"],
                "reference": state["reference"],
                "payment_id": state["payment_id"],
            },
        }
    ).encode()
    url = config.get("webhook_url", "")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SandboxAcquirer/1",
            SIGNATURE_HEADER: sign(config["webhook_secret"], int(time.time()), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=config.get("timeout", 10)) as response:
            outcome = str(response.status)
    except urllib.error.HTTPError as failure:
        outcome = f"HTTP {failure.code}"
    except (urllib.error.URLError, OSError, ValueError) as failure:
        outcome = str(getattr(failure, "reason", failure))[:200]
    state["webhooks"].append({"type": event_type, "outcome": outcome})
    _store(state)


urlpatterns = [
    path("v1/checkouts", checkouts_create, name="sandbox-acquirer-checkouts"),
    path("v1/checkouts/<str:checkout_id>", checkout_read, name="sandbox-acquirer-checkout"),
    path("v1/refunds", refunds_create, name="sandbox-acquirer-refunds"),
    path("pay/<str:checkout_id>", pay_page, name="sandbox-acquirer-pay"),
]
