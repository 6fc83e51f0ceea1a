"""Front-office redirect: a site opens a signed payment request, the payer pays here, and goes
back with a signed result; a request is paid at most once."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone

from integrations.webhooks import webhook_signature
from splitting.channels.payment_requests import result_signature
from splitting.models import Checkout, FrontOffice, Payment, PaymentRequest
from tests.splitting.helpers import assert_ledger_clean, charges
from tests.splitting.test_providers import CARD_SUCCEEDS, pay_by_card, sandbox_settings

pytest_plugins = ["tests.warehouse.charges_fixtures"]

SECRET = "front-office-secret"
RETURN = "https://city.example/pay/back"


@pytest.fixture
def office(world):
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    return FrontOffice.objects.create(
        tenant=world.tenant,
        code="city",
        name="City services",
        secret=SECRET,
        return_url_prefix="https://city.example/",
    )


def _body(**changes) -> bytes:
    body = {
        "external_id": "order-17",
        "amount": "200.00",
        "account_number": "00000001",
        "purpose": "Utilities, November",
        "return_url": RETURN,
    }
    return json.dumps(body | changes).encode()


def _signed(body: bytes, secret: str = SECRET, at: int | None = None) -> dict:
    at = int(time.time()) if at is None else at
    return {
        "HTTP_X_UNIBILL_FRONT_OFFICE": "city",
        "HTTP_X_UNIBILL_SIGNATURE": webhook_signature(secret, at, body),
    }


def _create(client, body, **headers):
    return client.post(
        "/api/v1/payment-requests", body, "application/json", **(headers or _signed(body))
    )


@pytest.mark.django_db
def test_a_signed_request_opens_once_and_another_body_under_its_id_is_a_conflict(office):
    client = Client()

    first = _create(client, _body())
    again = _create(client, _body())
    other = _create(client, _body(amount="150.00"))

    assert first.status_code == 201, first.content
    assert first.json()["pay_url"].endswith(f"/pay/request/{first.json()['id']}/")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert PaymentRequest.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "headers", "code"),
    [
        (_body(), {"secret": "guessed"}, "bad_signature"),
        (_body(), {"at": int(time.time()) - 3600}, "bad_signature"),
        (_body(return_url="https://evil.example/"), {}, "bad_return_url"),
        (_body(account_number="99999999"), {}, "unknown_account"),
        (_body(amount="-1.00"), {}, "bad_amount"),
    ],
)
def test_a_bad_request_is_refused_and_writes_nothing(office, body, headers, code):
    response = _create(Client(), body, **_signed(body, **headers))

    assert response.status_code == 400
    assert response.json()["error"] == code
    assert PaymentRequest.objects.count() == 0


@pytest.mark.django_db
def test_the_pay_page_shows_masked_data_and_the_providers_for_the_amount(office, settings):
    sandbox_settings(settings, "http://127.0.0.1:9", channels=["pay_link"])
    made = _create(Client(), _body()).json()

    page = Client().get(f"/pay/request/{made['id']}/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Utilities, November" in text and "sandbox" in text
    assert "Плательщик 1" not in text, "the payer's name is masked"


@pytest.mark.django_db
def test_a_paid_request_sends_the_payer_back_with_a_signed_result_and_starts_nothing(
    office, settings
):
    sandbox_settings(settings, "http://127.0.0.1:9", channels=["pay_link"])
    made = PaymentRequest.objects.get(uid=_create(Client(), _body()).json()["id"])
    from splitting.core.payments import payment_post

    payment = payment_post(
        tenant=office.tenant,
        account=made.account,
        amount=20_000,
        channel="provider",
        external_id="sandbox:paid-before",
    ).payment
    now = timezone.now()
    made.checkout = Checkout.objects.create(
        tenant=office.tenant,
        account=made.account,
        provider="sandbox",
        amount=20_000,
        currency="RUB",
        reference="00000001",
        provider_id="sbx_paid",
        status="succeeded",
        payment=payment,
        created_at=now,
        updated_at=now,
    )
    made.save(update_fields=["checkout"])

    response = Client().post(f"/pay/request/{made.uid}/", {"provider": "sandbox"})

    assert response.status_code == 302
    back = urlsplit(response["Location"])
    params = {k: v[0] for k, v in parse_qs(back.query).items()}
    signature = params.pop("signature")
    assert back.netloc == "city.example"
    assert (params["status"], params["amount"], params["payment"]) == (
        "paid",
        "200.00",
        str(payment.pk),
    )
    assert signature == result_signature(SECRET, int(params["t"]), params)
    assert Checkout.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_front_office_payer_pays_by_card_and_returns_with_a_signed_result(
    postgres, office, settings, live_server
):
    sandbox_settings(settings, live_server.url, channels=["pay_link"])
    body = _body()
    headers = {
        "X-Unibill-Front-Office": "city",
        "X-Unibill-Signature": webhook_signature(SECRET, int(time.time()), body),
        "Content-Type": "application/json",
    }
    made = requests.post(
        f"{live_server.url}/api/v1/payment-requests", data=body, headers=headers, timeout=30
    ).json()

    with requests.Session() as browser:
        page = browser.get(made["pay_url"], timeout=30)
        token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        card_page = browser.post(
            made["pay_url"], data={"csrfmiddlewaretoken": token, "provider": "sandbox"}, timeout=30
        )
        landed = pay_by_card(browser, card_page.url, CARD_SUCCEEDS)
        assert "Payment received" in landed.text
        back = browser.get(
            f"{live_server.url}/pay/request/{made['id']}/done/", allow_redirects=False, timeout=30
        )

    location = urlsplit(back.headers["Location"])
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert location.netloc == "city.example" and params["status"] == "paid"
    payment = Payment.objects.get()
    assert params["payment"] == str(payment.pk) and payment.amount == 20_000
    assert PaymentRequest.objects.get().status == "paid"
    assert_ledger_clean()
