"""The resident's home page, the debt position: every linked account with what is due per
supplier, what is overdue and the next due date, the totals, and a Pay button — the same
numbers as splitting's `account_position`, in a fixed number of queries; nobody else's
accounts, ever."""

from datetime import date

import pytest
from django.core.cache import cache

from cabinet.position import debt_position
from splitting.selectors import account_position
from tests.factories import (
    AccountFactory,
    AccountHolderFactory,
    MembershipFactory,
    TenantFactory,
    UserFactory,
)
from tests.splitting.helpers import charges, pay
from warehouse.models import AccountHolder, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
AS_OF = date(2027, 1, 5)  # 2026-11 (due 2026-12-15) is overdue, 2026-12 due 2027-01-15


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def billed(world):
    charges(world, "2026-11", water={"VK-0001": "100.00", "VK-0002": "50.00"})
    charges(world, "2026-12", water={"VK-0001": "140.00", "VK-0002": "80.00"})
    charges(world, "2026-12", heat={"VK-0001": "60.00", "VK-0003": "30.00"})
    return world


@pytest.fixture
def resident(billed):
    user = UserFactory(username="olga@example.org")
    for number in ("VK-0001", "VK-0002", "VK-0003"):
        AccountHolder.objects.create(user=user, account=billed.accounts[number])
    return user


def test_position_numbers_per_account_and_supplier(billed, resident):
    pay(billed, "VK-0002", 20000)  # 130.00 open: 70.00 left as an advance
    position = debt_position(resident, as_of=AS_OF)
    by_number = {a.account.account_number: a for a in position.accounts}

    first = by_number["00000001"]
    assert (first.total_due, first.overdue, first.advance) == (30000, 10000, 0)
    assert first.next_due_date == date(2027, 1, 15)
    assert first.overdue_since == date(2026, 12, 15)
    lines = {s.supplier.code: (s.due, s.overdue, s.next_due_date) for s in first.suppliers}
    assert lines == {
        "teplo": (6000, 0, date(2027, 1, 15)),
        "vodokanal": (24000, 10000, date(2027, 1, 15)),
    }

    second = by_number["00000002"]  # 130.00 charged, 200.00 paid
    assert (second.total_due, second.overdue, second.advance) == (0, 0, 7000)
    assert second.suppliers == [] and second.next_due_date is None

    third = by_number["00000003"]
    assert (third.total_due, third.overdue) == (3000, 0)

    for item in position.accounts:
        expected = account_position(item.account, as_of=AS_OF)
        assert (item.total_due, item.overdue, item.advance) == (
            expected.total_due,
            expected.overdue,
            expected.advance,
        )
    [total] = position.totals
    assert (total.currency, total.total_due, total.overdue) == ("RUB", 33000, 10000)
    assert position.next_due_date == date(2027, 1, 15)


def test_position_reads_a_fixed_number_of_queries(billed, resident, django_assert_max_num_queries):
    pay(billed, "VK-0002", 20000)
    with django_assert_max_num_queries(5):
        debt_position(resident, as_of=AS_OF)
    one = UserFactory()
    AccountHolder.objects.create(user=one, account=billed.accounts["VK-0001"])
    with django_assert_max_num_queries(5):
        debt_position(one, as_of=AS_OF)


def test_home_page_shows_the_position_with_a_pay_button(client, billed, resident):
    client.force_login(resident)
    response = client.get("/cabinet/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    tenant = billed.tenant
    assert "АО «Водоканал»" in html and "ИП Теплов Пётр Андреевич" in html
    assert f"/cabinet/accounts/{tenant.code}/00000001/pay/" in html
    assert f"Pay 300,00{NBSP}₽" in html
    assert "ул. Строителей д. 1" in html
    assert 'data-testid="total-due-RUB"' in html


def test_the_home_page_takes_a_few_queries_whatever_the_accounts(
    client, billed, resident, django_assert_max_num_queries
):
    client.force_login(resident)
    client.get("/cabinet/")
    with django_assert_max_num_queries(12):
        assert client.get("/cabinet/").status_code == 200


def test_accounts_of_several_tenants_total_per_currency(client, billed, resident):
    euro = AccountFactory(tenant=TenantFactory(sepa=True, name="Stadtwerke"))
    AccountHolder.objects.create(user=resident, account=euro)
    position = debt_position(resident, as_of=AS_OF)
    assert {t.currency for t in position.totals} == {"RUB", "EUR"}
    client.force_login(resident)
    html = client.get("/cabinet/").content.decode()
    assert "Stadtwerke" in html and 'data-testid="total-due-EUR"' in html


def test_a_resident_without_accounts_is_invited_to_link_one(client):
    client.force_login(UserFactory())
    html = client.get("/cabinet/").content.decode()
    assert "No accounts are linked to you yet." in html and "/cabinet/link/" in html


# --- isolation ----------------------------------------------------------------------------------


@pytest.fixture
def outsiders(billed):
    other_tenant = TenantFactory()
    staff_elsewhere = UserFactory(username="staff-elsewhere")
    MembershipFactory(user=staff_elsewhere, tenant=other_tenant, role=Role.OPERATOR_ADMIN)
    staff_here = UserFactory(username="staff-here")
    MembershipFactory(user=staff_here, tenant=billed.tenant, role=Role.ACCOUNTANT)
    supplier_user = UserFactory(username="supplier-user")
    MembershipFactory(user=supplier_user, supplier=billed.supplier)
    other_resident = UserFactory(username="other-resident")
    AccountHolderFactory(user=other_resident, account=billed.accounts["VK-0004"])
    return {
        "another resident": other_resident,
        "another tenant's staff": staff_elsewhere,
        "this tenant's staff": staff_here,
        "a supplier user": supplier_user,
    }


@pytest.mark.parametrize(
    "who",
    ["another resident", "another tenant's staff", "this tenant's staff", "a supplier user"],
)
def test_nobody_else_sees_or_unlinks_a_residents_accounts(client, billed, resident, outsiders, who):
    client.force_login(outsiders[who])
    html = client.get("/cabinet/").content.decode()
    for number in ("00000001", "00000002", "00000003"):
        assert number not in html
    url = f"/cabinet/accounts/{billed.tenant.code}/00000001/unlink/"
    assert client.post(url).status_code == 404
    assert AccountHolder.objects.filter(user=resident).count() == 3


def test_anonymous_visitors_are_sent_to_sign_in(client, billed, resident):
    response = client.get("/cabinet/")
    assert response.status_code == 302 and response.url == "/cabinet/login/?next=/cabinet/"
    unlink = client.post(f"/cabinet/accounts/{billed.tenant.code}/00000001/unlink/")
    assert unlink.status_code == 302 and unlink.url.startswith("/cabinet/login/")
    assert AccountHolder.objects.filter(user=resident).count() == 3
