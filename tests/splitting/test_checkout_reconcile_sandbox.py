"""A lost webhook, for real: the sandbox acquirer served by the live server with its webhooks
switched off (`SANDBOX_ACQUIRER["webhooks"]`), a resident pays on its card page, and the
checkout still ends paid — on the page the payer comes back to, which asks the acquirer, or by
the reconcile run once the clock has moved past the interval. PostgreSQL: a live server needs
a transactional database, whose teardown only PostgreSQL's TRUNCATE can do with the ledger's
no-delete trigger."""

from datetime import timedelta

import pytest
import requests
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token

from integrations.providers.sandbox import CARD_SUCCEEDS
from splitting.channels.checkout_reconcile import checkouts_reconcile_stale
from splitting.models import Checkout, Payment
from tests.factories import AccountHolderFactory, UserFactory
from tests.splitting.helpers import assert_ledger_clean, charges
from tests.splitting.test_providers import allocated, pay_by_card, sandbox_settings, start

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def token(world):
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    user = UserFactory()
    AccountHolderFactory(user=user, account=world.accounts["VK-0001"])
    return Token.objects.create(user=user).key


@pytest.fixture
def no_webhooks(settings, live_server):
    sandbox_settings(settings, live_server.url)
    settings.SANDBOX_ACQUIRER = {**settings.SANDBOX_ACQUIRER, "webhooks": False}
    settings.CHECKOUT_RECONCILE_AFTER_MINUTES = 5
    return live_server.url


def test_with_webhooks_off_the_return_page_asks_the_acquirer_and_shows_paid(
    postgres, token, no_webhooks
):
    started = start(no_webhooks, token)

    with requests.Session() as browser:
        landed = pay_by_card(browser, started["redirect_url"], CARD_SUCCEEDS)

    assert landed.url == f"{no_webhooks}/pay/return/{started['id']}/"
    assert "Payment received" in landed.text and "Payment in progress" not in landed.text
    checkout = Checkout.objects.get()
    payment = Payment.objects.get()
    assert checkout.status == "succeeded" and checkout.payment_id == payment.pk
    assert checkout.check_outcome == "paid" and checkout.check_count == 1
    assert payment.external_id.startswith("sandbox:sbxpay_")
    assert allocated(payment) == {"teplo": 6_000, "vodokanal": 14_000}
    assert_ledger_clean()


def test_with_webhooks_off_a_paid_checkout_ends_succeeded_after_the_reconcile_run(
    postgres, token, no_webhooks
):
    started = start(no_webhooks, token)
    with requests.Session() as browser:
        page = browser.get(started["redirect_url"], timeout=30)
        csrf = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        paid = browser.post(  # the payer closes the tab instead of following the redirect
            started["redirect_url"],
            data={
                "csrfmiddlewaretoken": csrf,
                "card_number": CARD_SUCCEEDS,
                "expiry": "12/39",
                "cvc": "123",
            },
            allow_redirects=False,
            timeout=30,
        )
    assert paid.status_code == 303
    before = checkouts_reconcile_stale()

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        ran = checkouts_reconcile_stale()

    assert before == {} and ran == {"paid": 1}
    checkout = Checkout.objects.get()
    payment = Payment.objects.get()
    assert checkout.status == "succeeded" and checkout.payment_id == payment.pk
    assert payment.amount == 20_000
    back = requests.get(f"{no_webhooks}/pay/return/{started['id']}/", timeout=30)
    assert "Payment received" in back.text
    assert_ledger_clean()
