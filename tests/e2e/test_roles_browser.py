"""Each role's main task in a real browser, in English and in Russian: the browser asks for the
language (its locale and the language cookie), the page must answer in it (`<html lang>`), and
every label the test looks for is the catalogue's translation (`roles_helpers.Labels`), so a
Russian page that shows a label left in English fails the Russian run, naming the msgid.

    operator admin   lands on the desk, uploads a supplier's charges, closes the period through
                     its confirmation page, opens the period's bills
    accountant       assigns a credit waiting in suspense to an account, sees the payment booked
    collector        lands on the debt case queue, logs a call, records a promise
    resident         opens the current unpaid bill, pays it by card (sandbox), sees it paid
    supplier user    sees the payments in its favour, downloads its registry
    corporate payer  issues coupons from the funded wallet
    office clerk     verifies a coupon and redeems it

Each signs in through the login page as a person does. Screenshots of every step in
var/screenshots/<test>[<lang>]/."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from debt_collection.models import CaseEventKind, CaseStage, PromiseToPay
from debt_collection.services.penalty_runs import penalty_run
from integrations.providers.sandbox import CARD_SUCCEEDS
from invoicing.models import BillingPeriod, PaymentDocument
from splitting.models import BankCredit, CreditStatus, Payment
from splitting.settlement.registries import registries_build
from tests.debt_collection.workspace_helpers import open_case
from tests.e2e.roles_helpers import Labels, money, open_context, sign_in
from tests.e2e.test_suspense_browser import parked_credit
from tests.factories import AccountHolderFactory, MembershipFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.models import Coupon, CouponStatus
from wallets.services.coupons import coupons_issue
from warehouse.models import BatchStatus, ImportBatch, Role

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1280, "height": 900}
PERIOD = "2026-12"


@pytest.fixture(params=["en", "ru"])
def lang(request) -> str:
    return request.param


@pytest.fixture
def labels(lang) -> Labels:
    return Labels(lang)


@pytest.fixture
def page(browser, live_server, lang, settings):
    """The page of tests/e2e/conftest.py, in `lang`."""
    settings.PUBLIC_BASE_URL = live_server.url
    context = open_context(browser, live_server.url, lang, VIEWPORT)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def message(page, kind: str = "success"):
    return page.locator(f".message-{kind}")


# --- operator admin ------------------------------------------------------------------------


@pytest.fixture
def operator(world):
    """teplo's charges for the period are in and its penalty run is done; vodokanal's file is
    what the operator brings."""
    charges(world, PERIOD, heat={"VK-0001": "60.00", "VK-0002": "45.00"})
    penalty_run(tenant=world.tenant, period=PERIOD)
    user = UserFactory(username="oleg", first_name="Олег", last_name="Операторов")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.OPERATOR_ADMIN)
    return user


def test_an_operator_imports_charges_closes_the_period_and_opens_its_bills(
    postgres, world, operator, labels, page, screenshots
):
    t = labels.t
    sign_in(page, "oleg")
    labels.on_page(page)
    expect(page).to_have_url(re.compile(r"/staff/desk/$"))
    period_card = page.locator("[data-card=period]")
    expect(period_card).to_contain_text(t("Billing periods"))
    screenshots.shot("desk")

    page.locator("[data-card=imports]").get_by_role("link", name=t("Imports")).click()
    page.get_by_role("link", name=t("Upload charges")).click()
    labels.on_page(page)
    expect(page.get_by_role("heading", name=t("Upload a supplier's charges"))).to_be_visible()
    target = page.locator("section[aria-labelledby=step-target]")  # 1. tenant, supplier
    target.get_by_label(t("Tenant"), exact=True).select_option(world.tenant.code)
    target.get_by_role("button").click()
    target.get_by_label(t("Supplier"), exact=True).select_option(str(world.supplier.pk))
    target.get_by_role("button").click()
    upload = page.locator("section[aria-labelledby=step-file]")  # 2. the file
    upload.get_by_label(t("Period"), exact=True).fill(PERIOD)
    upload.get_by_label(t("File"), exact=True).set_input_files(
        {
            "name": "vodokanal-2026-12.csv",
            "mimeType": "text/csv",
            "buffer": (
                b"supplier_account,service_code,amount\n"
                b"VK-0001,01,140.00\n"
                b"VK-0002,01,80.00\n"
                b"VK-0003,02,35.50\n"
            ),
        }
    )
    screenshots.shot("upload-filled")
    upload.get_by_role("button", name=t("Import"), exact=True).click()
    page.wait_for_url(re.compile(r"/staff/imports/\d+/$"))
    labels.on_page(page)
    expect(page.locator("h1 .badge")).to_have_text(t("Posted"))
    screenshots.shot("batch-posted")
    batch = ImportBatch.objects.get(supplier=world.supplier, period=PERIOD)
    assert (batch.status, batch.amount_total) == (BatchStatus.POSTED, 255_50)

    page.locator("nav.site-nav").get_by_role("link", name=t("Desk"), exact=True).click()
    page.locator("[data-card=period]").get_by_role("link", name=t("Billing periods")).click()
    expect(page.get_by_role("heading", name=t("Billing periods"), exact=True)).to_be_visible()
    close_form = page.locator("form").filter(has=page.get_by_label(t("Period (YYYY-MM)")))
    close_form.get_by_label(t("Tenant")).select_option(world.tenant.code)
    close_form.get_by_label(t("Period (YYYY-MM)")).fill(PERIOD)
    close_form.get_by_role("button").click()
    page.wait_for_url(f"**/staff/billing/{world.tenant.code}/{PERIOD}/close/")
    labels.on_page(page)
    expect(page.locator("h1")).to_contain_text(t("Close the period %(period)s", period="").strip())
    suppliers = page.locator("#close-suppliers tbody tr")
    expect(suppliers).to_have_count(2)
    for row in (suppliers.nth(0), suppliers.nth(1)):
        expect(row.locator(".badge")).to_have_text(t("sent"))
    expect(page.locator("#close-suppliers tfoot")).to_contain_text(money("360,50 ₽"))
    screenshots.shot("close-preview")
    assert not PaymentDocument.objects.exists()  # the preview changes nothing

    page.locator("button[name=confirm]").click()
    page.wait_for_url("**/staff/billing/")
    expect(message(page)).to_have_text(t("Closed: %(n)d documents issued.", n=6))
    screenshots.shot("closed")
    assert BillingPeriod.objects.get(tenant=world.tenant, period=PERIOD).status == "closed"
    assert PaymentDocument.objects.filter(period=PERIOD).count() == 6

    page.locator(f'a[href="/staff/billing/{world.tenant.code}/{PERIOD}/"]').first.click()
    labels.on_page(page)
    bills = page.locator("table.data-table tbody tr")
    expect(bills).to_have_count(6)  # every account of the tenant gets its document
    expect(page.locator("main")).to_contain_text("Плательщик 1")
    screenshots.shot("bills")
    labels.assert_complete()


# --- accountant ----------------------------------------------------------------------------


@pytest.fixture
def accountant(world):
    charges(world, PERIOD, water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    user = UserFactory(username="olga", first_name="Ольга", last_name="Бухгалтерова")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    return user


def test_an_accountant_assigns_a_credit_from_suspense_and_sees_the_payment(
    postgres, world, accountant, labels, page, screenshots
):
    t = labels.t
    credit = parked_credit(world.tenant, 200_00)
    sign_in(page, "olga")
    labels.on_page(page)
    expect(page).to_have_url(re.compile(r"/staff/desk/$"))
    expect(page.get_by_role("heading", name=t("Desk"), exact=True)).to_be_visible()
    suspense = page.locator("[data-card=suspense]")
    expect(suspense.get_by_test_id("suspense-amount")).to_have_text(money("200,00 ₽"))
    screenshots.shot("desk")

    suspense.get_by_role("link", name=t("Suspense")).click()
    labels.on_page(page)
    link = page.locator(f'a[href="/staff/suspense/{credit.pk}/"]')
    expect(link).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Петров Пётр Петрович")
    screenshots.shot("suspense")

    link.first.click()
    labels.on_page(page)
    expect(page.locator("h1")).to_contain_text(money("200,00 ₽"))
    form = page.locator("form[action$='/assign/']").filter(
        has=page.get_by_label(t("Account number"))
    )
    form.get_by_label(t("Account number")).fill("00000001")
    expect(form.get_by_label(t("Amount"))).to_have_value("200.00")
    screenshots.shot("assign-filled")
    form.get_by_role("button", name=t("Assign"), exact=True).click()
    expect(message(page)).to_contain_text(money("200,00 ₽"))
    expect(message(page)).to_contain_text("00000001")
    screenshots.shot("assigned")

    credit.refresh_from_db()
    assert (credit.status, credit.open_amount) == (CreditStatus.ASSIGNED, 0)
    payment = Payment.objects.get()
    assert (payment.account, payment.amount) == (world.accounts["VK-0001"], 200_00)

    # The payment, as the phone desk finds it: the account search, then the account's card.
    page.locator("nav.site-nav").get_by_role("link", name=t("Desk"), exact=True).click()
    search = page.get_by_label(t("Find an account"))
    search.fill("00000001")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/staff/desk/accounts/rc-charges/00000001/$"))
    labels.on_page(page)
    payments = page.locator("#payments")
    expect(payments.locator("tbody tr")).to_have_count(1)
    expect(payments).to_contain_text(money("200,00 ₽"))
    expect(page.get_by_test_id("balance-due")).to_have_text(money("0,00 ₽"))
    screenshots.shot("account-card")
    assert not BankCredit.objects.filter(status=CreditStatus.SUSPENSE).exists()
    assert_ledger_clean(world.tenant)
    labels.assert_complete()


# --- collector -----------------------------------------------------------------------------


def test_a_collector_opens_a_case_from_the_queue_logs_a_call_and_records_a_promise(
    postgres, indebted, collector, lang, labels, page, screenshots
):
    t = labels.t
    case = open_case(indebted, "VK-0001")  # 300.00 overdue
    open_case(indebted, "VK-0003")

    sign_in(page, "kolya")
    labels.on_page(page)
    expect(page).to_have_url(re.compile(r"/staff/collections/$"))
    expect(page.get_by_role("heading", name=t("Debt cases"), exact=True)).to_be_visible()
    expect(page.locator("table.case-queue tbody tr")).to_have_count(2)
    screenshots.shot("queue")

    page.get_by_role("link", name="00000001").click()
    labels.on_page(page)
    expect(page.get_by_test_id("overdue")).to_contain_text("300,00")
    contact = page.locator("#contact")
    contact.get_by_label(t("Contact")).select_option("call")
    contact.get_by_label(t("Outcome")).select_option(label=t("Promised to pay"))
    contact.get_by_label(t("Note")).fill("Обещал оплатить после зарплаты")
    screenshots.shot("call-filled")
    contact.get_by_role("button", name=t("Log contact")).click()
    expect(message(page)).to_have_text(t("The %(kind)s is logged.", kind=t("Call").lower()))
    expect(page.get_by_test_id("history")).to_contain_text(t("Promised to pay"))

    due = timezone.localdate() + timedelta(days=10)
    promise = page.locator("#promise")
    promise.get_by_label(t("Amount")).fill("300,00" if lang == "ru" else "300.00")
    promise.get_by_label(t("Pays by")).fill(f"{due:%Y-%m-%d}")
    promise.get_by_role("button", name=t("Record promise")).click()
    expect(message(page)).to_contain_text(money("300,00 ₽"))
    expect(page.locator(".page-head")).to_contain_text(t("Promise to pay"))
    screenshots.shot("promised")

    case.refresh_from_db()
    assert case.stage == CaseStage.PROMISED
    assert PromiseToPay.objects.get(case=case).amount == 300_00
    assert case.events.filter(kind=CaseEventKind.CALL, actor=collector).exists()
    labels.assert_complete()


# --- resident ------------------------------------------------------------------------------


@pytest.fixture
def resident(world):
    """Account 00000001: November's bill paid, December's (220.00) due; held by anna."""
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    month_end_close(tenant=world.tenant, period="2026-11")
    pay(world, "VK-0001", 200_00)
    charges(world, PERIOD, water={"VK-0001": "150.00"}, heat={"VK-0001": "70.00"})
    month_end_close(tenant=world.tenant, period=PERIOD)
    user = UserFactory(username="anna", email="anna@example.com", first_name="Анна")
    AccountHolderFactory(user=user, account=world.accounts["VK-0001"])
    return user


def bill_state(page, period: str):
    return page.locator(f'tr[data-period="{period}"] .paid-icon')


def test_a_resident_pays_the_current_bill_by_card_and_sees_it_paid(
    postgres, world, resident, sandbox, labels, page, screenshots
):
    t = labels.t
    sign_in(page, "anna@example.com", url="/cabinet/login/", field="#id_login")
    labels.on_page(page)
    expect(page.get_by_role("heading", name=t("My debts"))).to_be_visible()
    expect(page.get_by_test_id("account-due")).to_have_text(money("220,00 ₽"))
    screenshots.shot("my-debts")

    page.get_by_role("link", name=t("Bills and history")).click()
    labels.on_page(page)
    expect(bill_state(page, PERIOD)).to_have_attribute("data-state", "due")
    expect(bill_state(page, "2026-11")).to_have_attribute("data-state", "paid")
    screenshots.shot("bills")
    page.locator(f'tr[data-period="{PERIOD}"] th a').click()
    labels.on_page(page)
    screenshots.shot("bill")

    page.get_by_role("link", name=t("Pay"), exact=True).first.click()
    expect(page.locator(".amount-due")).to_contain_text(money("220,00 ₽"))
    page.get_by_label(t("The whole amount due")).check()
    page.get_by_role("button", name=t("Continue")).click()
    expect(page.locator(".pay-amount")).to_have_text(money("220,00 ₽"))
    screenshots.shot("pay")
    page.get_by_role("button", name=t("Pay with %(name)s", name="Card")).click()

    expect(page).to_have_url(re.compile(r".*/sandbox-acquirer/pay/sbx_.*"))
    page.get_by_label("Card number").fill(CARD_SUCCEEDS)
    page.get_by_label("Expiry").fill("12/39")
    page.get_by_label("CVC").fill("123")
    screenshots.shot("card-page")
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", name=t("Payment received"))).to_be_visible()
    labels.on_page(page)
    screenshots.shot("paid")

    page.get_by_role("link", name=t("Back"), exact=True).click()
    labels.on_page(page)
    expect(bill_state(page, PERIOD)).to_have_attribute("data-state", "paid")
    expect(page.locator(".cabinet-due")).to_contain_text(t("Nothing is due now."))
    screenshots.shot("bills-paid")
    assert Payment.objects.get(amount=220_00).account == world.accounts["VK-0001"]
    assert_ledger_clean(world.tenant)
    labels.assert_complete()


# --- supplier user -------------------------------------------------------------------------


@pytest.fixture
def supplier_user(world):
    charges(world, PERIOD, water={"VK-0001": "140.00", "VK-0002": "90.00"})
    charges(world, PERIOD, heat={"VK-0001": "60.00"})
    pay(world, "VK-0001", 100_00, external_id="sbp-1", channel="provider")
    pay(world, "VK-0002", 50_00, external_id="term-1", channel="terminal")
    registries_build(tenant=world.tenant, day=timezone.localdate())
    user = UserFactory(username="vera", first_name="Вера", last_name="Водоканалова")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.SUPPLIER, supplier=world.supplier)
    return user


def test_a_supplier_user_sees_its_payments_and_downloads_its_registry(
    postgres, world, supplier_user, labels, page, screenshots
):
    t = labels.t
    sign_in(page, "vera")
    labels.on_page(page)
    expect(page).to_have_url(re.compile(r"/supplier/$"))
    expect(page.get_by_role("heading", name="АО «Водоканал»")).to_be_visible()
    shares = page.locator("table.data-table").first
    expect(shares).to_contain_text("00000001")
    expect(shares).to_contain_text(money("70,00 ₽"))  # its share of the 100.00
    expect(shares).not_to_contain_text(money("30,00 ₽"))  # teplo's
    screenshots.shot("payments")

    page.locator("nav.tabs").get_by_role("link", name=t("Registries")).click()
    labels.on_page(page)
    expect(page.get_by_role("heading", name=t("Supplier registries"))).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)  # its own registry, not teplo's
    expect(rows.first).to_contain_text("АО «Водоканал»")
    screenshots.shot("registries")
    with page.expect_download() as download:
        rows.first.get_by_role("link", name="CSV").click()
    content = download.value.path().read_bytes().decode("utf-8-sig")
    assert "00000001" in content and "00000002" in content
    labels.assert_complete()


# --- corporate payer -----------------------------------------------------------------------


def test_a_corporate_payer_issues_coupons_from_the_funded_wallet(
    postgres, labels, page, screenshots
):
    t = labels.t
    world = coupon_world()
    fund(world, "10000.00")
    payer = world.wallet.payer

    sign_in(page, world.issuer.username)
    labels.on_page(page)
    expect(page.locator("main")).to_contain_text(money("10 000,00"))
    screenshots.shot("wallet")

    page.get_by_role("link", name=t("Issue coupons")).first.click()
    labels.on_page(page)
    page.get_by_label("Vehicle registration").check()  # the fee's name: data
    page.get_by_label(t("Number of coupons")).fill("2")
    expect(page.locator("[data-issue-sum]")).to_contain_text(money("3 000,00"))
    threshold = (
        "A batch that blocks more than %(threshold)s is shown for confirmation before it is issued."
    )
    expect(page.locator("main")).to_contain_text(t(threshold, threshold=money("10 000,00 ₽")))
    screenshots.shot("issue-form")
    page.get_by_role("button", name=t("Issue coupons")).click()  # under the threshold: no confirm
    page.wait_for_url(f"**/corporate/{payer.pk}/batches/*/")
    labels.on_page(page)
    expect(
        page.get_by_role(
            "heading", name=t("%(count)s × %(fee)s", count=2, fee="Vehicle registration")
        )
    ).to_be_visible()
    expect(message(page)).to_contain_text(money("3 000,00 ₽"))
    screenshots.shot("batch")

    world.refresh()
    assert (world.wallet.available, world.wallet.blocked) == (700_000, 300_000)
    assert Coupon.objects.filter(status=CouponStatus.VALID).count() == 2
    labels.assert_complete()


# --- office clerk --------------------------------------------------------------------------


def test_an_office_clerk_verifies_and_redeems_a_coupon(postgres, labels, page, screenshots):
    t = labels.t
    world = coupon_world()
    fund(world, "10000.00")
    coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    coupon = Coupon.objects.get()

    sign_in(page, world.clerk.username)
    labels.on_page(page)
    expect(page).to_have_url(re.compile(r"/office/$"))
    expect(page.get_by_role("heading", name=t("Coupons"), exact=True)).to_be_visible()
    screenshots.shot("office")

    number = page.get_by_label(t("Coupon number"))
    number.fill(coupon.identifier)
    number.press("Enter")
    result = page.locator(".coupon-result")
    expect(result).to_contain_text(t("Valid — may be accepted"))
    expect(result).to_contain_text(money("1 500,00 ₽"))
    screenshots.shot("valid")

    page.get_by_label(t("Case reference")).fill("REG-2026/0042")
    page.get_by_role("button", name=t("Redeem"), exact=True).click()
    expect(result).to_contain_text(t("Redeemed — perform the service"))
    expect(result).to_contain_text("REG-2026/0042")
    screenshots.shot("redeemed")
    coupon.refresh_from_db()
    used = timezone.localtime(coupon.used_at, ZoneInfo(world.tenant.timezone))
    expect(result).to_contain_text(f"{used:%H:%M}")  # when it was used, in the tenant's time

    assert (coupon.status, coupon.case_reference, coupon.redeemed_by) == (
        CouponStatus.USED,
        "REG-2026/0042",
        world.clerk,
    )
    assert_ledger_clean()
    labels.assert_complete()
