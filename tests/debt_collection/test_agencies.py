"""Collection agencies: a hand-over records each case's debt and moves it to AGENCY; recovered =
booked payments since the hand-over up to the debt handed over; commission = recovered × percent,
rounded half up per case; the report page and its XLSX show the same numbers."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.errors import ApplicationError
from debt_collection.models import (
    AgencyHandover,
    AgencyHandoverLine,
    CaseEvent,
    CaseEventKind,
    CaseStage,
)
from debt_collection.services.agencies import (
    agency_create,
    commission_of,
    handover_create,
    handover_report,
)
from splitting.core.reversals import payment_reverse
from tests.debt_collection.workspace_helpers import open_case, staff
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.splitting.helpers import pay
from warehouse.models import Role

pytestmark = pytest.mark.django_db
pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]


@pytest.fixture
def agency(world):
    return agency_create(
        tenant=world.tenant, name="ООО «Коллектор»", commission_percent=Decimal("12.5")
    )


@pytest.fixture
def handed(indebted, agency):
    """VK-0001 (300.00) and VK-0002 (80.00) handed over today."""
    cases = [open_case(indebted, "VK-0001"), open_case(indebted, "VK-0002")]
    return handover_create(agency=agency, cases=cases, handed_on=timezone.localdate())


def test_commission_rounds_half_up():
    assert commission_of(1, Decimal("50")) == 1  # 0.5 → 1
    assert commission_of(3, Decimal("50")) == 2  # 1.5 → 2
    assert commission_of(10001, Decimal("12.5")) == 1250  # 1250.125 → 1250
    assert commission_of(10004, Decimal("12.5")) == 1251  # 1250.5 → 1251


def test_a_handover_records_each_debt_and_moves_the_cases(handed):
    lines = {
        line.case.account.account_number: line.debt_handed
        for line in AgencyHandoverLine.objects.select_related("case__account")
    }
    assert lines == {"00000001": 300_00, "00000002": 80_00}
    for line in AgencyHandoverLine.objects.select_related("case"):
        assert line.case.stage == CaseStage.AGENCY
        event = CaseEvent.objects.get(case=line.case, kind=CaseEventKind.STAGE)
        assert event.detail["to"] == "agency" and event.detail["handover"] == handed.pk


def test_recovered_is_capped_at_the_debt_and_commission_is_per_case(indebted, handed):
    pay(indebted, "VK-0001", 100_01)
    pay(indebted, "VK-0002", 50_00)
    pay(indebted, "VK-0002", 50_00)  # 100.00 paid, 80.00 handed: 80.00 recovered
    reversed_payment = pay(indebted, "VK-0002", 10_00)
    payment_reverse(payment=reversed_payment, reason="test")

    report = handover_report(handover=handed)
    rows = {r.line.case.account.account_number: (r.recovered, r.commission) for r in report.rows}
    assert rows == {"00000001": (100_01, 12_50), "00000002": (80_00, 10_00)}
    assert (report.handed, report.recovered, report.commission) == (380_00, 180_01, 22_50)


def test_payments_before_the_handover_are_not_recovered(indebted, agency):
    case = open_case(indebted, "VK-0003")
    pay(indebted, "VK-0003", 100_00)
    handover = handover_create(agency=agency, cases=[case], handed_on=timezone.localdate())
    assert handover_report(handover=handover).recovered == 0
    assert handover.lines.get().debt_handed == 400_00


def test_a_handover_is_all_or_nothing(indebted, agency, handed):
    fresh = open_case(indebted, "VK-0003")
    already = handed.lines.first().case
    with pytest.raises(ApplicationError) as refused:
        handover_create(agency=agency, cases=[fresh, already], handed_on=timezone.localdate())
    assert refused.value.code == "case_not_open"
    fresh.refresh_from_db()
    assert fresh.stage == CaseStage.QUEUE
    assert AgencyHandover.objects.count() == 1

    other_tenant_agency = agency_create(
        tenant=TenantFactory(), name="Other", commission_percent=Decimal(10)
    )
    with pytest.raises(ApplicationError) as refused:
        handover_create(agency=other_tenant_agency, cases=[fresh], handed_on=timezone.localdate())
    assert refused.value.code == "wrong_tenant"
    with pytest.raises(ApplicationError) as refused:
        handover_create(agency=agency, cases=[fresh], handed_on=timezone.localdate() + timedelta(1))
    assert refused.value.code == "date_in_future"


def test_agency_percent_and_name_are_checked(world, agency):
    with pytest.raises(ApplicationError):
        agency_create(tenant=world.tenant, name="X", commission_percent=Decimal("100.01"))
    with pytest.raises(ApplicationError) as refused:
        agency_create(tenant=world.tenant, name=agency.name, commission_percent=Decimal(1))
    assert refused.value.code == "agency_exists"


# --- pages ------------------------------------------------------------------------------------


def test_report_page_and_xlsx_show_the_same_numbers(client, indebted, handed, collector):
    pay(indebted, "VK-0001", 100_01)
    client.force_login(collector)
    page = client.get(reverse("legal-handover", args=[handed.pk]))
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.recovered, report.commission) == (100_01, 12_50)
    response = client.get(reverse("legal-handover-xlsx", args=[handed.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Case")
    body = {r[1]: r for r in rows[header_at + 1 : -1]}
    assert body["00000001"][4:] == (300, 100.01, 12.5)
    assert body["00000002"][4:] == (80, 0, 0)
    assert rows[-1][0] == "Total" and rows[-1][5:] == (100.01, 12.5)


def test_agencies_page_adds_agencies_and_hands_cases_over(client, world, indebted):
    admin = staff(world, Role.OPERATOR_ADMIN)
    client.force_login(admin)
    url = reverse("legal-agencies") + f"?tenant={world.tenant.code}"
    response = client.post(
        url, {"form": "agency", "name": "Взыскание+", "commission_percent": "abc"}
    )
    assert response.status_code == 400
    response = client.post(
        url, {"form": "agency", "name": "Взыскание+", "commission_percent": "15,5"}
    )
    assert response.status_code == 302
    agency = world.tenant.collection_agencies.get()
    assert agency.commission_percent == Decimal("15.50")
    one, two = open_case(indebted, "VK-0001"), open_case(indebted, "VK-0002")
    response = client.post(
        url,
        {
            "form": "handover",
            "agency": agency.pk,
            "handed_on": timezone.localdate().isoformat(),
            "cases": [one.pk, two.pk],
        },
    )
    assert response.status_code == 302
    handover = AgencyHandover.objects.get()
    assert response["Location"] == reverse("legal-handover", args=[handover.pk])
    assert handover.lines.count() == 2


def test_a_collector_hands_a_case_over_from_its_page(client, indebted, agency, collector):
    case = open_case(indebted, "VK-0001")
    client.force_login(collector)
    assert agency.name in client.get(reverse("case-detail", args=[case.pk])).content.decode()
    response = client.post(
        reverse("legal-case-handover", args=[case.pk]),
        {"agency": agency.pk, "handed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == CaseStage.AGENCY


def test_collectors_cannot_add_agencies_and_outsiders_get_404(client, world, handed, collector):
    client.force_login(collector)
    url = reverse("legal-agencies") + f"?tenant={world.tenant.code}"
    response = client.post(url, {"form": "agency", "name": "X", "commission_percent": "1"})
    assert response.status_code == 403
    outsider = UserFactory()
    MembershipFactory(user=outsider, tenant=TenantFactory(), role=Role.OPERATOR_ADMIN)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("legal-handover", args=[handed.pk])).status_code == 404
    assert client.get(reverse("legal-handover-xlsx", args=[handed.pk])).status_code == 404
    client.logout()
    assert "/login/" in client.get(reverse("legal-handover", args=[handed.pk]))["Location"]
