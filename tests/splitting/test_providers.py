"""Online payments through providers, end to end: a resident starts a checkout through the API,
pays on the provider's page, and the provider's signed webhook books one split payment.

The sandbox acquirer is served by the live server, so it opens checkouts over real HTTP and
calls our webhook endpoint on the same server, as an acquirer does (PostgreSQL: a live server
needs a transactional database, whose teardown only PostgreSQL's TRUNCATE can do with the
ledger's no-delete trigger). Stripe is the `stripe` library against the local double; its
webhooks are posted to the endpoint with Django's test client."""

import json
import logging
import re
import time

import pytest
import requests
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from integrations.providers.sandbox import CARD_DECLINED, CARD_RETRY, CARD_SUCCEEDS, sign
from splitting.channels.checkouts import providers_for
from splitting.models import Checkout, Payment
from splitting.selectors import payment_allocations
from tests.factories import AccountHolderFactory, MembershipFactory, UserFactory
from tests.integrations.stripe_double import StripeDouble, event, stripe_signature
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]

SANDBOX_KEY = "sandbox-test-key"
SANDBOX_WHSEC = "sandbox-test-webhook-secret"
STRIPE_KEY = "sk_test_unibill"
STRIPE_WHSEC = "whsec_unibill"
WEBHOOK = "/api/v1/providers/{}/webhook"


@pytest.fixture
def owed(world):
    """Account 00000001 (VK-0001) owes 140.00 water and 60.00 heat for 2026-11."""
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    return world


@pytest.fixture
def resident(owed):
    user = UserFactory(username="resident-1")
    AccountHolderFactory(user=user, account=owed.accounts["VK-0001"])
    return Token.objects.create(user=user).key


def sandbox_settings(settings, base: str, **rules) -> None:
    settings.PUBLIC_BASE_URL = base  # the provider sends the payer back here
    settings.SANDBOX_ACQUIRER = {
        "enabled": True,
        "api_key": SANDBOX_KEY,
        "webhook_secret": SANDBOX_WHSEC,
        "webhook_url": f"{base}{WEBHOOK.format('sandbox')}",
    }
    settings.PAYMENT_PROVIDERS = {
        "sandbox": {
            "adapter": "sandbox",
            "base_url": f"{base}/sandbox-acquirer",
            "secret": SANDBOX_KEY,
            "webhook_secret": SANDBOX_WHSEC,
            "rules": {"min_amount": 100, "channels": ["cabinet"], **rules},
            "tenants": "*",
        }
    }


def allocated(payment) -> dict[str, int]:
    return {line.supplier: line.amount for line in payment_allocations(payment)}


# -- the sandbox acquirer, over real HTTP ---------------------------------------------------


@pytest.fixture
def sandbox_live(settings, live_server, resident):
    sandbox_settings(settings, live_server.url)
    return live_server.url


def start(base: str, token: str, **body) -> dict:
    response = requests.post(
        f"{base}/api/v1/checkouts",
        json={"account_number": "00000001", "amount": "200.00", "provider": "sandbox", **body},
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def pay_by_card(browser: requests.Session, url: str, number: str) -> requests.Response:
    """What a payer does on the hosted page: open it, type the card, submit."""
    page = browser.get(url, timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": token, "card_number": number, "expiry": "12/39", "cvc": "123"},
        timeout=30,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sandbox_card_payment_from_checkout_to_webhook_to_a_split_payment(
    postgres, owed, resident, sandbox_live
):
    started = start(sandbox_live, resident, return_url="/")
    assert started["redirect_url"].startswith(f"{sandbox_live}/sandbox-acquirer/pay/sbx_")
    assert started["fee"] == "0.00"

    with requests.Session() as browser:
        landed = pay_by_card(browser, started["redirect_url"], CARD_SUCCEEDS)

    # The acquirer called our webhook before sending the payer back to the result page.
    assert landed.status_code == 200
    assert landed.url == f"{sandbox_live}/pay/return/{started['id']}/"
    assert "Payment received" in landed.text
    assert "АО «Водоканал»" in landed.text and "ИП Теплов Пётр Андреевич" in landed.text
    payment = Payment.objects.get()
    assert payment.channel == "provider" and payment.external_id.startswith("sandbox:sbxpay_")
    assert payment.amount == 20_000
    assert allocated(payment) == {"teplo": 6_000, "vodokanal": 14_000}
    checkout = Checkout.objects.get()
    assert str(checkout.uid) == started["id"]
    assert checkout.status == "succeeded" and checkout.payment_id == payment.pk
    assert_ledger_clean()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_declined_card_fails_the_checkout_and_books_nothing(postgres, owed, resident, sandbox_live):
    started = start(sandbox_live, resident)

    with requests.Session() as browser:
        declined = pay_by_card(browser, started["redirect_url"], CARD_DECLINED)
        result = browser.get(f"{sandbox_live}/pay/return/{started['id']}/", timeout=30)

    assert "Your card was declined" in declined.text
    assert Payment.objects.count() == 0
    checkout = Checkout.objects.get()
    assert checkout.status == "failed" and checkout.detail == "checkout.failed"
    assert "Payment not made" in result.text
    assert_ledger_clean()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_retry_card_asks_again_then_books_one_payment(postgres, owed, resident, sandbox_live):
    started = start(sandbox_live, resident, amount="50.00")

    with requests.Session() as browser:
        first = pay_by_card(browser, started["redirect_url"], CARD_RETRY)
        assert Payment.objects.count() == 0 and Checkout.objects.get().status == "created"
        second = pay_by_card(browser, started["redirect_url"], CARD_RETRY)

    assert "Temporary error, try again" in first.text
    assert "Payment received" in second.text
    payment = Payment.objects.get()
    assert payment.amount == 5_000
    assert sum(allocated(payment).values()) == 5_000
    assert Checkout.objects.get().payment_id == payment.pk
    assert_ledger_clean()


# -- the sandbox webhook through Django's test client (any database) ------------------------


def sandbox_webhook(checkout: Checkout, event_type="checkout.completed", *, at=None, **data):
    body = json.dumps(
        {
            "id": "evt_1",
            "type": event_type,
            "created": 1,
            "data": {
                "id": checkout.provider_id,
                "status": "succeeded",
                "amount": checkout.total,
                "currency": checkout.currency,
                "reference": checkout.reference,
                "payment_id": "sbxpay_1",
                **data,
            },
        }
    ).encode()
    at = int(time.time()) if at is None else at
    return body, {"HTTP_SANDBOX_SIGNATURE": sign(SANDBOX_WHSEC, at, body)}


@pytest.fixture
def sandbox_checkout(settings, owed):
    sandbox_settings(settings, "http://127.0.0.1:9")
    now = timezone.now()
    return Checkout.objects.create(
        tenant=owed.tenant,
        account=owed.accounts["VK-0001"],
        provider="sandbox",
        amount=20_000,
        currency="RUB",
        reference="00000001",
        provider_id="sbx_known",
        created_at=now,
        updated_at=now,
    )


@pytest.mark.django_db
def test_sandbox_webhook_books_once_and_refuses_a_forged_one(client, sandbox_checkout):
    body, headers = sandbox_webhook(sandbox_checkout)
    forged = {"HTTP_SANDBOX_SIGNATURE": sign("guessed", int(time.time()), body)}

    refused = client.post(WEBHOOK.format("sandbox"), body, "application/json", **forged)
    booked = client.post(WEBHOOK.format("sandbox"), body, "application/json", **headers)
    again = client.post(WEBHOOK.format("sandbox"), body, "application/json", **headers)

    assert refused.status_code == 400 and refused.json()["error"] == "webhook_rejected"
    assert booked.status_code == 200 and booked.json()["status"] == "booked"
    assert again.status_code == 200 and again.json()["status"] == "replayed"
    payment = Payment.objects.get()
    assert payment.external_id == "sandbox:sbxpay_1"
    assert allocated(payment) == {"teplo": 6_000, "vodokanal": 14_000}
    assert_ledger_clean()


@pytest.mark.django_db
def test_unconfigured_provider_webhook_is_not_found(client, sandbox_checkout):
    body, headers = sandbox_webhook(sandbox_checkout)

    response = client.post(WEBHOOK.format("paypal"), body, "application/json", **headers)

    assert response.status_code == 404
    assert Payment.objects.count() == 0


# -- Stripe against the local double --------------------------------------------------------


@pytest.fixture
def stripe_api(settings, owed):
    with StripeDouble(api_key=STRIPE_KEY) as double:
        settings.PAYMENT_PROVIDERS = {
            "stripe": {
                "adapter": "stripe",
                "api_key": STRIPE_KEY,
                "webhook_secret": STRIPE_WHSEC,
                "api_base": double.url,
                "rules": {"min_amount": 100, "fee_percent": "2", "channels": ["cabinet"]},
                "tenants": [owed.tenant.code],
            },
            "wallet": {
                "adapter": "stripe",
                "api_key": STRIPE_KEY,
                "webhook_secret": STRIPE_WHSEC,
                "api_base": double.url,
                "rules": {"min_amount": 100, "max_amount": 80_000, "channels": ["cabinet"]},
                "tenants": "*",
            },
        }
        yield double


@pytest.fixture
def api(resident):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {resident}")
    return client


def stripe_start(api, **body):
    return api.post(
        "/api/v1/checkouts",
        {"account_number": "00000001", "amount": "200.00", "provider": "stripe", **body},
        format="json",
    )


def post_event(client, body: bytes, headers: dict):
    return client.post(
        WEBHOOK.format("stripe"),
        body,
        "application/json",
        HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
    )


@pytest.mark.django_db
def test_stripe_checkout_to_signed_webhook_books_one_split_payment(client, api, stripe_api):
    started = stripe_start(api)
    assert started.status_code == 201, started.json()
    checkout = Checkout.objects.get()
    [sent] = stripe_api.calls("/v1/checkout/sessions")
    body, headers = stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC)

    booked = post_event(client, body, headers)
    replayed = post_event(client, body, headers)

    assert started.json()["redirect_url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert (started.json()["fee"], started.json()["total"]) == ("4.00", "204.00")
    assert sent.params["line_items[0][price_data][unit_amount]"] == "20400"  # the fee on top
    assert sent.params["client_reference_id"] == "00000001"
    assert not any("Плательщик" in value for value in sent.params.values())
    assert booked.status_code == 200 and booked.json()["status"] == "booked"
    assert replayed.status_code == 200 and replayed.json()["status"] == "replayed"
    payment = Payment.objects.get()  # one payment, of what the account is credited
    intent = stripe_api.sessions[checkout.provider_id]["payment_intent"]
    assert payment.external_id == f"stripe:{intent}" and payment.amount == 20_000
    assert allocated(payment) == {"teplo": 6_000, "vodokanal": 14_000}
    checkout.refresh_from_db()
    assert checkout.status == "succeeded" and checkout.payment_id == payment.pk
    page = client.get(f"/pay/return/{checkout.uid}/")
    assert page.status_code == 200 and "АО «Водоканал»" in page.content.decode()
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_checkout_replayed_with_its_idempotency_key_returns_the_first_one(api, stripe_api):
    body = {"account_number": "00000001", "amount": "200.00", "provider": "stripe"}

    first = api.post("/api/v1/checkouts", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/checkouts", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = api.post(
        "/api/v1/checkouts", {**body, "amount": "150.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    unkeyed = api.post("/api/v1/checkouts", body, format="json")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 409 and other.json()["error"] == "idempotency_key_reused"
    assert unkeyed.status_code == 201 and unkeyed.json()["id"] != first.json()["id"]
    assert Checkout.objects.count() == 2
    assert len(stripe_api.calls("/v1/checkout/sessions")) == 2


@pytest.mark.django_db
def test_forged_or_stale_stripe_webhook_is_refused_and_nothing_written(
    client, api, stripe_api, caplog
):
    stripe_start(api)
    checkout = Checkout.objects.get()
    body, _ = stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC)
    now = int(time.time())

    forged = post_event(client, body, {"Stripe-Signature": stripe_signature(body, "whsec_x", now)})
    stale = post_event(
        client, body, {"Stripe-Signature": stripe_signature(body, STRIPE_WHSEC, now - 301)}
    )
    unsigned = client.post(WEBHOOK.format("stripe"), body, "application/json")

    assert [r.status_code for r in (forged, stale, unsigned)] == [400, 400, 400]
    assert forged.json()["error"] == "webhook_rejected"
    assert Payment.objects.count() == 0
    checkout.refresh_from_db()
    assert checkout.status == "created" and checkout.payment_id is None
    assert "stripe webhook rejected" in caplog.text


@pytest.mark.django_db
def test_unknown_stripe_event_is_logged_and_acknowledged(client, api, stripe_api, caplog):
    body, headers = event("customer.created", {"id": "cus_1", "object": "customer"}, STRIPE_WHSEC)

    with caplog.at_level(logging.INFO, logger="splitting.channels.checkouts"):
        response = post_event(client, body, headers)

    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert "'customer.created' acknowledged" in caplog.text
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_stripe_event_with_another_amount_is_refused(client, api, stripe_api, caplog):
    stripe_start(api)
    checkout = Checkout.objects.get()
    body, headers = stripe_api.signed_event(
        checkout.provider_id, STRIPE_WHSEC, amount_total=100, amount_subtotal=100
    )

    response = post_event(client, body, headers)

    assert response.status_code == 400 and response.json()["error"] == "event_mismatch"
    assert "amount 100, the checkout charges 20400" in caplog.text
    assert Payment.objects.count() == 0
    assert Checkout.objects.get().status == "created"


@pytest.mark.django_db
def test_expired_stripe_session_fails_the_checkout(client, api, stripe_api):
    stripe_start(api)
    checkout = Checkout.objects.get()
    body, headers = stripe_api.signed_event(
        checkout.provider_id, STRIPE_WHSEC, event_type="checkout.session.expired"
    )

    response = post_event(client, body, headers)

    assert response.status_code == 200 and response.json()["status"] == "failed"
    assert Checkout.objects.get().status == "failed"
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_payers_split_is_booked_as_chosen(client, api, stripe_api):
    started = stripe_start(
        api, amount="100.00", split=[{"supplier": "vodokanal", "amount": "100.00"}]
    )
    checkout = Checkout.objects.get()

    post_event(client, *stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC))

    assert started.status_code == 201
    assert checkout.split == {"vodokanal": 10_000}
    assert allocated(Payment.objects.get()) == {"vodokanal": 10_000}
    assert_ledger_clean()


@pytest.mark.django_db
def test_checkout_refused_outside_the_providers_rules(api, stripe_api, owed):
    too_much = stripe_start(api, provider="wallet", amount="800.01")
    not_open = stripe_start(api, split=[{"supplier": "teplo", "amount": "200.00"}])
    no_document = stripe_start(api, document_reference="RF00NOSUCH")
    unknown = stripe_start(api, provider="paypal")

    assert too_much.status_code == 422 and too_much.json()["error"] == "provider_not_allowed"
    assert not_open.status_code == 422 and not_open.json()["error"] == "split_exceeds_open"
    assert no_document.status_code == 422 and no_document.json()["error"] == "unknown_document"
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_provider"
    assert Checkout.objects.count() == 0 and stripe_api.requests == []
    offers = {offer.code: offer.fee for offer in providers_for(owed.tenant, 80_001)}
    assert offers == {"stripe": 1_600}  # the wallet only up to 800.00


@pytest.mark.django_db
def test_only_who_may_see_the_account_starts_a_checkout(stripe_api, owed):
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=UserFactory()).key}")

    response = stripe_start(stranger)

    assert response.status_code == 404
    assert Checkout.objects.count() == 0 and stripe_api.requests == []


@pytest.mark.django_db
def test_provider_down_fails_the_checkout_with_502(api, stripe_api, settings):
    settings.PAYMENT_PROVIDERS["stripe"]["api_base"] = "http://127.0.0.1:9"
    settings.PAYMENT_PROVIDERS["stripe"]["max_network_retries"] = 0

    response = stripe_start(api)

    assert response.status_code == 502 and response.json()["error"] == "provider_unavailable"
    assert Checkout.objects.get().status == "failed"


@pytest.mark.django_db
def test_taken_money_is_booked_by_the_rules_when_the_split_no_longer_fits(
    client, api, stripe_api, owed, caplog
):
    stripe_start(api, amount="140.00", split=[{"supplier": "vodokanal", "amount": "140.00"}])
    checkout = Checkout.objects.get()
    pay(owed, "VK-0001", 14_000, split={"vodokanal": 14_000})  # paid meanwhile at the bank

    response = post_event(client, *stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC))

    assert response.status_code == 200 and response.json()["status"] == "booked"
    payment = Payment.objects.get(channel="provider")
    assert allocated(payment) == {"teplo": 6_000}
    assert payment.advance == 8_000
    assert "not booked as the payer asked" in caplog.text
    assert_ledger_clean()


@pytest.mark.django_db
def test_an_online_payment_is_refunded_through_its_provider_and_reversed(client, api, stripe_api):
    from splitting.channels.checkouts import checkout_refund

    stripe_start(api)
    checkout = Checkout.objects.get()
    body, headers = stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC)
    post_event(client, body, headers)
    payment = Payment.objects.get()

    checkout_refund(payment=payment, reason="asked by the payer")

    [refund] = stripe_api.calls("/v1/refunds")
    # the whole charge goes back: 200.00 and the provider's 2 % fee
    assert refund.params["amount"] == "20400"
    payment.refresh_from_db()
    assert payment.status == "reversed"
    assert_ledger_clean()


@pytest.mark.django_db
def test_staff_refund_an_online_payment_from_its_page_and_a_collector_may_not(
    client, api, stripe_api, owed
):
    stripe_start(api)
    checkout = Checkout.objects.get()
    post_event(client, *stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC))
    payment = Payment.objects.get()
    collector, accountant = UserFactory(), UserFactory()
    MembershipFactory(user=collector, tenant=owed.tenant, role=Role.COLLECTOR)
    MembershipFactory(user=accountant, tenant=owed.tenant, role=Role.ACCOUNTANT)
    url = f"/staff/payments/{payment.pk}/refund/"

    client.force_login(collector)
    refused = client.post(url, {"reason": "asked by the payer"})
    client.force_login(accountant)
    page = client.get(f"/staff/payments/{payment.pk}/").content.decode()
    done = client.post(url, {"reason": "asked by the payer"}, follow=True)
    again = client.post(url, {"reason": "twice"}, follow=True)

    assert refused.status_code == 403
    assert "Refund to the payer through stripe and reverse" in page
    [refund] = stripe_api.calls("/v1/refunds")
    assert refund.params["amount"] == "20400"
    payment.refresh_from_db()
    assert payment.status == "reversed"
    assert "is refunded to the payer and reversed" in done.content.decode()
    assert "Refund to the payer" not in done.content.decode()
    assert again.status_code == 200 and len(stripe_api.calls("/v1/refunds")) == 1
    assert_ledger_clean()


@pytest.mark.django_db
def test_abandoned_checkouts_expire_and_a_late_payment_still_books(client, api, stripe_api):
    from datetime import timedelta

    from splitting.channels.checkouts import checkouts_expire

    stripe_start(api)
    Checkout.objects.update(created_at=timezone.now() - timedelta(days=2))

    assert checkouts_expire() == 1
    checkout = Checkout.objects.get()
    assert checkout.status == "failed" and checkout.detail == "expired"
    body, headers = stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC)
    assert post_event(client, body, headers).status_code == 200
    checkout.refresh_from_db()
    assert checkout.status == "succeeded" and Payment.objects.count() == 1
