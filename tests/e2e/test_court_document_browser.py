"""Legal documents and the dashboard in a real browser: a collector opens a case, generates the
application for a court order, downloads the DOCX (opened with python-docx), and looks at the
collections analytics. Screenshots: var/screenshots/court-document.png and
var/screenshots/collections-analytics.png (plus the steps in the test's own folder)."""

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from debt_collection.models import LegalDocument, PromiseStatus, PromiseToPay
from tests.debt_collection.workspace_helpers import open_case
from tests.e2e.conftest import screenshots_root
from tests.factories import PASSWORD
from tests.splitting.helpers import pay

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]

COURT = "Мировому судье судебного участка № 12 Гагаринского района г. Москвы"


@pytest.fixture
def worked(indebted, collector):
    collector.set_password(PASSWORD)
    collector.save()
    pay(indebted, "VK-0001", 150_00)
    case = open_case(indebted, "VK-0001")
    second = open_case(indebted, "VK-0003")
    for opened in (case, second):
        opened.assigned_to = collector
        opened.save()
    pay(indebted, "VK-0003", 120_00)
    now = timezone.now()
    for status in (PromiseStatus.KEPT, PromiseStatus.BROKEN, PromiseStatus.KEPT):
        PromiseToPay.objects.create(
            tenant=indebted.tenant,
            case=second,
            account=second.account,
            amount=50_00,
            due_date=now.date(),
            status=status,
            created_at=now,
            resolved_at=now,
        )
    return case


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_collector_generates_and_downloads_a_court_order_application(
    postgres, indebted, worked, page, sign_in, screenshots
):
    case_url = f"/staff/collections/cases/{worked.pk}/"
    sign_in("kolya", PASSWORD, next_url=case_url)
    expect(page.locator("#legal").get_by_role("heading", name="Legal")).to_be_visible()
    legal = page.get_by_test_id("document-form")
    legal.get_by_label("Document", exact=True).select_option("court_order")
    legal.get_by_label("Addressee (court)").fill(COURT)
    legal.get_by_label("State fee").fill("400.00")
    legal.get_by_role("button", name="Generate document").click()

    expect(page.locator(".message-success")).to_contain_text(
        "Заявление о вынесении судебного приказа"
    )
    documents = page.get_by_test_id("legal-documents")
    expect(documents.locator("tbody tr")).to_have_count(1)
    expect(documents).to_contain_text(COURT)
    page.locator("#legal").scroll_into_view_if_needed()
    screenshots.shot("document-generated")
    page.locator("#legal").screenshot(path=str(screenshots_root() / "court-document.png"))

    with page.expect_download() as download_info:
        documents.get_by_role("link", name="Download DOCX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(str(download.path()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Заявление о вынесении судебного приказа" in text and COURT in text
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[-1][0] == "Итого" and rows[-1][4] == "150,00"
    document = LegalDocument.objects.get()
    assert (document.debt_total, document.state_fee) == (150_00, 400_00)

    page.goto(f"/staff/collections/analytics/?tenant={indebted.tenant.code}")
    expect(page.get_by_role("heading", name="Collections analytics")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(5)
    expect(page.get_by_role("img", name="Recovered per agent")).to_be_visible()
    screenshots.shot("analytics")
    page.screenshot(path=str(screenshots_root() / "collections-analytics.png"), full_page=True)
