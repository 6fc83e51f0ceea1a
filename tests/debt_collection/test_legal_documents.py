"""Legal documents: the court-order application and the pre-trial claim as DOCX, their numbers
against the open items and the penalty calculation, editable templates, the case-list XLSX,
and who may generate and download what."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from core.errors import ApplicationError
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseStage,
    CourtProceeding,
    DocumentKind,
    DocumentTemplate,
    LegalDocument,
)
from debt_collection.services.court import court_decide, court_file
from debt_collection.services.legal_documents.debt_table import debt_table
from debt_collection.services.legal_documents.generation import document_generate
from debt_collection.services.legal_documents.templates import legal_defaults, template_save
from debt_collection.services.penalties import account_penalty_calculation
from tests.debt_collection.workspace_helpers import open_case, staff
from tests.factories import AccountHolderFactory, MembershipFactory, TenantFactory, UserFactory
from tests.splitting.helpers import pay
from warehouse.models import AuditEvent, OpenItem, OpenItemKind, Role

pytestmark = pytest.mark.django_db
pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]

NBSP = "\u00a0"
COURT = "Мировой судья судебного участка № 12 Гагаринского района г. Москвы"


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py):
    the debts are of fixed periods; claims count days overdue from today."""
    return clock


@pytest.fixture
def case(indebted):
    """VK-0001 owes August water 140.00 + heat 60.00 and September water 100.00; it paid
    150.00, which the tenant's rules spread over the August items (105.00 + 45.00)."""
    pay(indebted, "VK-0001", 150_00)
    return open_case(indebted, "VK-0001")


def docx_of(document: LegalDocument) -> Document:
    with document.file.open("rb") as handle:
        return Document(io.BytesIO(handle.read()))


def all_text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def table_rows(doc, index: int = 0) -> list[list[str]]:
    """The debt table (0) or, when penalties accrued, the day-by-day penalty table (1)."""
    assert len(doc.tables) in (1, 2)
    return [[cell.text for cell in row.cells] for row in doc.tables[index].rows]


def rub(minor: int) -> str:
    units, cents = divmod(minor, 100)
    text = f"{units:,}".replace(",", NBSP)
    return f"{text},{cents:02d}"


def test_court_order_table_equals_the_open_items_and_the_penalty_calculation(case, collector):
    as_of = timezone.localdate()
    document = document_generate(
        case=case,
        kind=DocumentKind.COURT_ORDER,
        actor=collector,
        addressee=COURT,
        state_fee=400_00,
        document_date=as_of,
    )

    doc = docx_of(document)
    text = all_text(doc)
    assert "Заявление о вынесении судебного приказа" in text
    assert COURT in text
    assert "Плательщик 1" in text
    assert "ИНН 7707083893, КПП 773601001" in text
    assert "40702810238720001420" in text

    account = case.account
    penalty = account_penalty_calculation(account=account, as_of=as_of)
    expected = {}
    for item in OpenItem.objects.filter(account=account, kind=OpenItemKind.CHARGES).select_related(
        "supplier"
    ):
        expected[(item.period, item.supplier.name)] = (item.amount, item.open_amount)
    rows = table_rows(doc)
    assert rows[0][:5] == ["Период", "Поставщик", "Начислено", "Оплачено", "Долг"]
    body, total = rows[1:-1], rows[-1]
    penalties = {(i.period, i.supplier_name): i.penalty for i in penalty.items}
    # August heat 15.00 and water 35.00 stay open after the payment, September water 100.00.
    assert [(r[0], r[1]) for r in body] == [
        ("08.2026", "ИП Теплов Пётр Андреевич"),
        ("08.2026", "АО «Водоканал»"),
        ("09.2026", "АО «Водоканал»"),
    ]
    assert penalties[("2026-08", "АО «Водоканал»")] > 0
    for row in body:
        year_month = f"{row[0][3:]}-{row[0][:2]}"
        charged, open_amount = expected[(year_month, row[1])]
        assert row[2] == rub(charged)
        assert row[3] == rub(charged - open_amount)
        assert row[4] == rub(open_amount)
        assert row[7] == rub(penalties.get((year_month, row[1]), 0))
    assert total[0] == "Итого"
    assert total[4] == rub(50_00 + 100_00)
    assert total[7] == rub(penalty.total)
    assert document.debt_total == 150_00 and document.penalty_total == penalty.total
    value = f"{rub(150_00 + penalty.total)}{NBSP}₽"  # the state fee is not part of it
    total = f"{rub(150_00 + penalty.total + 400_00)}{NBSP}₽"
    assert f"Цена иска: {value}" in text
    assert f"Государственная пошлина: {rub(400_00)}{NBSP}₽" in text
    assert f"всего {total}" in text
    # The day by day calculation: every line, and the act that set its rate.
    lines = table_rows(doc, 1)
    assert lines[0][-1] == "Основание ставки"
    expected_lines = [line for item in penalty.items for line in item.lines]
    assert len(lines) - 1 == len(expected_lines)
    for row, line in zip(lines[1:], expected_lines, strict=True):
        assert row[4] == str(line.days) and row[7] == line.fraction
        assert row[9] == "Постановление Правительства РФ от 18.03.2025 № 329" == line.rate_source


def test_the_document_is_kept_and_recorded_on_the_case(case, collector):
    document = document_generate(
        case=case, kind=DocumentKind.COURT_ORDER, actor=collector, addressee=COURT
    )
    assert default_storage.exists(document.file.name)
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.DOCUMENT)
    assert event.detail["document"] == document.pk and event.actor == collector
    assert AuditEvent.objects.filter(action="collections.document_generate").count() == 1


def test_a_pre_trial_claim_moves_a_queued_case_to_the_pre_trial_stage(case, collector):
    document = document_generate(case=case, kind=DocumentKind.PRE_TRIAL, actor=collector)
    doc = docx_of(document)
    assert "Досудебная претензия" in all_text(doc)
    assert doc.tables == []
    case.refresh_from_db()
    assert case.stage == CaseStage.PRE_TRIAL


def test_a_claim_letter_takes_no_state_fee(case, collector):
    with pytest.raises(ApplicationError) as refused:
        document_generate(case=case, kind=DocumentKind.PRE_TRIAL, actor=collector, state_fee=1)
    assert refused.value.code == "fee_not_claimed"
    assert LegalDocument.objects.count() == 0


def test_an_edited_template_changes_the_document(case, collector):
    template_save(
        tenant=case.tenant,
        kind=DocumentKind.COURT_ORDER,
        language="ru",
        title="Заявление (ред. {{ account }})",
        body="Первый абзац: {{ debtor }} должен {{ debt_total }}.\n\n{{ table }}\n\nКонец.",
        actor=collector,
    )
    document = document_generate(
        case=case, kind=DocumentKind.COURT_ORDER, actor=collector, addressee=COURT
    )
    doc = docx_of(document)
    texts = [p.text for p in doc.paragraphs]
    assert f"Заявление (ред. {case.account.account_number})" in texts
    assert f"Первый абзац: Плательщик 1 должен 150,00{NBSP}₽." in texts
    assert "Конец." in texts
    assert len(doc.tables) == 2  # the debt and, with penalties, the day-by-day calculation
    # The default stays for everyone else.
    legal_defaults()
    assert DocumentTemplate.objects.get(tenant=None, kind="court_order", language="ru").body != (
        DocumentTemplate.objects.get(tenant=case.tenant, kind="court_order").body
    )


def test_a_template_that_does_not_compile_is_refused(world):
    legal_defaults()
    with pytest.raises(ApplicationError) as refused:
        template_save(
            tenant=world.tenant,
            kind="court_order",
            language="ru",
            title="x",
            body="{% if debtor %}no end",
        )
    assert refused.value.code == "template_syntax"
    assert not DocumentTemplate.objects.filter(tenant=world.tenant).exists()


def test_nothing_overdue_is_refused(world, collector):
    case = open_case(world, "VK-0004")
    with pytest.raises(ApplicationError) as refused:
        document_generate(
            case=case, kind=DocumentKind.COURT_ORDER, actor=collector, addressee=COURT
        )
    assert refused.value.code == "no_debt"
    assert LegalDocument.objects.count() == 0


def test_debt_table_as_of_an_earlier_date_ignores_later_payments(indebted):
    account = indebted.accounts["VK-0001"]
    before = debt_table(account=account, as_of=timezone.localdate())
    pay(indebted, "VK-0001", 50_00)
    assert debt_table(account=account, as_of=timezone.localdate()).debt == before.debt - 50_00


# --- pages ------------------------------------------------------------------------------------


def test_generate_and_download_through_the_case_page(client, case, collector):
    client.force_login(collector)
    response = client.post(
        reverse("legal-document-create", args=[case.pk]),
        {"kind": "court_order", "addressee": COURT, "state_fee": "400.00"},
    )
    assert response.status_code == 302
    document = LegalDocument.objects.get()
    assert document.state_fee == 400_00
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert reverse("legal-document-download", args=[document.pk]) in page.content.decode()
    download = client.get(reverse("legal-document-download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert COURT in all_text(doc)


def test_bad_input_is_a_message_and_writes_nothing(client, case, collector):
    client.force_login(collector)
    response = client.post(
        reverse("legal-document-create", args=[case.pk]),
        {"kind": "court_order", "addressee": COURT, "state_fee": "12,345.6.7"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("legal-document-create", args=[case.pk]), {"kind": "court_order"}
    )
    assert response.status_code == 302
    assert LegalDocument.objects.count() == 0


def test_another_tenants_staff_get_404_and_anonymous_sign_in(client, case, collector):
    document = document_generate(
        case=case, kind=DocumentKind.COURT_ORDER, actor=collector, addressee=COURT
    )
    urls = [
        reverse("legal-document-download", args=[document.pk]),
        reverse("legal-templates") + f"?tenant={case.tenant.code}",
    ]
    post = reverse("legal-document-create", args=[case.pk])
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
        assert "/login/" in client.get(url)["Location"]
    outsider = UserFactory()
    MembershipFactory(user=outsider, tenant=TenantFactory(), role=Role.OPERATOR_ADMIN)
    client.force_login(outsider)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(post, {"kind": "court_order", "addressee": COURT}).status_code == 404
    resident = UserFactory()
    AccountHolderFactory(user=resident, account=case.account)
    client.force_login(resident)
    assert client.get(urls[0]).status_code == 403


def test_an_accountant_reads_but_does_not_generate(client, world, case):
    accountant = staff(world, Role.ACCOUNTANT)
    client.force_login(accountant)
    response = client.post(reverse("legal-document-create", args=[case.pk]), {"kind": "pre_trial"})
    assert response.status_code == 403


def test_only_an_operator_admin_edits_templates(client, world, case, collector):
    url = reverse("legal-template-edit", args=["pre_trial"]) + f"?tenant={case.tenant.code}"
    client.force_login(collector)
    assert client.get(url).status_code == 403
    admin = staff(world, Role.OPERATOR_ADMIN)
    client.force_login(admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Претензия", "body": "{% if %}"})
    assert response.status_code == 400
    response = client.post(url, {"title": "Претензия", "body": "Текст {{ debtor }}."})
    assert response.status_code == 302
    assert DocumentTemplate.objects.get(tenant=case.tenant, kind="pre_trial").title == "Претензия"


# --- the case list ----------------------------------------------------------------------------


def test_case_list_xlsx_has_debt_per_supplier_penalties_and_court_numbers(
    client, indebted, collector
):
    first = open_case(indebted, "VK-0001")
    open_case(indebted, "VK-0002")
    proceeding = court_file(
        case=first,
        court_name=COURT,
        filed_on=timezone.localdate(),
        amount_claimed=300_00,
        case_number="2-1234/2026",
    )
    court_decide(proceeding=proceeding, decided_on=timezone.localdate(), amount_awarded=250_00)
    client.force_login(collector)
    response = client.get(reverse("legal-cases-xlsx") + f"?tenant={indebted.tenant.code}&stage=all")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Account", "Payer", "Address")
    assert "Debt: АО «Водоканал»" in header and "Debt: ИП Теплов Пётр Андреевич" in header
    by_account = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    one = by_account[indebted.accounts["VK-0001"].account_number]
    assert one["Debt: АО «Водоканал»"] == 240 and one["Debt: ИП Теплов Пётр Андреевич"] == 60
    assert one["Debt total"] == 300
    penalty = account_penalty_calculation(
        account=indebted.accounts["VK-0001"], as_of=timezone.localdate()
    ).total
    assert Decimal(str(one["Penalties"])) * 100 == penalty
    assert one["Stage"] == "Court" and one["Court case number"] == "2-1234/2026"
    assert one["Awarded"] == 250 and one["Collected"] == 0
    two = by_account[indebted.accounts["VK-0002"].account_number]
    assert two["Debt total"] == 80 and two["Court case number"] in ("", None)
    assert CourtProceeding.objects.count() == 1
