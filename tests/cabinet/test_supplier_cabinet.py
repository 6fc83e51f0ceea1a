"""The supplier's cabinet: payments in its favour with filters and totals per day, payouts, its
share of the debt with aging, CSV/XLSX downloads — and nothing of anyone else's, ever."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cabinet import supplier_selectors as sel
from splitting.models import Allocation
from tests.factories import (
    AccountHolderFactory,
    MembershipFactory,
    SupplierFactory,
    UserFactory,
)
from tests.splitting.helpers import charges, pay

pytest_plugins = ["tests.warehouse.charges_fixtures"]


@pytest.fixture
def paid(world):
    """VK-0001 owes water 140.00 and heat 60.00 for 2026-11 and water 150.00 for 2026-12;
    VK-0002 water 90.00 for 2026-11. VK-0001 pays 100.00 by bank (water gets 70.00, heat 30.00),
    VK-0002 pays 50.00 at a terminal."""
    charges(world, "2026-11", water={"VK-0001": "140.00", "VK-0002": "90.00"})
    charges(world, "2026-11", heat={"VK-0001": "60.00"})
    charges(world, "2026-12", water={"VK-0001": "150.00"})
    pay(world, "VK-0001", 10000, external_id="bank-1")
    pay(world, "VK-0002", 5000, external_id="term-1", channel="terminal")
    return world


@pytest.fixture
def water_user(paid):
    return MembershipFactory(supplier=paid.supplier).user


@pytest.fixture
def water_client(client, water_user):
    client.force_login(water_user)
    return client


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_split_of_the_small_world(paid):
    water = Allocation.objects.filter(supplier=paid.supplier).order_by("pk")
    assert [(a.payment.external_id, a.amount, a.commission) for a in water] == [
        ("bank-1", 7000, 84),
        ("term-1", 5000, 60),
    ]
    assert Allocation.objects.filter(supplier=paid.other).get().amount == 3000


def test_the_payments_page_lists_the_suppliers_shares_with_totals(water_client, paid):
    response = water_client.get("/supplier/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "00000001" in page and "00000002" in page
    assert "120,00" in page  # 70.00 + 50.00 today, the tenant's (ru) notation
    assert "118,56" in page  # net of 0.84 + 0.60 commission
    days = response.context["days"]
    assert len(days) == 1 and days[0]["gross"] == 12000 and days[0]["count"] == 2


def test_the_channel_and_date_filters(water_client, paid):
    response = water_client.get("/supplier/", {"channel": "terminal"})
    shares = list(response.context["page"].object_list)
    assert [s.payment.external_id for s in shares] == ["term-1"]
    assert response.context["totals"]["gross"] == 5000
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = water_client.get("/supplier/", {"date_from": tomorrow})
    assert response.context["totals"]["count"] == 0


def test_a_bad_filter_value_is_a_form_error_not_a_500(water_client, paid):
    response = water_client.get("/supplier/", {"date_from": "31.31.2026", "channel": "pigeon"})
    assert response.status_code == 200
    assert response.context["totals"]["count"] == 0
    assert "field-error" in response.content.decode()


def test_the_payments_csv_and_xlsx(water_client, paid):
    rows = _csv(water_client.get("/supplier/export/payments.csv"))
    assert rows[0][:2] == ["Booked at", "Account"]
    body = sorted((r[1], r[3], r[6], r[7], r[8]) for r in rows[1:])
    assert body == [
        ("00000001", "bank", "70.00", "0.84", "69.16"),
        ("00000002", "terminal", "50.00", "0.60", "49.40"),
    ]
    sheet = _xlsx(water_client.get("/supplier/export/payments.xlsx", {"channel": "bank"}))
    assert len(sheet) == 2
    assert sheet[1][1] == "00000001" and Decimal(str(sheet[1][6])) == Decimal("70.00")
    days = _csv(water_client.get("/supplier/export/days.csv"))
    assert [r[1:] for r in days[1:]] == [["2", "120.00", "1.44", "118.56"]]


def test_debt_aging_buckets(water_user, paid):
    today = dt.date(2027, 1, 20)  # 2026-11 fell due on 12-10 (41 days), 2026-12 on 01-10 (10)
    totals = sel.aging_totals(water_user, paid.supplier, today)
    assert totals["d0_30"] == 15000
    assert totals["d31_90"] == 7000 + 4000  # what is left of 140.00 and 90.00
    assert totals["not_due"] == totals["d91_180"] == totals["d181_365"] == 0
    rows = sel.aging_materialise(paid.supplier, sel.aging_rows(water_user, paid.supplier, today))
    assert [(r.account_number, r.supplier_number, r.total) for r in rows] == [
        ("00000001", "VK-0001", 22000),
        ("00000002", "VK-0002", 4000),
    ]
    late = sel.aging_totals(water_user, paid.supplier, dt.date(2027, 7, 1))
    assert late["d91_180"] == 15000 and late["d181_365"] == 11000  # the default buckets


def test_the_debt_page_and_its_downloads(water_client, paid):
    response = water_client.get("/supplier/debt/")
    assert response.status_code == 200
    assert response.context["totals"]["total"] == 26000
    rows = _csv(water_client.get("/supplier/export/debt.csv"))
    assert [r[:3] + r[-1:] for r in rows[1:]] == [
        ["00000001", "VK-0001", rows[1][2], "220.00"],
        ["00000002", "VK-0002", rows[2][2], "40.00"],
    ]
    sheet = _xlsx(water_client.get("/supplier/export/debt.xlsx"))
    assert len(sheet) == 3 and Decimal(str(sheet[1][-1])) == Decimal("220.00")


def test_the_payouts_page_and_download(water_client, paid):
    assert water_client.get("/supplier/payouts/").status_code == 200
    rows = _csv(water_client.get("/supplier/export/payouts.csv"))
    assert rows[0][0] == "Paid at" and len(rows) == 1


# --- isolation --------------------------------------------------------------------------------

URLS = [
    "/supplier/",
    "/supplier/debt/",
    "/supplier/payouts/",
    "/supplier/export/payments.csv",
    "/supplier/export/days.xlsx",
    "/supplier/export/debt.csv",
    "/supplier/export/payouts.xlsx",
]


def test_another_supplier_of_the_same_tenant_sees_nothing_of_the_first(client, paid):
    client.force_login(MembershipFactory(supplier=paid.other).user)
    response = client.get("/supplier/")
    assert [s.supplier_id for s in response.context["page"].object_list] == [paid.other.pk]
    assert "00000002" not in response.content.decode()  # VK-0002 owes teplo nothing
    rows = _csv(client.get("/supplier/export/payments.csv"))
    assert [r[6] for r in rows[1:]] == ["30.00"]
    debt = _csv(client.get("/supplier/export/debt.csv"))
    assert [r[0] for r in debt[1:]] == ["00000001"]
    for url in URLS:
        assert client.get(url, {"supplier": paid.supplier.pk}).status_code == 404


def test_another_tenants_supplier_sees_only_its_own_empty_cabinet(client, paid):
    client.force_login(MembershipFactory(supplier=SupplierFactory()).user)
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 200
        assert b"00000001" not in response.content and b"VK-0001" not in response.content
        assert client.get(url, {"supplier": paid.supplier.pk}).status_code == 404


@pytest.mark.parametrize("who", ["resident", "staff"])
def test_residents_and_staff_are_refused(client, paid, who):
    if who == "resident":
        user = UserFactory()
        AccountHolderFactory(user=user, account=paid.accounts["VK-0001"])
    else:
        user = MembershipFactory().user  # another tenant's operator admin
    client.force_login(user)
    for url in URLS:
        assert client.get(url).status_code == 403


def test_anonymous_goes_to_sign_in(client, paid):
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_supplier_user_of_two_tenants_suppliers_chooses_one(client, paid):
    user = MembershipFactory(supplier=paid.supplier).user
    elsewhere = SupplierFactory()
    MembershipFactory(user=user, supplier=elsewhere)
    client.force_login(user)
    assert {s.pk for s in client.get("/supplier/").context["suppliers"]} == {
        paid.supplier.pk,
        elsewhere.pk,
    }
    response = client.get("/supplier/", {"supplier": elsewhere.pk})
    assert response.context["supplier"] == elsewhere
    assert response.context["totals"]["count"] == 0
    response = client.get("/supplier/", {"supplier": paid.supplier.pk})
    assert response.context["totals"]["count"] == 2
    assert client.get("/supplier/", {"supplier": "x"}).status_code == 404
