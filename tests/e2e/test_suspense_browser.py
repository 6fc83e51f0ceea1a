"""The suspense queue in a real browser: an accountant signs in, opens a credit no account was
found for, assigns it to an account with the form, and sees it leave the queue. Screenshots in
var/screenshots/."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integrations.statements.types import StatementCredit
from splitting.channels.statements import _park
from splitting.models import BankCredit, CreditStatus, Payment, StatementImport
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.splitting.helpers import assert_ledger_clean, charges
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]

BOOKED = date(2027, 1, 12)
NBSP = "\u00a0"


def parked_credit(tenant, amount: int) -> BankCredit:
    """A credit parked in suspense as the statement importer parks it."""
    record = StatementImport.objects.create(
        tenant=tenant,
        filename="statement.xml",
        sha256="0" * 64,
        format="camt.053",
        bank_account=tenant.bank_account,
        created_at=timezone.now(),
    )
    credit = StatementCredit(
        dedupe_key=f"{tenant.bank_account}:REF00042",
        account=tenant.bank_account,
        amount=amount,
        currency=tenant.currency,
        booked_on=BOOKED,
        value_on=BOOKED,
        bank_reference="REF00042",
        end_to_end_id="",
        structured_reference="",
        free_text="оплата за коммунальные услуги, кв. 2",
        payer_name="Петров Пётр Петрович",
        payer_account="40817810099910004312",
    )
    return _park(tenant, record, credit)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_accountant_assigns_a_parked_credit_to_an_account(
    postgres, world, page, sign_in, screenshots
):
    charges(world, "2026-12", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    credit = parked_credit(world.tenant, 200_00)
    user = UserFactory(username="olga", first_name="Ольга", last_name="Бухгалтерова")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)

    sign_in("olga", PASSWORD, next_url="/staff/suspense/")
    link = page.locator(f'a[href="/staff/suspense/{credit.pk}/"]')
    expect(link).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Петров Пётр Петрович")
    screenshots.shot("suspense-queue")

    link.first.click()
    expect(page.locator("h1")).to_contain_text(f"200,00{NBSP}₽")
    screenshots.shot("credit")
    form = page.locator("form[action$='/assign/']").filter(has=page.get_by_label("Account number"))
    form.get_by_label("Account number").fill("00000001")
    expect(form.get_by_label("Amount")).to_have_value("200.00")
    screenshots.shot("assign-filled")
    form.get_by_role("button", name="Assign", exact=True).click()

    expect(page.locator(".message-success")).to_contain_text(
        f"200,00{NBSP}₽ is paid to account 00000001; nothing of the credit waits any more."
    )
    screenshots.shot("assigned")
    page.get_by_role("link", name="Suspense", exact=True).first.click()
    expect(page.locator(f'a[href="/staff/suspense/{credit.pk}/"]')).to_have_count(0)
    screenshots.shot("queue-after")

    credit.refresh_from_db()
    payment = Payment.objects.get()
    assert (credit.status, credit.open_amount) == (CreditStatus.ASSIGNED, 0)
    assert (payment.account, payment.amount, payment.from_suspense) == (
        world.accounts["VK-0001"],
        200_00,
        True,
    )
    assert_ledger_clean(world.tenant)
