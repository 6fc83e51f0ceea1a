"""The resident's bills and paying in a real browser: a signed-in resident opens a bill and its
PDF, pays part of it per supplier on the sandbox acquirer's card page, sees the result and the
split; then pays the rest, and the bill's icon turns green. Screenshots at 1280 and 360 px:
var/screenshots/cabinet-pay-*.png (PostgreSQL: a live server)."""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from integrations.providers.sandbox import CARD_SUCCEEDS
from splitting.models import Payment
from tests.e2e.conftest import screenshots_root
from tests.factories import PASSWORD
from tests.splitting.helpers import assert_ledger_clean

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.bills_fixtures"]

BASE = "/cabinet/accounts/rc-charges/00000001/"
PHONE = {"width": 360, "height": 760}
DESKTOP = {"width": 1280, "height": 900}


class Shots:
    """`var/screenshots/cabinet-pay-<step>-<width>.png`, each step at desktop and phone width."""

    def __init__(self, page):
        self.page = page
        self.root = screenshots_root()
        self.root.mkdir(parents=True, exist_ok=True)

    def both(self, name: str) -> None:
        for size in (DESKTOP, PHONE):
            self.page.set_viewport_size(size)
            path = self.root / f"cabinet-pay-{name}-{size['width']}.png"
            self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(DESKTOP)

    def pdf(self, name: str, content: bytes) -> None:
        path = self.root / f"cabinet-pay-{name}.pdf"
        path.write_bytes(content)
        if shutil.which("pdftoppm"):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-singlefile",
                    str(path),
                    str(path.with_suffix("")),
                ],
                check=True,
            )


@pytest.fixture
def shots(page):
    return Shots(page)


def pay_by_card(page) -> None:
    expect(page).to_have_url(re.compile(r".*/sandbox-acquirer/pay/sbx_.*"))
    page.get_by_label("Card number").fill(CARD_SUCCEEDS)
    page.get_by_label("Expiry").fill("12/39")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", name="Payment received")).to_be_visible()


def state(page, period: str):
    return page.locator(f'tr[data-period="{period}"] .paid-icon')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_resident_opens_a_bill_pays_part_per_supplier_then_the_rest(
    postgres, resident, sandbox, page, sign_in, shots
):
    sign_in("anna", PASSWORD, next_url=BASE + "documents/")
    expect(page.get_by_role("heading", name="Account 00000001")).to_be_visible()
    expect(state(page, "2026-12")).to_have_attribute("data-state", "due")
    shots.both("bills")

    page.get_by_role("link", name="December 2026").click()
    expect(page.locator("article.payment-document, .pd-header").first).to_be_visible()
    shots.both("bill")
    pdf = page.request.get(BASE + "documents/2026-12.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    shots.pdf("bill-pdf", pdf.body())

    page.get_by_role("link", name="Pay", exact=True).first.click()
    page.get_by_label("Chosen amounts per supplier").check()
    page.get_by_label("АО «Водоканал»").fill("250.00")
    page.get_by_label("ИП Теплов Пётр Андреевич").fill("30,00")
    shots.both("pay-form")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".pay-amount")).to_have_text("280,00\u00a0₽")
    shots.both("pay-providers")
    page.get_by_role("button", name="Pay with Card").click()
    pay_by_card(page)
    expect(page.get_by_role("cell", name="АО «Водоканал»").first).to_be_visible()
    shots.both("paid-part")

    page.get_by_role("link", name="Back").click()
    expect(state(page, "2026-11")).to_have_attribute("data-state", "partly")
    expect(state(page, "2026-12")).to_have_attribute("data-state", "partly")

    page.get_by_role("link", name="Pay", exact=True).first.click()
    page.get_by_label("The whole amount due").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".pay-amount")).to_have_text("140,00\u00a0₽")
    page.get_by_role("button", name="Pay with Card").click()
    pay_by_card(page)
    page.get_by_role("link", name="Back").click()

    expect(state(page, "2026-11")).to_have_attribute("data-state", "paid")
    expect(state(page, "2026-12")).to_have_attribute("data-state", "paid")
    shots.both("bills-paid")
    page.get_by_role("link", name="Charges").click()
    expect(page.locator(".cabinet-chart svg")).to_be_visible()
    shots.both("charges")
    page.get_by_role("link", name="Payments").click()
    expect(page.locator(".cabinet-payment")).to_have_count(2)
    shots.both("payments")
    assert sorted(p.amount for p in Payment.objects.all()) == [14_000, 28_000]
    assert_ledger_clean()
