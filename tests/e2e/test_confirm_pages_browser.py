"""The confirmation pages of the irreversible steps, in a real browser, in English and in
Russian: closing a period (a supplier missing: the page names it and closes only with the box
ticked), issuing coupons over the threshold, closing a short shift (a reason required) and
booking a payout. Each page is screenshotted before it is confirmed, and each step is checked
to change nothing until it is. Screenshots in var/screenshots/<test>/."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from playwright.sync_api import expect

from invoicing.models import BillingPeriod, PaymentDocument
from splitting.models import CashShift, Payout, Registry, ShiftStatus
from splitting.settlement.registries import registries_build
from tests.e2e.conftest import VIEWPORT, Screenshots, screenshots_root
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.splitting.helpers import charges, pay
from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.models import CouponBatch
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LOCALES = {"en": "en-US", "ru": "ru-RU"}
NBSP = "\u00a0"
MOSCOW = ZoneInfo("Europe/Moscow")
FILE = """
supplier_account,service_code,quantity,unit,tariff,amount
VK-0001,01,2,m3,50,100.00
VK-0002,01,,,,10.00
"""


def t(lang: str, msgid: str, **values) -> str:
    with translation.override(lang):
        text = translation.gettext(msgid)
    return text % values if values else text


@pytest.fixture(params=["en", "ru"])
def lang(request):
    return request.param


@pytest.fixture
def page(browser, live_server, lang):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale=LOCALES[lang])
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    context.set_default_timeout(15_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def screenshots(page, request) -> Screenshots:
    return Screenshots(page, screenshots_root() / request.node.name)


def _sign_in(page, user, next_url: str) -> None:
    page.goto(f"/staff/login/?next={next_url}")
    page.fill("#id_username", user.username)
    password = page.locator("#id_password")
    password.fill(PASSWORD)
    with page.expect_navigation():
        password.press("Enter")
    page.wait_for_url(f"**{next_url}")


def _staff(world, role=Role.OPERATOR_ADMIN):
    user = UserFactory(is_staff=True)
    MembershipFactory(user=user, tenant=world.tenant, role=role)
    return user


def test_closing_a_period_is_previewed_and_confirmed(postgres, world, page, lang, screenshots):
    from debt_collection.services.penalty_runs import penalty_run

    world.import_(FILE)
    penalty_run(tenant=world.tenant, period="2026-12")
    _sign_in(page, _staff(world), "/staff/billing/")

    page.get_by_label(t(lang, "Tenant")).select_option(world.tenant.code)
    page.get_by_label(t(lang, "Period (YYYY-MM)")).fill("2026-12")
    page.get_by_role("button", name=t(lang, "Check and close…")).click()
    page.wait_for_url(f"**/staff/billing/{world.tenant.code}/2026-12/close/")
    expect(page.locator('tr[data-supplier="teplo"] .badge')).to_have_text(t(lang, "nothing sent"))
    expect(page.locator('tr[data-supplier="vodokanal"]')).to_contain_text(f"110,00{NBSP}₽")
    screenshots.shot("close-preview")
    assert not PaymentDocument.objects.exists()

    page.locator("button[name=confirm]").click()  # the box not ticked: refused, in words
    expect(page.locator(".message-error")).to_contain_text("teplo")
    assert not PaymentDocument.objects.exists()
    page.get_by_label(t(lang, "Close without the suppliers that sent nothing")).check()
    page.locator("button[name=confirm]").click()
    page.wait_for_url("**/staff/billing/")
    screenshots.shot("closed")
    assert BillingPeriod.objects.get(tenant=world.tenant, period="2026-12").status == "closed"


def test_issuing_coupons_over_the_threshold_is_confirmed(postgres, page, lang, screenshots):
    world = coupon_world()
    fund(world, "20000.00")
    payer = world.wallet.payer
    _sign_in(page, world.issuer, f"/corporate/{payer.pk}/")

    page.goto(f"/corporate/{payer.pk}/issue/")
    page.locator(f'input[name=fee][value="{world.fee.pk}"]').check()
    page.locator("input[name=count]").fill("10")
    page.locator("form[data-issue-form] button[type=submit]").click()
    expect(page.get_by_test_id("confirm-total")).to_have_text(f"15{NBSP}000,00{NBSP}₽")
    expect(page.get_by_test_id("confirm-after")).to_have_text(f"5{NBSP}000,00{NBSP}₽")
    screenshots.shot("coupons-confirm")
    assert not CouponBatch.objects.exists()

    page.get_by_test_id("issue-confirm").locator("button[type=submit]").click()
    page.wait_for_url(f"**/corporate/{payer.pk}/batches/*/")
    screenshots.shot("coupons-issued")
    assert CouponBatch.objects.get().total == 1_500_000


def test_a_short_shift_closes_only_with_a_reason(postgres, world, page, lang, screenshots):
    cashier = _staff(world, Role.ACCOUNTANT)
    _sign_in(page, cashier, "/staff/cashdesk/")
    page.get_by_label(t(lang, "Cash in the drawer")).fill("1000.00")
    page.get_by_role("button", name=t(lang, "Open shift")).click()
    expect(page.locator(".message-success")).to_be_visible()
    shift = CashShift.objects.get(status=ShiftStatus.OPEN)

    page.goto("/staff/cashdesk/shift/close/")
    page.get_by_label(t(lang, "Cash counted in the drawer")).fill("947.26")
    page.get_by_role("button", name=t(lang, "Close shift")).click()
    expect(page.get_by_test_id("close-difference")).to_contain_text(f"52,74{NBSP}₽")
    page.get_by_role("button", name=t(lang, "Close the shift short")).click()
    expect(page.locator(".field-error")).to_be_visible()
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.OPEN
    page.get_by_label(t(lang, "Why the drawer does not agree")).fill("Сдача выдана дважды")
    screenshots.shot("shift-short-confirm")

    page.get_by_role("button", name=t(lang, "Close the shift short")).click()
    page.wait_for_url(f"**/staff/cashdesk/shifts/{shift.pk}/")
    expect(page.get_by_test_id("report-reason")).to_have_text("Сдача выдана дважды")
    screenshots.shot("shift-report")
    shift.refresh_from_db()
    assert (shift.status, shift.close_reason) == (ShiftStatus.CLOSED, "Сдача выдана дважды")


def test_booking_a_payout_is_confirmed(postgres, world, page, lang, screenshots):
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=MOSCOW), tick=False):
        charges(world, "2026-11", water={"VK-0001": "900.00"})
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=MOSCOW), tick=False):
        pay(world, "VK-0001", 60_000)
    with time_machine.travel(datetime(2026, 12, 2, 1, tzinfo=MOSCOW), tick=False):
        registries_build(tenant=world.tenant, day=datetime(2026, 12, 1).date())
    registry = Registry.objects.get(supplier=world.supplier)
    _sign_in(page, _staff(world, Role.ACCOUNTANT), "/staff/registries/")

    page.goto(f"/staff/registries/{registry.pk}/payout/")
    expect(page.get_by_test_id("payee")).to_contain_text("4070 ••• 0002")
    expect(page.get_by_test_id("payout-irreversible")).to_be_visible()
    screenshots.shot("payout-confirm")
    page.locator("form.form-stack button[type=submit]").click()  # not ticked: nothing booked
    expect(page.locator("input[name=confirm]:invalid")).to_have_count(1)  # the browser says so
    assert not Payout.objects.exists()

    page.locator("input[name=confirm]").check()
    page.locator("form.form-stack button[type=submit]").click()
    page.wait_for_url("**/staff/registries/")
    screenshots.shot("payout-booked")
    assert Payout.objects.get().amount == registry.net
