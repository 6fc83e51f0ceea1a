"""The cash desk in a real browser: an accountant signs in, opens a shift, finds an account,
takes cash with change (and a card payment for a bill found by its reference), opens the
receipt, and closes the shift with the hand-over report. Screenshots in var/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from invoicing.models import DocumentStatus, PaymentDocument
from splitting.models import CashDeskPayment, CashShift, Payment, ShiftStatus
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import assert_ledger_clean, charges
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]

PERIOD = "2026-12"
NBSP = "\u00a0"


@pytest.fixture
def accountant(world):
    charges(world, PERIOD, water={"VK-0001": "140.00", "VK-0002": "80.00"})
    charges(world, PERIOD, heat={"VK-0001": "60.00"})
    month_end_close(tenant=world.tenant, period=PERIOD)
    user = UserFactory(username="anna", first_name="Анна", last_name="Кассирова")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    return user


def pdf_of(page, url: str) -> bytes:
    """What the browser gets at `url`, with its session; checked to be a PDF."""
    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    return body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cashier_takes_cash_with_change_and_closes_the_shift(
    postgres, world, accountant, page, sign_in, screenshots
):
    sign_in("anna", PASSWORD, next_url="/staff/cashdesk/")
    expect(page.get_by_role("heading", name="Open a shift")).to_be_visible()
    screenshots.shot("no-shift")

    page.get_by_label("Cash in the drawer").fill("1000.00")
    page.get_by_role("button", name="Open shift").click()
    expect(page.locator(".message-success")).to_contain_text("is open with 1" + NBSP + "000,00")
    screenshots.shot("shift-open")

    search = page.get_by_label("Account number, reference or scanned QR")
    search.fill("00000001")
    search.press("Enter")  # the desk's script: Enter finds
    expect(page.locator(".desk-payer")).to_have_text("Плательщик 1")
    expect(page.get_by_test_id("total-due")).to_have_text(f"200,00{NBSP}₽")
    expect(page.locator(".desk-debts")).to_contain_text("АО «Водоканал»")
    expect(page.get_by_label("Amount")).to_have_value("200.00")
    screenshots.shot("account-found")

    page.get_by_label("Cash tendered").fill("250")
    expect(page.locator("[data-desk-change] output")).to_have_text("50.00")
    screenshots.shot("cash-tendered")
    page.get_by_role("button", name="Take payment").click()

    expect(page.get_by_test_id("change")).to_have_text(f"50,00{NBSP}₽")
    allocation = page.locator(".desk-allocation")
    expect(allocation).to_contain_text("АО «Водоканал»")
    expect(allocation).to_contain_text(f"140,00{NBSP}₽")
    expect(allocation).to_contain_text(f"60,00{NBSP}₽")
    screenshots.shot("paid-cash-change")
    receipt_url = page.get_by_test_id("receipt").get_attribute("href")
    screenshots.pdf("receipt", pdf_of(page, receipt_url))

    # The next payer brings the bill: its reference finds the account and the bill; by card.
    page.get_by_role("link", name="Next payer").click()
    reference = PaymentDocument.objects.get(
        account=world.accounts["VK-0002"], period=PERIOD, status=DocumentStatus.ISSUED
    ).reference
    search = page.get_by_label("Account number, reference or scanned QR")
    search.fill(reference)
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".desk-payer")).to_have_text("Плательщик 2")
    page.get_by_text("Card", exact=True).click()
    expect(page.get_by_label("Cash tendered")).to_be_hidden()
    screenshots.shot("card-payment")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator(".change-box-card")).to_contain_text(f"80,00{NBSP}₽")

    page.get_by_role("link", name="Next payer").click()
    expect(page.locator(".desk-payments tbody tr")).to_have_count(2)
    screenshots.shot("desk-with-payments")
    page.get_by_role("link", name="Close shift").click()
    expect(page.locator(".stat-strong .stat-value")).to_have_text(f"1{NBSP}200,00{NBSP}₽")
    page.get_by_label("Cash counted in the drawer").fill("1190.00")
    screenshots.shot("close-shift")
    page.get_by_role("button", name="Close shift").click()
    # Short by 10.00: the page shows it and wants the reason before it closes.
    expect(page.get_by_test_id("close-difference")).to_contain_text(
        f"The drawer is short by 10,00{NBSP}₽."
    )
    assert CashShift.objects.get().status == ShiftStatus.OPEN
    page.get_by_role("button", name="Close the shift short").click()
    expect(page.locator(".field-error")).to_contain_text("say why (at least 10 characters)")
    assert CashShift.objects.get().status == ShiftStatus.OPEN
    page.get_by_label("Why the drawer does not agree").fill("Change given twice to one payer")
    screenshots.shot("close-shift-short")
    page.get_by_role("button", name="Close the shift short").click()

    expect(page).to_have_url(re.compile(r"/staff/cashdesk/shifts/\d+/$"))
    expect(page.locator(".message-warning")).to_contain_text("short by 10,00")
    expect(page.get_by_test_id("report-difference")).to_have_text(f"−10,00{NBSP}₽")
    expect(page.get_by_test_id("report-reason")).to_have_text("Change given twice to one payer")
    expect(page.locator(".desk-payments tbody tr")).to_have_count(2)
    screenshots.shot("hand-over-report")
    report_url = page.get_by_role("link", name="Report (PDF)").get_attribute("href")
    screenshots.pdf("hand-over-report", pdf_of(page, report_url))

    shift = CashShift.objects.get()
    assert (shift.status, shift.closing_cash_counted) == (ShiftStatus.CLOSED, 1190_00)
    assert Payment.objects.count() == 2 and CashDeskPayment.objects.count() == 2
    assert_ledger_clean(world.tenant)
