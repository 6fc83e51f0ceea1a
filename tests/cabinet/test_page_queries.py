"""The two pages of the page-speed benchmark (tests/bench/test_cabinet_pages_bench.py) — the
debt position and a bill — answer in a fixed, small number of queries, whatever the number of
accounts, suppliers and periods; the bill's HTML is rendered once and then read from the cache.

The counts include the session, the user and the memberships `scope()` reads (shared with the
navigation's roles; the page tells the navigation the user holds accounts)."""

import pytest
from django.core.cache import cache

from invoicing.models import PaymentDocument
from tests.factories import AccountHolderFactory
from tests.splitting.helpers import charges

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.bills_fixtures"]
pytestmark = pytest.mark.django_db

BASE = "/cabinet/accounts/rc-charges/00000001/"
POSITION_QUERIES = 6  # + accounts, open items with their suppliers, advances
BILL_QUERIES = 6  # + held account, document, open items per period
BILL_QUERIES_FIRST = BILL_QUERIES + 1  # + the document's frozen view, to render it


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_the_debt_position_takes_a_fixed_number_of_queries(
    resident_client, resident, billed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(POSITION_QUERIES):
        assert resident_client.get("/cabinet/").status_code == 200
    for number in ("VK-0002", "VK-0003"):  # more accounts, more suppliers: the same count
        AccountHolderFactory(user=resident, account=billed.accounts[number])
    charges(billed, "2027-01", water={"VK-0002": "10.00"}, heat={"VK-0003": "20.00"})
    with django_assert_max_num_queries(POSITION_QUERIES):
        response = resident_client.get("/cabinet/")
    assert len(response.context["rows"]) == 3


def test_the_bill_page_takes_a_fixed_number_of_queries_and_renders_once(
    resident_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BILL_QUERIES_FIRST):
        first = resident_client.get(BASE + "documents/2026-12/")
    with django_assert_max_num_queries(BILL_QUERIES):
        again = resident_client.get(BASE + "documents/2026-12/")
    assert first.status_code == again.status_code == 200
    body = [r.content.decode().split('class="cabinet-document-body"')[1] for r in (first, again)]
    assert body[0] == body[1] and 'class="qr-code"' in body[1]  # the document, QR code and all


def test_the_cached_bill_is_per_document(resident_client, billed):
    """Two periods of one account: each page shows its own document, cache or not."""
    documents = PaymentDocument.objects.filter(account=billed.accounts["VK-0001"])
    numbers = {d.period: d.number for d in documents}
    for _ in range(2):
        for period, number in numbers.items():
            page = resident_client.get(f"{BASE}documents/{period}/").content.decode()
            document = page.split('class="cabinet-document-body"')[1]
            assert number in document
            assert not any(other in document for other in numbers.values() if other != number)
