"""A full cabinet payment through the sandbox acquirer over real HTTP: the resident's paying
form, the acquirer's card page, its signed webhook to our endpoint, and the result page with the
allocation per supplier as the payer chose it (PostgreSQL: a live server needs a transactional
database, whose teardown only PostgreSQL's TRUNCATE can do with the ledger's no-delete
trigger)."""

import re

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client

from integrations.providers.sandbox import CARD_SUCCEEDS
from splitting.models import Checkout, Payment
from splitting.selectors import payment_allocations
from tests.splitting.helpers import assert_ledger_clean

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.bills_fixtures"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAY = "/cabinet/accounts/rc-charges/00000001/pay/"
SANDBOX_KEY = "sandbox-test-key"
SANDBOX_WHSEC = "sandbox-test-webhook-secret"


@pytest.fixture
def sandbox(settings, live_server):
    base = live_server.url
    settings.PUBLIC_BASE_URL = base  # the provider sends the payer back here
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP here
    settings.SANDBOX_ACQUIRER = {
        "enabled": True,
        "api_key": SANDBOX_KEY,
        "webhook_secret": SANDBOX_WHSEC,
        "webhook_url": f"{base}/api/v1/providers/sandbox/webhook",
    }
    settings.PAYMENT_PROVIDERS = {
        "sandbox": {
            "adapter": "sandbox",
            "base_url": f"{base}/sandbox-acquirer",
            "secret": SANDBOX_KEY,
            "webhook_secret": SANDBOX_WHSEC,
            "rules": {"min_amount": 100, "fee_percent": "1", "channels": ["cabinet"]},
            "tenants": "*",
        }
    }
    return base


def signed_in(user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(
        django_settings.SESSION_COOKIE_NAME,
        client.cookies[django_settings.SESSION_COOKIE_NAME].value,
    )
    return session


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_resident_pays_chosen_amounts_per_supplier_through_the_sandbox(
    postgres, resident, sandbox
):
    with signed_in(resident) as browser:
        form = browser.get(sandbox + PAY, timeout=30)
        amounts = {"mode": "split", "split_vodokanal": "250.00", "split_teplo": "30.00"}
        review = browser.post(
            sandbox + PAY, data={"csrfmiddlewaretoken": csrf(form.text), **amounts}, timeout=30
        )
        assert "Pay with sandbox" in review.text and "282,80" in review.text  # 1 % fee
        card_page = browser.post(
            sandbox + PAY,
            data={"csrfmiddlewaretoken": csrf(review.text), **amounts, "provider": "sandbox"},
            timeout=30,
        )
        assert card_page.url.startswith(f"{sandbox}/sandbox-acquirer/pay/sbx_")
        landed = browser.post(
            card_page.url,
            data={
                "csrfmiddlewaretoken": csrf(card_page.text),
                "card_number": CARD_SUCCEEDS,
                "expiry": "12/39",
                "cvc": "123",
            },
            timeout=30,
        )

    checkout = Checkout.objects.get()
    assert landed.url == f"{sandbox}/pay/return/{checkout.uid}/"
    assert "Payment received" in landed.text
    assert "АО «Водоканал»" in landed.text and "ИП Теплов Пётр Андреевич" in landed.text
    assert f'href="{checkout.return_url}"' in landed.text
    payment = Payment.objects.get()
    assert (payment.amount, checkout.total, checkout.channel) == (28_000, 28_280, "cabinet")
    paid = {}
    for line in payment_allocations(payment):
        paid[line.supplier, line.period] = line.amount
    assert paid == {
        ("vodokanal", "2026-11"): 14_000,
        ("vodokanal", "2026-12"): 11_000,
        ("teplo", "2026-11"): 3_000,
    }
    assert_ledger_clean()
