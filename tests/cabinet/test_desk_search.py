"""The account search (/staff/desk/accounts/): one box, by account number, payer, address
(building, then premises), phone or payment reference; an exact account number or reference
goes straight to the account's card; a user of one operator never finds another's accounts."""

import re

import pytest
from django.urls import reverse

from invoicing.models import DocumentStatus, PaymentDocument
from tests.month_end import month_end_close
from tests.splitting.helpers import charges

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.desk_fixtures"]

SEARCH = "/staff/desk/accounts/"


def _card(account) -> str:
    return reverse("staff-account-card", args=[account.tenant.code, account.account_number])


def _numbers(response) -> list[str]:
    """The account numbers of the results table, in order."""
    page = response.content.decode()
    table = page.split('class="data-table desk-results"')[1].split("</table>")[0]
    return re.findall(r"<strong>([^<]*)</strong>", table)


@pytest.fixture
def phoned(world):
    account = world.accounts["VK-0003"]
    account.phone = "+79161234567"
    account.save()
    return account


def test_an_exact_account_number_opens_the_card(world, staff_client):
    account = world.accounts["VK-0002"]

    response = staff_client.get(SEARCH, {"q": f"  {account.account_number} "})

    assert response.status_code == 302 and response.url == _card(account)


def test_a_payment_reference_opens_the_card(world, clock, staff_client):
    charges(world, "2026-10", water={"VK-0004": "140.00"})
    month_end_close(tenant=world.tenant, period="2026-10", allow_missing=True)
    document = PaymentDocument.objects.get(
        account=world.accounts["VK-0004"], period="2026-10", status=DocumentStatus.ISSUED
    )

    response = staff_client.get(SEARCH, {"q": document.reference})

    assert response.status_code == 302 and response.url == _card(world.accounts["VK-0004"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Плательщик 5", ["00000005"]),  # payer
        ("0000000", [f"0000000{i}" for i in range(1, 7)]),  # part of a number
        ("Строителей д. 1, 4", ["00000003"]),  # building, then premises
        ("916 123-45-67", ["00000003"]),  # phone, written as people write it
        ("1234567", ["00000003"]),  # phone digits
    ],
    ids=["payer", "number-part", "address", "phone", "phone-digits"],
)
def test_search_finds_by_each_key(world, staff_client, phoned, query, expected):
    response = staff_client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    assert _numbers(response) == expected


def test_search_never_finds_another_operators_accounts(world, staff_client, other_tenant):
    tenant_b, account_b = other_tenant

    by_payer = staff_client.get(SEARCH, {"q": "Плательщик 1"})
    by_number = staff_client.get(SEARCH, {"q": account_b.account_number})
    by_phone = staff_client.get(SEARCH, {"q": account_b.phone})
    picked = staff_client.get(SEARCH, {"q": "Плательщик", "tenant": tenant_b.code})

    assert _numbers(by_payer) == ["00000001"]  # the world's, not the other's namesake
    assert by_number.status_code == 200 and _numbers(by_number) == []
    assert _numbers(by_phone) == []
    assert picked.status_code == 404


def test_the_other_operator_finds_its_own(world, client, staff_of, other_tenant):
    tenant_b, account_b = other_tenant
    client.force_login(staff_of(tenant=tenant_b))

    assert _numbers(client.get(SEARCH, {"q": "Плательщик 1"})) == [account_b.account_number]
    assert client.get(SEARCH, {"q": account_b.account_number}).url == _card(account_b)


def test_results_are_paginated(world, staff_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = staff_client.get(SEARCH, {"q": "Плательщик", "per_page": 2})
    assert response.status_code == 200
    assert _numbers(response) == ["00000001", "00000002"]
    assert "page=2" in response.content.decode()
