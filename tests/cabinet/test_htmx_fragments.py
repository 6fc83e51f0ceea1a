"""htmx where it helps, served locally: the bill pages poll a document's paid-state icon until
it is paid; the supplier's payments list polls its live part and filters without reloading.
The fragments are scoped exactly as their pages, and the pages work without JavaScript."""

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache

from tests.factories import AccountHolderFactory, MembershipFactory, SupplierFactory, UserFactory
from tests.splitting.helpers import charges, pay

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.bills_fixtures"]
pytestmark = pytest.mark.django_db

BASE = "/cabinet/accounts/rc-charges/00000001/"
STATUS = BASE + "documents/2026-12/status/"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_htmx_is_served_from_our_static_files(resident_client):
    page = resident_client.get(BASE + "documents/2026-12/").content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js"' in page
    assert finders.find("django_htmx/htmx-2.min.js")


def test_an_unpaid_bill_polls_its_status_until_it_is_paid(resident_client, billed):
    for page in ("documents/2026-12/", "documents/"):
        body = resident_client.get(BASE + page).content.decode()
        assert f'hx-get="{STATUS}"' in body

    response = resident_client.get(STATUS, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "paid-icon" in body and 'data-state="paid"' not in body
    assert "<html" not in body  # the icon alone

    pay(billed, "VK-0001", 42000)  # everything 2026-12 asks for, from any channel
    response = resident_client.get(STATUS, **HX)
    assert response.status_code == 286  # htmx: swap the icon in, stop polling
    assert 'data-state="paid"' in response.content.decode()
    body = resident_client.get(BASE + "documents/2026-12/").content.decode()
    assert 'data-state="paid"' in body and "hx-get" not in body


@pytest.mark.parametrize("who", ["other resident", "supplier", "staff"])
def test_the_status_is_the_holders_only(client, billed, who):
    if who == "other resident":
        user = UserFactory()
        AccountHolderFactory(user=user, account=billed.accounts["VK-0002"])
    elif who == "supplier":
        user = MembershipFactory(supplier=billed.supplier).user
    else:
        user = MembershipFactory(tenant=billed.tenant).user
    client.force_login(user)
    assert client.get(STATUS, **HX).status_code == 404
    assert client.get(BASE + "documents/2099-01/status/", **HX).status_code == 404


def test_anonymous_gets_no_status(client, billed):
    response = client.get(STATUS, **HX)
    assert response.status_code == 302 and "login" in response["Location"]


# --- the supplier's live list -----------------------------------------------------------------


@pytest.fixture
def paid(world):
    charges(world, "2026-11", water={"VK-0001": "140.00", "VK-0002": "90.00"})
    pay(world, "VK-0001", 10000, external_id="bank-1")
    pay(world, "VK-0002", 5000, external_id="term-1", channel="terminal")
    return world


@pytest.fixture
def water_client(client, paid):
    client.force_login(MembershipFactory(supplier=paid.supplier).user)
    return client


def test_the_supplier_page_polls_its_live_part_instead_of_reloading(water_client):
    response = water_client.get("/supplier/")
    page = response.content.decode()
    assert 'http-equiv="refresh"' not in page
    assert 'id="supplier-live"' in page and 'hx-get="/supplier/"' in page
    assert 'hx-trigger="every 20s"' in page
    assert response["Vary"].count("HX-Request") == 1
    # Without JavaScript the filter is a plain GET form on the same page.
    assert '<form method="get" class="filter-bar" hx-get="/supplier/"' in page


def test_the_live_part_alone_answers_htmx_with_the_same_rows(water_client):
    full = water_client.get("/supplier/", {"channel": "terminal"})
    fragment = water_client.get("/supplier/", {"channel": "terminal"}, **HX)
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="supplier-live"') and "<html" not in body
    assert 'hx-get="/supplier/?channel=terminal"' in body  # the poll keeps the filter
    assert "00000002" in body and "00000001" not in body
    rows = [s.pk for s in full.context["page"].object_list]
    assert [s.pk for s in fragment.context["page"].object_list] == rows


def test_htmx_restoring_history_gets_the_whole_page(water_client):
    response = water_client.get("/supplier/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX)
    assert "<html" in response.content.decode()


def test_a_bad_filter_from_htmx_loads_the_page_with_its_errors(water_client):
    response = water_client.get("/supplier/", {"date_from": "31.31.2026"}, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/supplier/?date_from=31.31.2026"


def test_the_live_part_is_scoped_as_the_page(client, paid):
    client.force_login(MembershipFactory(supplier=paid.other).user)
    body = client.get("/supplier/", **HX).content.decode()
    assert "00000001" not in body and "00000002" not in body  # teplo was paid nothing
    assert client.get("/supplier/", {"supplier": paid.supplier.pk}, **HX).status_code == 404

    client.force_login(MembershipFactory(supplier=SupplierFactory()).user)
    assert b"00000002" not in client.get("/supplier/", **HX).content
    resident = UserFactory()
    AccountHolderFactory(user=resident, account=paid.accounts["VK-0001"])
    client.force_login(resident)
    assert client.get("/supplier/", **HX).status_code == 403
    client.logout()
    assert client.get("/supplier/", **HX).status_code == 302
