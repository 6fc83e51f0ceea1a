"""Online payment providers' adapters, no database: the selection rules, the sandbox acquirer's
signed webhooks (and the acquirer itself, over Django's test client, calling back a loopback
receiver), and Stripe Checkout through the real `stripe` library against a local double."""

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integrations.providers import (
    CheckoutRequest,
    ProviderError,
    ProviderRules,
    WebhookRejected,
    provider_build,
)
from integrations.providers.sandbox import (
    CARD_DECLINED,
    CARD_RETRY,
    CARD_SUCCEEDS,
    SandboxProvider,
    sign,
)
from integrations.providers.stripe import StripeProvider
from tests.integrations.stripe_double import StripeDouble, event, stripe_signature

API_KEY = "sk_test_unibill"
WHSEC = "whsec_test_unibill"
SANDBOX_KEY = "sandbox-key"
SANDBOX_WHSEC = "sandbox-webhook-secret"


def request(**changes) -> CheckoutRequest:
    values = {
        "amount": 20_000,
        "currency": "RUB",
        "reference": "00000001",
        "description": "ООО «Расчётный центр»",
        "success_url": "https://unibill.example/pay/return/abc/",
        "cancel_url": "https://unibill.example/pay/return/abc/?cancelled=1",
        "idempotency_key": "unibill-checkout-abc",
    }
    return CheckoutRequest(**{**values, **changes})


# -- selection rules ------------------------------------------------------------------------


def test_rules_allow_amounts_within_limits_on_their_channels():
    wallet = ProviderRules(min_amount=100, max_amount=80_000, channels=frozenset({"cabinet"}))

    assert wallet.allows(100, "cabinet") and wallet.allows(80_000, "cabinet")
    assert not wallet.allows(99, "cabinet")
    assert not wallet.allows(80_001, "cabinet")  # a wallet only up to 800.00
    assert not wallet.allows(500, "pay_link")
    assert ProviderRules(channels=frozenset({"cabinet"})).allows(10**12, "cabinet")


def test_fee_is_percent_rounded_half_up_plus_fixed():
    rules = ProviderRules(fee_percent=Decimal("2.5"), fee_fixed=30)

    assert rules.fee(100) == 3 + 30  # 2.5 → 3
    assert rules.fee(1_234) == 31 + 30  # 30.85 → 31
    assert rules.fee(20_000) == 500 + 30
    assert ProviderRules().fee(20_000) == 0


def test_rules_from_settings_and_their_checks():
    rules = ProviderRules.from_settings(
        {"min_amount": 100, "max_amount": 80_000, "fee_percent": "1.5", "channels": ["pay_link"]}
    )

    assert rules == ProviderRules(100, 80_000, Decimal("1.5"), 0, frozenset({"pay_link"}))
    with pytest.raises(ValueError):
        ProviderRules(min_amount=500, max_amount=100)
    with pytest.raises(ValueError):
        ProviderRules(fee_percent=Decimal("101"))


# -- the sandbox acquirer's webhooks --------------------------------------------------------


def sandbox() -> SandboxProvider:
    return SandboxProvider("http://127.0.0.1:9/sandbox-acquirer", SANDBOX_KEY, SANDBOX_WHSEC)


def sandbox_event(event_type="checkout.completed", *, secret=SANDBOX_WHSEC, at=None, **data):
    body = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": event_type,
            "created": 1,
            "data": {
                "id": "sbx_1",
                "status": "succeeded",
                "amount": 20_000,
                "currency": "RUB",
                "reference": "00000001",
                "payment_id": "sbxpay_1",
                **data,
            },
        }
    ).encode()
    at = int(time.time()) if at is None else at
    return body, {"Sandbox-Signature": sign(secret, at, body)}


def test_sandbox_webhook_with_a_good_signature_is_read():
    body, headers = sandbox_event()

    parsed = sandbox().parse_webhook(body, {"sandbox-signature": headers["Sandbox-Signature"]})

    assert parsed.kind == "payment_succeeded"
    assert (parsed.provider_id, parsed.payment_id) == ("sbx_1", "sbxpay_1")
    assert (parsed.amount, parsed.currency, parsed.reference) == (20_000, "RUB", "00000001")
    assert sandbox().parse_webhook(*sandbox_event("checkout.failed")).kind == "payment_failed"


@pytest.mark.parametrize(
    "forge",
    [
        lambda body, headers: (body, sandbox_event(secret="guessed")[1]),
        lambda body, headers: (body.replace(b"20000", b"2000000"), headers),
        lambda body, headers: (body, {}),
        lambda body, headers: (body, {"Sandbox-Signature": "v1=deadbeef"}),
    ],
    ids=["wrong-secret", "altered-body", "no-header", "no-timestamp"],
)
def test_forged_sandbox_webhook_is_rejected(forge):
    with pytest.raises(WebhookRejected):
        sandbox().parse_webhook(*forge(*sandbox_event()))


def test_stale_or_future_sandbox_webhook_is_rejected():
    signed_at = 1_800_000_000
    body, headers = sandbox_event(at=signed_at)

    assert sandbox().parse_webhook(body, headers, now=signed_at + 300).kind == "payment_succeeded"
    with pytest.raises(WebhookRejected, match="tolerance"):
        sandbox().parse_webhook(body, headers, now=signed_at + 301)
    with pytest.raises(WebhookRejected, match="tolerance"):
        sandbox().parse_webhook(body, headers, now=signed_at - 301)


def test_sandbox_unknown_event_and_unreadable_body():
    assert sandbox().parse_webhook(*sandbox_event("checkout.viewed")).kind == "unknown"
    body = b"not json"
    with pytest.raises(WebhookRejected, match="unreadable"):
        sandbox().parse_webhook(
            body, {"Sandbox-Signature": sign(SANDBOX_WHSEC, int(time.time()), body)}
        )
    with pytest.raises(WebhookRejected, match="unreadable"):
        sandbox().parse_webhook(*sandbox_event(amount="200.00"))


# -- the sandbox acquirer itself (its pages through Django's test client) -------------------


class Receiver:
    """The merchant's webhook endpoint on loopback: records what arrives, answers 200."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k: v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhook"


@pytest.fixture
def receiver():
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def acquirer(settings, receiver):
    settings.SANDBOX_ACQUIRER = {
        "enabled": True,
        "api_key": SANDBOX_KEY,
        "webhook_secret": SANDBOX_WHSEC,
        "webhook_url": receiver.url,
    }
    return receiver


def open_checkout(client, *, key="k-1", **changes):
    body = {
        "amount": 20_000,
        "currency": "RUB",
        "reference": "00000001",
        "success_url": "http://merchant.test/ok",
        "cancel_url": "http://merchant.test/cancel",
        **changes,
    }
    return client.post(
        "/sandbox-acquirer/v1/checkouts",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {SANDBOX_KEY}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def card(client, checkout, number, *, expiry="12/39", cvc="123"):
    return client.post(
        f"/sandbox-acquirer/pay/{checkout['id']}",
        {"card_number": number, "expiry": expiry, "cvc": cvc},
    )


def test_acquirer_opens_a_checkout_once_per_idempotency_key(client, acquirer):
    first = open_checkout(client)
    again = open_checkout(client)
    other = open_checkout(client, key="k-1", amount=1)
    unauthorised = client.post(
        "/sandbox-acquirer/v1/checkouts", "{}", content_type="application/json"
    )

    assert first.status_code == 201
    assert first.json()["url"] == f"http://testserver/sandbox-acquirer/pay/{first.json()['id']}"
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert unauthorised.status_code == 401


def test_acquirer_page_shows_amount_and_reference_and_pays_with_the_success_card(client, acquirer):
    checkout = open_checkout(client).json()

    page = client.get(f"/sandbox-acquirer/pay/{checkout['id']}")
    paid = card(client, checkout, "4242 4242 4242 4242")

    assert page.status_code == 200
    assert "200.00 RUB" in page.content.decode() and "00000001" in page.content.decode()
    assert paid.status_code == 303 and paid["Location"] == "http://merchant.test/ok"
    [(headers, body)] = acquirer.received
    parsed = sandbox().parse_webhook(body, headers)
    assert parsed.kind == "payment_succeeded" and parsed.provider_id == checkout["id"]
    assert parsed.amount == 20_000 and parsed.payment_id.startswith("sbxpay_")
    assert card(client, checkout, CARD_SUCCEEDS).status_code == 200  # decided: no second one
    assert len(acquirer.received) == 1


def test_acquirer_declines_the_decline_card_and_says_so(client, acquirer):
    checkout = open_checkout(client, key="k-2").json()

    declined = card(client, checkout, CARD_DECLINED)

    assert "Your card was declined" in declined.content.decode()
    [(headers, body)] = acquirer.received
    assert sandbox().parse_webhook(body, headers).kind == "payment_failed"


def test_acquirer_retry_card_asks_once_then_succeeds(client, acquirer):
    checkout = open_checkout(client, key="k-3").json()

    first = card(client, checkout, CARD_RETRY)
    second = card(client, checkout, CARD_RETRY)

    assert "Temporary error, try again" in first.content.decode()
    assert second.status_code == 303
    assert [sandbox().parse_webhook(b, h).kind for h, b in acquirer.received] == [
        "payment_succeeded"
    ]


def test_acquirer_refuses_bad_card_input_without_deciding(client, acquirer):
    checkout = open_checkout(client, key="k-4").json()

    wrong = card(client, checkout, "4111111111111111", expiry="13/20", cvc="1")

    text = wrong.content.decode()
    assert "Use a test card" in text and "Expiry as MM/YY" in text and "3 or 4 digits" in text
    assert acquirer.received == []


def test_acquirer_is_off_unless_enabled(client, settings):
    settings.SANDBOX_ACQUIRER = {"enabled": False, "api_key": SANDBOX_KEY}

    assert open_checkout(client).status_code == 404


def test_sandbox_client_reports_an_unreachable_acquirer():
    with pytest.raises(ProviderError, match="could not be reached"):
        sandbox().create_checkout(request())


# -- Stripe Checkout against the local double -----------------------------------------------


@pytest.fixture
def stripe_api():
    with StripeDouble(api_key=API_KEY) as double:
        yield double


def stripe(double) -> StripeProvider:
    return provider_build(
        "stripe", {"api_key": API_KEY, "webhook_secret": WHSEC, "api_base": double.url}
    )


def test_stripe_checkout_session_carries_amount_currency_reference_and_nothing_else(stripe_api):
    made = stripe(stripe_api).create_checkout(request())

    [sent] = stripe_api.calls("/v1/checkout/sessions")
    assert made.provider_id.startswith("cs_test_")
    assert made.redirect_url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["idempotency-key"] == "unibill-checkout-abc"
    assert sent.params == {
        "mode": "payment",
        "line_items[0][price_data][currency]": "rub",
        "line_items[0][price_data][unit_amount]": "20000",
        "line_items[0][price_data][product_data][name]": "00000001",
        "line_items[0][price_data][product_data][description]": "ООО «Расчётный центр»",
        "line_items[0][quantity]": "1",
        "client_reference_id": "00000001",
        "metadata[reference]": "00000001",
        "success_url": "https://unibill.example/pay/return/abc/",
        "cancel_url": "https://unibill.example/pay/return/abc/?cancelled=1",
    }  # no customer, e-mail, name, address or phone of the payer


def test_stripe_completed_session_with_a_good_signature_is_a_payment(stripe_api):
    provider = stripe(stripe_api)
    made = provider.create_checkout(request())
    body, headers = stripe_api.signed_event(made.provider_id, WHSEC)

    parsed = provider.parse_webhook(body, headers)

    assert parsed.kind == "payment_succeeded"
    assert parsed.provider_id == made.provider_id
    assert parsed.payment_id == stripe_api.sessions[made.provider_id]["payment_intent"]
    assert (parsed.amount, parsed.currency, parsed.reference) == (20_000, "RUB", "00000001")
    assert parsed.raw_type == "checkout.session.completed"


def test_stripe_webhook_with_a_bad_signature_or_stale_timestamp_is_rejected(stripe_api):
    provider = stripe(stripe_api)
    made = provider.create_checkout(request())
    body, _ = stripe_api.signed_event(made.provider_id, WHSEC)
    now = int(time.time())

    forged = {"Stripe-Signature": stripe_signature(body, "whsec_guessed", now)}
    stale = {"Stripe-Signature": stripe_signature(body, WHSEC, now - 301)}
    future = {"Stripe-Signature": stripe_signature(body, WHSEC, now + 400)}
    for headers in (forged, stale, future, {}, {"Stripe-Signature": "garbage"}):
        with pytest.raises(WebhookRejected):
            provider.parse_webhook(body, headers)
    signed = {"Stripe-Signature": stripe_signature(body, WHSEC, now - 1000)}
    assert provider.parse_webhook(body, signed, now=now - 1000).kind == "payment_succeeded"
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body, signed, now=now - 1000 + 301)


def test_stripe_other_events(stripe_api):
    provider = stripe(stripe_api)
    made = provider.create_checkout(request())

    unknown = provider.parse_webhook(*event("customer.created", {"id": "cus_1"}, WHSEC))
    unpaid = provider.parse_webhook(
        *stripe_api.signed_event(made.provider_id, WHSEC, payment_status="unpaid")
    )
    expired = provider.parse_webhook(
        *stripe_api.signed_event(made.provider_id, WHSEC, event_type="checkout.session.expired")
    )
    refunded = provider.parse_webhook(
        *event(
            "charge.refunded",
            {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": "pi_1",
                "amount_refunded": 500,
                "currency": "rub",
            },
            WHSEC,
        )
    )

    assert (unknown.kind, unknown.raw_type) == ("unknown", "customer.created")
    assert unpaid.kind == "unknown"  # a delayed method: its outcome comes later
    assert expired.kind == "payment_failed" and expired.provider_id == made.provider_id
    assert (refunded.kind, refunded.payment_id, refunded.amount) == ("refunded", "pi_1", 500)


def test_stripe_refund_by_payment_intent(stripe_api):
    refund_id = stripe(stripe_api).refund("pi_123", 5_000, "unibill-refund-1")

    [sent] = stripe_api.calls("/v1/refunds")
    assert refund_id.startswith("re_")
    assert sent.params == {"payment_intent": "pi_123", "amount": "5000"}
    assert sent.headers["idempotency-key"] == "unibill-refund-1"


def test_stripe_errors_are_provider_errors(stripe_api):
    wrong_key = StripeProvider("sk_test_wrong", WHSEC, api_base=stripe_api.url)

    with pytest.raises(ProviderError, match="Invalid API Key"):
        wrong_key.create_checkout(request())
