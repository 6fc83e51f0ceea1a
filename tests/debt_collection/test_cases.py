"""The agents' workspace: the case queue (filters, sorting, scoping), assignment, and the case
page's actions — each writes a case event and an audit row, and refuses bad input cleanly."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from debt_collection.models import CaseEvent, CaseEventKind, CaseStage, DebtCase
from debt_collection.services.cases import cases_assign
from messaging.models import Message
from tests.debt_collection.workspace_helpers import open_case, staff
from tests.factories import AccountHolderFactory, MembershipFactory, UserFactory
from warehouse.models import AuditEvent, Role

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]
pytestmark = pytest.mark.django_db

QUEUE = "/staff/collections/"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def listed(response) -> list[str]:
    return [row.record.account.account_number for row in response.context["table"].page.object_list]


@pytest.fixture
def cases(indebted):
    return {n: open_case(indebted, n) for n in ("VK-0001", "VK-0002", "VK-0003")}


def case_url(case, action=""):
    return reverse("case-detail", args=[case.pk]) + (f"{action}/" if action else "")


# --- the queue --------------------------------------------------------------------------------


def test_queue_lists_cases_with_overdue_sorted_highest_first(client, collector, cases):
    client.force_login(collector)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert listed(response) == ["00000003", "00000001", "00000002"]
    rows = {r.record.account.account_number: r.record for r in response.context["table"].rows}
    assert rows["00000001"].overdue == 300_00
    assert (timezone.localdate() - rows["00000001"].oldest_due).days >= 60


def test_queue_filters_by_amount_days_agent_and_flag(
    client, collector, cases, django_assert_max_num_queries
):
    client.force_login(collector)
    cases["VK-0002"].assigned_to = collector
    cases["VK-0002"].save()
    cases["VK-0003"].promise_broken = True
    cases["VK-0003"].save()

    assert listed(client.get(QUEUE, {"overdue_min": "250", "overdue_max": "400.00"})) == [
        "00000001"
    ]
    assert listed(client.get(QUEUE, {"agent": "mine"})) == ["00000002"]
    assert sorted(listed(client.get(QUEUE, {"agent": "none"}))) == ["00000001", "00000003"]
    assert listed(client.get(QUEUE, {"broken": "true"})) == ["00000003"]
    assert listed(client.get(QUEUE, {"days_min": "5000"})) == []
    assert len(listed(client.get(QUEUE, {"days_min": "1"}))) == 3
    with django_assert_max_num_queries(18):
        client.get(QUEUE, {"sort": "days"})


def test_queue_default_is_the_queue_stage(client, collector, cases):
    client.force_login(collector)
    cases["VK-0001"].stage = CaseStage.PROMISED
    cases["VK-0001"].save()

    assert "00000001" not in listed(client.get(QUEUE))
    assert listed(client.get(QUEUE, {"stage": "promised"})) == ["00000001"]


def test_bad_amount_filter_is_a_form_error_not_a_500(client, collector, cases):
    client.force_login(collector)

    response = client.get(QUEUE, {"overdue_min": "lots"})

    assert response.status_code == 200
    assert "overdue_min" in response.context["filter"].form.errors


def test_callback_due_filter_and_next_case(client, collector, cases):
    client.force_login(collector)
    case = cases["VK-0002"]
    case.callback_at = timezone.now() - timedelta(minutes=5)
    case.save()

    assert listed(client.get(QUEUE, {"callback_due": "true"})) == ["00000002"]
    response = client.get(reverse("case-next"))
    assert response.url == case_url(case)

    case.callback_at = None
    case.save()
    response = client.get(reverse("case-next"))
    assert response.url == case_url(cases["VK-0003"])  # highest overdue


def test_other_tenants_staff_get_404_and_outsiders_403(client, cases, world):
    case = cases["VK-0001"]
    stranger = UserFactory()
    MembershipFactory(user=stranger, role=Role.COLLECTOR)  # of another tenant
    client.force_login(stranger)
    assert client.get(case_url(case)).status_code == 404
    assert client.post(case_url(case, "note"), {"note": "x"}).status_code == 404
    assert listed(client.get(QUEUE)) == []

    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, supplier=world.supplier)
    client.force_login(supplier_user)
    assert client.get(QUEUE).status_code == 403
    assert client.get(case_url(case)).status_code == 403

    resident = UserFactory()
    AccountHolderFactory(user=resident, account=case.account)
    client.force_login(resident)
    assert client.get(case_url(case)).status_code == 403


def test_anonymous_goes_to_sign_in(client, cases):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "login" in response.url


def test_accountant_reads_but_may_not_act(client, world, cases):
    accountant = staff(world, Role.ACCOUNTANT)
    client.force_login(accountant)
    case = cases["VK-0001"]

    response = client.get(case_url(case))
    assert response.status_code == 200
    assert not response.context["may_work"]
    assert client.post(case_url(case, "note"), {"note": "x"}).status_code == 403
    assert not CaseEvent.objects.filter(kind=CaseEventKind.NOTE).exists()


# --- assignment -------------------------------------------------------------------------------


def test_round_robin_deals_unassigned_queue_cases_in_turn(world, cases):
    anna, boris = staff(world, username="anna"), staff(world, username="boris")

    given = cases_assign(tenant=world.tenant, agents=[anna, boris], strategy="round_robin")

    assert given == {anna.pk: 2, boris.pk: 1}
    by_open = {c.account.account_number: c.assigned_to for c in DebtCase.objects.order_by("pk")}
    assert by_open == {"00000001": anna, "00000002": boris, "00000003": anna}
    assert CaseEvent.objects.filter(kind=CaseEventKind.ASSIGNED).count() == 3
    assert AuditEvent.objects.filter(action="debt_case.assign").count() == 3


def test_least_loaded_fills_the_emptiest_agent_first(world, cases):
    anna, boris = staff(world, username="anna"), staff(world, username="boris")
    cases["VK-0001"].assigned_to = anna
    cases["VK-0001"].save()

    given = cases_assign(tenant=world.tenant, agents=[anna, boris], strategy="least_loaded")

    assert given == {anna.pk: 1, boris.pk: 1}
    assert DebtCase.objects.get(pk=cases["VK-0002"].pk).assigned_to == boris


def test_bulk_assign_from_the_queue(client, world, collector, cases):
    client.force_login(collector)
    picked = [cases["VK-0001"].pk, cases["VK-0003"].pk]

    response = client.post(reverse("cases-bulk-assign"), {"cases": picked, "agent": collector.pk})

    assert response.status_code == 302
    assert set(DebtCase.objects.filter(assigned_to=collector).values_list("pk", flat=True)) == set(
        picked
    )


def test_an_accountant_cannot_be_assigned(client, world, collector, cases):
    client.force_login(collector)
    accountant = staff(world, Role.ACCOUNTANT)

    response = client.post(case_url(cases["VK-0001"], "assign"), {"agent": accountant.pk})

    assert response.status_code == 302
    assert DebtCase.objects.get(pk=cases["VK-0001"].pk).assigned_to is None


# --- actions ----------------------------------------------------------------------------------


def _acted(client, case, action, data):
    response = client.post(case_url(case, action), data)
    assert response.status_code == 302
    return texts(client.get(response.url)) if response.url else []


def test_logging_a_call_writes_event_audit_and_last_contact(client, collector, cases):
    client.force_login(collector)
    case = cases["VK-0001"]

    _acted(client, case, "contact", {"kind": "call", "outcome": "call_back_later", "note": "at 6"})

    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.CALL)
    assert (event.outcome, event.note, event.actor) == ("call_back_later", "at 6", collector)
    assert AuditEvent.objects.filter(action="debt_case.call", actor=collector).exists()
    case.refresh_from_db()
    assert case.last_contact_at is not None


def test_unknown_outcome_is_refused_and_nothing_written(client, collector, cases):
    client.force_login(collector)

    messages = _acted(client, cases["VK-0001"], "contact", {"kind": "call", "outcome": "shouted"})

    assert any("Outcome" in m for m in messages)
    assert not CaseEvent.objects.filter(kind=CaseEventKind.CALL).exists()


@pytest.mark.parametrize(
    ("action", "data", "kind", "audit"),
    [
        ("note", {"note": "Says salary on the 5th"}, CaseEventKind.NOTE, "debt_case.note"),
        ("callback", {"at": "2099-01-05T10:30"}, CaseEventKind.CALLBACK, "debt_case.callback"),
        (
            "letter",
            {"subject": "Debt", "body": "Please pay"},
            CaseEventKind.MESSAGE,
            "debt_case.letter",
        ),
        ("close", {"reason": "written off"}, CaseEventKind.CLOSED, "debt_case.close"),
    ],
)
def test_each_action_writes_its_event_and_audit(
    client, collector, cases, action, data, kind, audit
):
    client.force_login(collector)
    case = cases["VK-0001"]

    _acted(client, case, action, data)

    assert CaseEvent.objects.filter(case=case, kind=kind, actor=collector).exists()
    assert AuditEvent.objects.filter(action=audit, actor=collector, detail__case=case.pk).exists()


def test_callback_in_the_past_is_refused(client, collector, cases):
    client.force_login(collector)

    messages = _acted(client, cases["VK-0001"], "callback", {"at": "2001-01-05T10:30"})

    assert any("future" in m for m in messages)
    assert not CaseEvent.objects.filter(kind=CaseEventKind.CALLBACK).exists()


def test_sms_now_is_queued_for_the_accounts_phone(clock, client, collector, cases):
    # At midday in the tenant's time: outside the quiet hours an SMS now must respect.
    client.force_login(collector)
    case = cases["VK-0001"]
    case.account.phone = "+79161234567"
    case.account.save()

    page = client.get(case_url(case))
    assert "300,00" in page.context["sms_form"].initial["body"]
    _acted(client, case, "sms", {"body": "Please pay 300.00"})

    message = case.messages.get()
    assert (message.channel, message.recipient, message.source) == ("sms", "+79161234567", "manual")
    assert AuditEvent.objects.filter(action="debt_case.sms").exists()


def test_sms_now_is_refused_after_opt_out_or_without_phone(client, collector, cases):
    client.force_login(collector)
    case = cases["VK-0001"]

    assert any("no phone" in m for m in _acted(client, case, "sms", {"body": "Pay"}))
    case.account.phone, case.account.sms_consent = "+79161234567", False
    case.account.save()
    assert any("opted out" in m for m in _acted(client, case, "sms", {"body": "Pay"}))

    assert not Message.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEventKind.MESSAGE).exists()


def test_case_page_shows_debt_by_supplier_and_history(client, collector, cases):
    client.force_login(collector)
    case = cases["VK-0001"]
    case.account.phone = "+79161234567"
    case.account.save()

    response = client.get(case_url(case))

    assert response.status_code == 200
    debt = response.context["debt"]
    assert [(d.supplier_code, d.period, d.open_amount) for d in debt.charges] == [
        ("teplo", "2026-08", 60_00),
        ("vodokanal", "2026-08", 140_00),
        ("vodokanal", "2026-09", 100_00),
    ]
    assert debt.overdue == 300_00
    assert b'href="tel:+79161234567"' in response.content
    assert b"Opened" in response.content


def test_a_closed_case_takes_no_more_actions(client, collector, cases):
    client.force_login(collector)
    case = cases["VK-0001"]
    _acted(client, case, "close", {"reason": "paid"})

    messages = _acted(client, case, "note", {"note": "late"})

    assert any("closed" in m for m in messages)
    assert not CaseEvent.objects.filter(kind=CaseEventKind.NOTE).exists()
