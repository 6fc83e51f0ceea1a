"""The staff bills list of a period (/staff/billing/<tenant>/<period>/): a search box (account
number, payer, payment reference) and a paid column with the cabinet's own rule
(`invoicing.selectors.paid_state`): paid, partly paid, to pay or overdue."""

import re

import pytest
from django.urls import reverse

from invoicing.models import DocumentStatus, PaymentDocument
from tests.factories import MembershipFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import charges, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]


@pytest.fixture
def billed(world, clock):
    """October billed (due 10.11, so overdue on the 20th): VK-0001 200.00 paid in full,
    VK-0002 100.00 of which 40.00 paid, VK-0003 80.00 unpaid; the others owe nothing (their
    document asks for 0: paid)."""
    charges(
        world,
        "2026-10",
        water={"VK-0001": "140.00", "VK-0002": "100.00", "VK-0003": "80.00"},
        heat={"VK-0001": "60.00"},
    )
    month_end_close(tenant=world.tenant, period="2026-10")
    pay(world, "VK-0001", 20_000)
    pay(world, "VK-0002", 4_000)
    return world


@pytest.fixture
def staff(client, world):
    user = UserFactory(username="bills-admin")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(user)
    return client


def _url(world) -> str:
    return reverse("billing-documents", args=[world.tenant.code, "2026-10"])


def _states(response) -> dict[str, str]:
    """Account number → the row's paid state."""
    page = response.content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    out = {}
    for row in rows:
        number = re.search(r'">(\d{8})</a>', row)
        state = re.search(r'<td data-state="(\w+)">', row)
        if number and state:
            out[number.group(1)] = state.group(1)
    return out


def test_the_paid_column_follows_the_cabinets_rule(billed, staff):
    response = staff.get(_url(billed))

    assert response.status_code == 200
    assert _states(response) == {
        "00000001": "paid",
        "00000002": "partly",
        "00000003": "overdue",
        "00000004": "paid",
        "00000005": "paid",
        "00000006": "paid",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [("00000002", ["00000002"]), ("Плательщик 3", ["00000003"])],
    ids=["account-number", "payer"],
)
def test_the_search_box_narrows_the_list(billed, staff, query, expected):
    response = staff.get(_url(billed), {"q": query})

    assert list(_states(response)) == expected
    assert "6 payment documents" in response.content.decode()  # the period's, unfiltered


def test_the_search_box_finds_a_payment_reference(billed, staff):
    document = PaymentDocument.objects.get(
        account=billed.accounts["VK-0003"], period="2026-10", status=DocumentStatus.ISSUED
    )

    response = staff.get(_url(billed), {"q": document.reference})

    assert list(_states(response)) == ["00000003"]


def test_the_list_reads_a_fixed_number_of_queries(billed, staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert staff.get(_url(billed)).status_code == 200
