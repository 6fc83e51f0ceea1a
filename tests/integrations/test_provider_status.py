"""The providers' status call (`Provider.status`): asked where a checkout stands, each adapter
answers as its webhook would — a payment with its id, amount, currency and reference, a failure,
or None while it is still open. The sandbox acquirer is asked over real HTTP (Django's live
server; it keeps its state in the cache, no database), Stripe through the `stripe` library
against the local double answering `GET /v1/checkout/sessions/<id>` as Stripe does. The
sandbox acquirer's webhooks can be switched off, as when they are lost on the way."""

import json
import uuid

import pytest
import requests

from integrations.providers import ProviderError, provider_build
from integrations.providers.sandbox import CARD_DECLINED, CARD_SUCCEEDS
from tests.integrations.stripe_double import StripeDouble
from tests.integrations.test_providers import SANDBOX_KEY, SANDBOX_WHSEC, Receiver, request

API_KEY = "sk_test_status"
WHSEC = "whsec_status"


# -- the sandbox acquirer -------------------------------------------------------------------


@pytest.fixture
def receiver():
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def opened(sandbox, live_server):
    """A new checkout at the acquirer (its own idempotency key: the acquirer's cache outlives
    a test)."""
    return sandbox.create_checkout(
        request(success_url=f"{live_server.url}/ok", idempotency_key=f"k-{uuid.uuid4()}")
    )


def acquirer_on(settings, live_server, receiver, *, webhooks: bool):
    settings.SANDBOX_ACQUIRER = {
        "enabled": True,
        "api_key": SANDBOX_KEY,
        "webhook_secret": SANDBOX_WHSEC,
        "webhook_url": receiver.url,
        "webhooks": webhooks,
    }
    return provider_build(
        "sandbox",
        {"base_url": f"{live_server.url}/sandbox-acquirer", "secret": SANDBOX_KEY},
    )


def pay(live_server, checkout_id: str, card: str) -> requests.Response:
    url = f"{live_server.url}/sandbox-acquirer/pay/{checkout_id}"
    with requests.Session() as browser:
        page = browser.get(url, timeout=30)
        token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        return browser.post(
            url,
            data={
                "csrfmiddlewaretoken": token,
                "card_number": card,
                "expiry": "12/39",
                "cvc": "123",
            },
            allow_redirects=False,
            timeout=30,
        )


def test_sandbox_status_is_open_then_the_payment_as_its_webhook_tells_it(
    settings, live_server, receiver
):
    sandbox = acquirer_on(settings, live_server, receiver, webhooks=True)
    made = opened(sandbox, live_server)

    assert sandbox.status(made.provider_id) is None  # open: nobody has paid yet
    paid = pay(live_server, made.provider_id, CARD_SUCCEEDS)
    answer = sandbox.status(made.provider_id)

    assert paid.status_code == 303
    [(_, body)] = receiver.received
    told = json.loads(body)["data"]
    assert answer.kind == "payment_succeeded"
    assert answer.provider_id == made.provider_id == told["id"]
    assert answer.payment_id == told["payment_id"] and answer.payment_id.startswith("sbxpay_")
    assert (answer.amount, answer.currency, answer.reference) == (20_000, "RUB", "00000001")


def test_sandbox_with_webhooks_off_sends_none_but_the_status_says_paid_or_declined(
    settings, live_server, receiver
):
    sandbox = acquirer_on(settings, live_server, receiver, webhooks=False)
    paid = opened(sandbox, live_server)
    declined = opened(sandbox, live_server)

    pay(live_server, paid.provider_id, CARD_SUCCEEDS)
    pay(live_server, declined.provider_id, CARD_DECLINED)

    assert receiver.received == []
    read = requests.get(
        f"{live_server.url}/sandbox-acquirer/v1/checkouts/{paid.provider_id}",
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=30,
    ).json()
    assert read["webhooks"] == [{"type": "checkout.completed", "outcome": "off"}]
    assert sandbox.status(paid.provider_id).kind == "payment_succeeded"
    assert sandbox.status(declined.provider_id).kind == "payment_failed"


def test_sandbox_status_of_an_unknown_checkout_or_with_a_wrong_key_is_a_provider_error(
    settings, live_server, receiver
):
    sandbox = acquirer_on(settings, live_server, receiver, webhooks=True)
    stranger = provider_build(
        "sandbox", {"base_url": f"{live_server.url}/sandbox-acquirer", "secret": "guessed"}
    )
    made = opened(sandbox, live_server)

    with pytest.raises(ProviderError, match="HTTP 404"):
        sandbox.status("sbx_nobody")
    with pytest.raises(ProviderError, match="HTTP 401"):
        stranger.status(made.provider_id)
    with pytest.raises(ProviderError, match="could not be reached"):
        provider_build(
            "sandbox", {"base_url": "http://127.0.0.1:9/sandbox-acquirer", "secret": "x"}
        ).status(made.provider_id)


# -- Stripe ---------------------------------------------------------------------------------


@pytest.fixture
def stripe_api():
    with StripeDouble(api_key=API_KEY) as double:
        yield double


def stripe(double):
    return provider_build(
        "stripe", {"api_key": API_KEY, "webhook_secret": WHSEC, "api_base": double.url}
    )


def test_stripe_status_retrieves_the_session_open_then_paid_with_its_payment_intent(stripe_api):
    provider = stripe(stripe_api)
    made = provider.create_checkout(request())

    still_open = provider.status(made.provider_id)
    session = stripe_api.settle(made.provider_id)  # paid at Stripe; no webhook sent
    answer = provider.status(made.provider_id)

    assert still_open is None
    retrieved = stripe_api.calls(f"/v1/checkout/sessions/{made.provider_id}")
    assert [r.method for r in retrieved] == ["GET", "GET"]
    assert retrieved[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert answer.kind == "payment_succeeded"
    assert answer.provider_id == made.provider_id
    assert answer.payment_id == session["payment_intent"] and answer.payment_id.startswith("pi_")
    assert (answer.amount, answer.currency, answer.reference) == (20_000, "RUB", "00000001")


def test_stripe_status_of_a_delayed_method_is_open_and_of_an_expired_session_a_failure(
    stripe_api,
):
    provider = stripe(stripe_api)
    delayed = provider.create_checkout(request())
    expired = provider.create_checkout(request(idempotency_key="k-2"))

    stripe_api.settle(delayed.provider_id, payment_status="unpaid")  # complete, not paid yet
    stripe_api.settle(expired.provider_id, "checkout.session.expired")

    assert provider.status(delayed.provider_id) is None
    failed = provider.status(expired.provider_id)
    assert failed.kind == "payment_failed" and failed.provider_id == expired.provider_id


def test_stripe_status_of_an_unknown_session_is_a_provider_error(stripe_api):
    with pytest.raises(ProviderError, match="No such checkout.session"):
        stripe(stripe_api).status("cs_test_nobody")
