"""Stuck checkouts in a real browser: two online payments whose webhooks never came, past the
reconcile interval; an accountant signs in, opens the stuck checkouts' page, asks the provider
about the one the payer did pay, and sees it booked and gone from the list while the other one
waits on. Then the resident's way back: the result page asks the provider and says "paid". In
English and in Russian; screenshots in var/screenshots/."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from splitting.channels.checkouts import checkout_start
from splitting.models import Checkout, Payment
from tests.e2e.conftest import VIEWPORT
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.integrations.stripe_double import StripeDouble
from tests.splitting.helpers import assert_ledger_clean, charges
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KEY = "sk_test_e2e"


@pytest.fixture
def stripe_api(settings):
    with StripeDouble(api_key=KEY) as double:
        settings.PAYMENT_PROVIDERS = {
            "stripe": {
                "adapter": "stripe",
                "name": "Card (Stripe)",
                "api_key": KEY,
                "webhook_secret": "whsec_e2e",
                "api_base": double.url,
                "rules": {"min_amount": 100, "channels": ["cabinet"]},
                "tenants": "*",
            }
        }
        yield double


def stuck(world, number: str, amount: int) -> Checkout:
    checkout, _ = checkout_start(
        tenant=world.tenant,
        account=world.accounts[number],
        amount=amount,
        provider_code="stripe",
        site_url="http://127.0.0.1:9/",
    )
    Checkout.objects.filter(pk=checkout.pk).update(
        created_at=checkout.created_at - timedelta(minutes=40)
    )
    return checkout


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_accountant_asks_the_provider_about_a_stuck_checkout(
    postgres, world, browser, live_server, stripe_api, screenshots, language
):
    charges(world, "2026-12", water={"VK-0001": "140.00", "VK-0002": "90.00"}, heat={})
    paid = stuck(world, "VK-0001", 140_00)
    waiting = stuck(world, "VK-0002", 90_00)
    stripe_api.settle(paid.provider_id)  # paid at the provider; its webhook was lost
    user = UserFactory(username="olga", first_name="Ольга", last_name="Бухгалтерова")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    context = browser.new_context(
        base_url=live_server.url,
        viewport=VIEWPORT,
        locale="ru-RU" if language == "ru" else "en-US",
        extra_http_headers={"Accept-Language": language},
    )
    page = screenshots.page = context.new_page()
    try:
        page.goto("/staff/login/?next=/staff/checkouts/stuck/")
        page.fill("#id_username", "olga")
        page.fill("#id_password", PASSWORD)
        page.click("form:has(#id_username) button[type=submit]")
        page.wait_for_url(f"{live_server.url}/staff/checkouts/stuck/")
        rows = page.locator("table.data-table tbody tr")
        expect(rows).to_have_count(2)
        screenshots.shot(f"stuck-{language}")

        rows.filter(has_text=paid.account.account_number).get_by_role("button").click()
        page.wait_for_url(f"{live_server.url}/staff/checkouts/stuck/")
        expect(page.locator("ul.messages")).to_contain_text(paid.account.account_number)
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(waiting.account.account_number)
        screenshots.shot(f"asked-{language}")

        stripe_api.settle(waiting.provider_id)
        page.goto(f"/pay/return/{waiting.uid}/")
        screenshots.shot(f"return-paid-{language}")
    finally:
        context.close()

    assert Checkout.objects.get(pk=paid.pk).status == "succeeded"
    assert Checkout.objects.get(pk=waiting.pk).status == "succeeded"
    assert Payment.objects.count() == 2
    assert_ledger_clean()
