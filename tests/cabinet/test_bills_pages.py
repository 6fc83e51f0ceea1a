"""The resident's bills and history: the documents with their paid state, a document as HTML
(invoicing's rendering) and PDF, the charges chart, the payment history with allocations and
receipts — and who may not see any of it."""

import shutil
import subprocess

import pytest

from cabinet.charts import charges_series
from cabinet.selectors import charge_history
from core.http import public_url
from invoicing.models import PaymentDocument
from invoicing.rendering.html import render_html
from invoicing.selectors import document_view
from tests.factories import (
    AccountHolderFactory,
    MembershipFactory,
    TenantFactory,
    UserFactory,
)
from tests.splitting.helpers import assert_ledger_clean, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.bills_fixtures"]
pytestmark = pytest.mark.django_db

NUMBER = "00000001"
BASE = f"/cabinet/accounts/rc-charges/{NUMBER}/"
WATER, HEAT = "АО «Водоканал»", "ИП Теплов Пётр Андреевич"


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py):
    the bills are of fixed periods; their pay links expire."""
    return clock


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (make test does)")
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def states(client) -> dict[str, str]:
    response = client.get(BASE + "documents/")
    assert response.status_code == 200
    return {row.document.period: row.state for row in response.context["rows"]}


def test_the_documents_list_shows_each_period_with_its_amount_and_state(resident_client):
    response = resident_client.get(BASE + "documents/")

    page = response.content.decode()
    assert [row.document.period for row in response.context["rows"]] == ["2026-12", "2026-11"]
    assert "420,00" in page and "200,00" in page  # 2026-12 carries 2026-11's debt
    assert 'data-state="paid"' not in page
    assert f'href="{BASE}documents/2026-12/"' in page
    assert f'href="{BASE}documents/2026-12.pdf"' in page


def test_the_document_page_is_the_invoicing_rendering_of_the_document(resident_client, billed):
    document = PaymentDocument.objects.get(account=billed.accounts["VK-0001"], period="2026-12")

    response = resident_client.get(BASE + "documents/2026-12/")

    assert response.status_code == 200
    expected = render_html(document_view(document, base_url=public_url("/")))
    assert response.context["rendered"] == expected
    assert expected in response.content.decode()
    assert NUMBER in expected


def test_the_document_pdf_is_a_pdf_with_the_account(resident_client, tmp_path):
    response = resident_client.get(BASE + "documents/2026-12.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert NUMBER in text and "Плательщик 1" in text


def test_an_unknown_period_is_not_found(resident_client):
    assert resident_client.get(BASE + "documents/2025-01/").status_code == 404
    assert resident_client.get(BASE + "documents/2025-01.pdf").status_code == 404


def test_the_icon_turns_green_when_the_debt_is_cleared_from_any_channel(resident_client, billed):
    assert states(resident_client) == {"2026-12": "due", "2026-11": "due"}

    pay(billed, "VK-0001", 20_000)  # a bank transfer: the oldest period first
    after_first = states(resident_client)
    pay(billed, "VK-0001", 10_000, channel="cash_desk")
    after_second = states(resident_client)
    pay(billed, "VK-0001", 12_000, channel="terminal")
    after_all = states(resident_client)

    assert after_first == {"2026-11": "paid", "2026-12": "partly"}
    assert after_second == {"2026-11": "paid", "2026-12": "partly"}
    assert after_all == {"2026-11": "paid", "2026-12": "paid"}
    page = resident_client.get(BASE + "documents/").content.decode()
    assert page.count('class="paid-icon paid-icon-paid"') == 2
    assert_ledger_clean()


def test_the_chart_shows_each_suppliers_charges_month_by_month(resident_client, billed):
    series = charges_series(charge_history(billed.accounts["VK-0001"]))

    assert series.categories == ["2026-11", "2026-12"]
    assert series.series == {WATER: [14_000, 15_000], HEAT: [6_000, 7_000]}
    response = resident_client.get(BASE + "charges/")
    page = response.content.decode()
    assert "<svg" in page and 'class="chart"' in page
    assert "<title>2026-12 · АО «Водоканал»: 150,00</title>" in page
    assert response.context["history"].totals == [20_000, 22_000]
    assert [row[:2] for row in response.context["history"].rows] == [
        (WATER, "Холодное водоснабжение"),
        (HEAT, "Отопление"),
    ]


def test_the_payment_history_shows_each_payments_allocation_and_a_receipt(
    resident_client, billed, tmp_path
):
    payment = pay(billed, "VK-0001", 20_000)

    response = resident_client.get(BASE + "payments/")

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.payment == payment
    assert {(line.supplier, line.period, line.amount) for line in row.lines} == {
        (WATER, "2026-11", 14_000),
        (HEAT, "2026-11", 6_000),
    }
    receipt = resident_client.get(BASE + f"payments/{payment.pk}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    text = pdf_text(receipt.content, tmp_path)
    assert NUMBER in text and "200,00" in text and "Водоканал" in text


def test_pages_answer_in_a_few_queries(resident_client, billed, django_assert_max_num_queries):
    for _ in range(3):
        pay(billed, "VK-0001", 1_000)
    for page in ("documents/", "payments/", "charges/"):
        with django_assert_max_num_queries(12):
            assert resident_client.get(BASE + page).status_code == 200


# --- isolation ---------------------------------------------------------------------------------

PAGES = [
    "documents/",
    "documents/2026-12/",
    "documents/2026-12.pdf",
    "charges/",
    "payments/",
    "pay/",
]


@pytest.fixture
def strangers(billed):
    other_resident = UserFactory(username="boris")
    AccountHolderFactory(user=other_resident, account=billed.accounts["VK-0002"])
    other_staff = UserFactory(username="olga")
    MembershipFactory(user=other_staff, tenant=TenantFactory())
    supplier_user = UserFactory(username="vk")
    MembershipFactory(user=supplier_user, supplier=billed.supplier)
    own_staff = UserFactory(username="ivan")
    MembershipFactory(user=own_staff, tenant=billed.tenant, role=Role.ACCOUNTANT)
    return {
        "another resident": other_resident,
        "another tenant's staff": other_staff,
        "a supplier user": supplier_user,
        "the tenant's staff (not a holder)": own_staff,
    }


def test_only_the_holder_sees_the_pages(client, resident, billed, strangers):
    payment = pay(billed, "VK-0001", 20_000)
    pages = [*PAGES, f"payments/{payment.pk}/receipt.pdf"]
    for who, user in strangers.items():
        client.force_login(user)
        for page in pages:
            response = client.get(BASE + page)
            assert response.status_code == 404, (who, page, response.status_code)
            body = response.content.decode(errors="replace")
            assert "Плательщик 1" not in body and "420,00" not in body
    client.logout()
    for page in pages:
        response = client.get(BASE + page)
        assert response.status_code == 302 and "login" in response["Location"], page


def test_another_accounts_payment_receipt_is_not_found(resident_client, billed):
    foreign = pay(billed, "VK-0002", 1_000)
    assert resident_client.get(BASE + f"payments/{foreign.pk}/receipt.pdf").status_code == 404
