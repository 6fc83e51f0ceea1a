"""Court and enforcement: filing moves the case to COURT, the decision is validated (awarded ≤
claimed unless a note says why), enforcement moves it to ENFORCEMENT, collections are entered or
read from booked payments — each step with a case event and an audit row; the case page's
forms refuse bad input cleanly."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseStage,
    CourtProceeding,
    ProceedingStage,
)
from debt_collection.services.court import (
    collection_record,
    court_decide,
    court_file,
    enforcement_open,
    proceeding_close,
)
from tests.debt_collection.workspace_helpers import open_case
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.splitting.helpers import pay
from warehouse.models import AuditEvent, Role

pytestmark = pytest.mark.django_db
pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]

COURT = "Мировой судья судебного участка № 12"


@pytest.fixture
def case(indebted):
    return open_case(indebted, "VK-0001")


def today():
    return timezone.localdate()


def filed(case, **options):
    return court_file(
        case=case,
        court_name=COURT,
        filed_on=options.pop("filed_on", today() - timedelta(days=20)),
        amount_claimed=options.pop("amount_claimed", 300_00),
        state_fee=options.pop("state_fee", 400_00),
        **options,
    )


def test_the_court_and_enforcement_stages_move_the_case(case, collector):
    proceeding = filed(case, actor=collector, case_number="2-77/2026")
    case.refresh_from_db()
    assert case.stage == CaseStage.COURT
    stage_events = CaseEvent.objects.filter(case=case, kind=CaseEventKind.STAGE)
    assert [e.detail["to"] for e in stage_events] == ["court"]

    court_decide(
        proceeding=proceeding, decided_on=today() - timedelta(days=10), amount_awarded=280_00
    )
    enforcement_open(
        proceeding=proceeding,
        opened_on=today() - timedelta(days=5),
        writ_number="ВС 012345678",
        bailiff_office="ОСП по Гагаринскому району",
        actor=collector,
    )
    proceeding.refresh_from_db()
    case.refresh_from_db()
    assert proceeding.stage == ProceedingStage.ENFORCEMENT
    assert case.stage == CaseStage.ENFORCEMENT
    assert sorted(e.detail["to"] for e in stage_events.all()) == ["court", "enforcement"]

    collection_record(proceeding=proceeding, amount=100_00, actor=collector)
    collection_record(proceeding=proceeding, amount=50_00, actor=collector)
    proceeding.refresh_from_db()
    assert proceeding.amount_collected == 150_00
    proceeding_close(proceeding=proceeding, closed_on=today())
    proceeding.refresh_from_db()
    assert proceeding.stage == ProceedingStage.CLOSED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "collections.court_file",
        "collections.court_decide",
        "collections.court_enforce",
        "collections.court_collect",
        "collections.court_close",
    } <= actions


def test_more_awarded_than_claimed_needs_a_note(case):
    proceeding = filed(case)
    with pytest.raises(ApplicationError) as refused:
        court_decide(proceeding=proceeding, decided_on=today(), amount_awarded=300_01)
    assert refused.value.code == "awarded_over_claimed_without_note"
    proceeding.refresh_from_db()
    assert proceeding.amount_awarded is None

    court_decide(
        proceeding=proceeding,
        decided_on=today(),
        amount_awarded=310_00,
        note="the court added the postage costs",
    )
    proceeding.refresh_from_db()
    assert proceeding.amount_awarded == 310_00


@pytest.mark.parametrize(
    ("step", "code"),
    [
        ("decided_before_filing", "decided_before_filing"),
        ("enforce_undecided", "not_decided"),
        ("collect_in_court", "wrong_stage"),
        ("file_twice", "proceeding_open"),
    ],
)
def test_steps_out_of_order_are_refused(case, step, code):
    proceeding = filed(case)
    with pytest.raises(ApplicationError) as refused:
        if step == "decided_before_filing":
            court_decide(
                proceeding=proceeding,
                decided_on=proceeding.filed_on - timedelta(days=1),
                amount_awarded=1,
            )
        elif step == "enforce_undecided":
            enforcement_open(
                proceeding=proceeding, opened_on=today(), writ_number="1", bailiff_office="x"
            )
        elif step == "collect_in_court":
            collection_record(proceeding=proceeding, amount=1)
        else:
            filed(case)
    assert refused.value.code == code
    assert CourtProceeding.objects.count() == 1


def test_filing_needs_a_positive_claim_and_an_open_case(case):
    with pytest.raises(ApplicationError) as refused:
        filed(case, amount_claimed=0)
    assert refused.value.code == "amount_not_positive"
    with pytest.raises(ApplicationError) as refused:
        filed(case, filed_on=today() + timedelta(days=1))
    assert refused.value.code == "date_in_future"
    assert CourtProceeding.objects.count() == 0
    case.refresh_from_db()
    assert case.stage == CaseStage.QUEUE


def test_collected_is_read_from_booked_payments_up_to_the_award(indebted, case):
    proceeding = filed(case, state_fee=0)
    court_decide(proceeding=proceeding, decided_on=today(), amount_awarded=120_00)
    enforcement_open(proceeding=proceeding, opened_on=today(), writ_number="1", bailiff_office="x")
    pay(indebted, "VK-0001", 70_00)
    collection_record(proceeding=proceeding)
    proceeding.refresh_from_db()
    assert proceeding.amount_collected == 70_00
    pay(indebted, "VK-0001", 90_00)
    collection_record(proceeding=proceeding)
    proceeding.refresh_from_db()
    assert proceeding.amount_collected == 120_00  # capped at the award
    with pytest.raises(ApplicationError) as refused:
        collection_record(proceeding=proceeding, amount=1)
    assert refused.value.code == "collected_over_awarded"


# --- pages ------------------------------------------------------------------------------------


def test_the_case_page_files_decides_and_enforces(client, case, collector):
    client.force_login(collector)
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert "File a claim in court" in page.content.decode()
    response = client.post(
        reverse("legal-court-file", args=[case.pk]),
        {
            "court_name": COURT,
            "filed_on": (today() - timedelta(days=3)).isoformat(),
            "amount_claimed": "300.00",
            "state_fee": "400",
        },
    )
    assert response.status_code == 302
    proceeding = CourtProceeding.objects.get()
    assert (proceeding.amount_claimed, proceeding.state_fee) == (300_00, 400_00)
    url = reverse("legal-proceeding-action", args=[proceeding.pk, "decide"])
    response = client.post(url, {"decided_on": today().isoformat(), "amount_awarded": "abc"})
    assert response.status_code == 302
    proceeding.refresh_from_db()
    assert proceeding.decided_on is None
    client.post(url, {"decided_on": today().isoformat(), "amount_awarded": "250,00"})
    proceeding.refresh_from_db()
    assert proceeding.amount_awarded == 250_00
    client.post(
        reverse("legal-proceeding-action", args=[proceeding.pk, "enforce"]),
        {"opened_on": today().isoformat(), "writ_number": "ВС 1", "bailiff_office": "ОСП"},
    )
    case.refresh_from_db()
    assert case.stage == CaseStage.ENFORCEMENT
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "ВС 1" in page and "Record a collection" in page
    unknown = client.post(reverse("legal-proceeding-action", args=[proceeding.pk, "explode"]))
    assert unknown.status_code == 404


def test_another_tenants_staff_cannot_touch_a_proceeding(client, case):
    proceeding = filed(case)
    outsider = UserFactory()
    MembershipFactory(user=outsider, tenant=TenantFactory(), role=Role.OPERATOR_ADMIN)
    client.force_login(outsider)
    url = reverse("legal-proceeding-action", args=[proceeding.pk, "close"])
    assert client.post(url, {"closed_on": today().isoformat()}).status_code == 404
    assert client.post(reverse("legal-court-file", args=[case.pk]), {}).status_code == 404
    client.logout()
    response = client.post(url, {"closed_on": today().isoformat()})
    assert response.status_code == 302 and "/login/" in response["Location"]
    proceeding.refresh_from_db()
    assert proceeding.stage == ProceedingStage.COURT
