"""The printed pay link in a real browser, signed in as nobody: open the link, enter the TAN
(for a tenant that asks for one), choose the whole amount and reach the acquirer's card page.
Chromium posts a page's forms with `Origin: null` when the page says `Referrer-Policy:
no-referrer`, and Django's CSRF check then refuses the TAN form: this test is what catches it.
Screenshots: var/screenshots/pay-link-<tenant>/ (PostgreSQL: a live server)."""

import re

import pytest
from playwright.sync_api import expect

from invoicing.models import PaymentDocument
from invoicing.services import pay_links
from tests.e2e.conftest import Screenshots, screenshots_root
from tests.month_end import month_end_close

pytest_plugins = ["tests.warehouse.charges_fixtures"]

FILE = """
supplier_account,service_code,amount
VK-0001,01,123.45
"""


def _link(world, *, tan_required: bool) -> tuple[str, PaymentDocument]:
    world.tenant.tan_required = tan_required
    world.tenant.save(update_fields=["tan_required"])
    world.import_(FILE)
    month_end_close(tenant=world.tenant, period=world.period, allow_missing=True)
    document = PaymentDocument.objects.get(account=world.accounts["VK-0001"])
    return f"/pay/{pay_links.pay_token(document.pay_salt)}", document


def _to_the_card_page(page, shots) -> None:
    expect(page.locator(".amount-due")).to_contain_text("123,45")
    shots.shot("link")
    page.locator("a.button-primary").click()  # "Pay online" / «Оплатить онлайн»
    page.locator("input[name=mode][value=all]").check()
    page.locator("form.pay-form button[type=submit]").click()
    shots.shot("providers")
    page.locator("li.offer[data-provider=sandbox] button").click()
    expect(page).to_have_url(re.compile(r".*/sandbox-acquirer/pay/sbx_.*"))
    shots.shot("card-page")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["ru-RU", "en-US"])
def test_a_pay_link_with_a_tan_reaches_the_card_page(
    postgres,
    world,
    sandbox,
    browser,
    live_server,
    language,
):
    link, document = _link(world, tan_required=True)
    context = browser.new_context(base_url=live_server.url, locale=language)
    context.set_default_timeout(15_000)
    page = context.new_page()
    shots = Screenshots(page, screenshots_root() / f"pay-link-tan-{language}")
    try:
        page.goto(link)
        page.locator("#tan").fill(_wrong(document))
        page.locator("form:has(#tan) button[type=submit]").click()
        expect(page.locator("p.error")).to_be_visible()  # a wrong TAN: the form posted, no 403
        page.locator("#tan").fill(pay_links.tan_for(document.pay_salt))
        page.locator("form:has(#tan) button[type=submit]").click()
        _to_the_card_page(page, shots)
    finally:
        context.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pay_link_without_a_tan_reaches_the_card_page(
    postgres,
    world,
    sandbox,
    browser,
    live_server,
):
    link, _ = _link(world, tan_required=False)
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(15_000)
    page = context.new_page()
    shots = Screenshots(page, screenshots_root() / "pay-link-no-tan")
    try:
        page.goto(link)
        expect(page.locator("#tan")).to_have_count(0)
        _to_the_card_page(page, shots)
    finally:
        context.close()


def _wrong(document) -> str:
    right = pay_links.tan_for(document.pay_salt)
    return f"{(int(right) + 1) % 1_000_000:06d}"
