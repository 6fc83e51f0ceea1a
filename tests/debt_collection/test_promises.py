"""Promises to pay: recorded from the case page, they take the case out of the queue; the
account's payments since keep them; past their date unpaid they break and flag the case."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseStage,
    CollectionSettings,
    PromiseStatus,
    PromiseToPay,
)
from debt_collection.services.promises import promise_record, promises_check
from splitting.core.reversals import payment_reverse
from tests.debt_collection.workspace_helpers import open_case
from tests.splitting.helpers import assert_ledger_clean, pay
from warehouse.models import AuditEvent

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]
pytestmark = pytest.mark.django_db


@pytest.fixture
def case(indebted):
    return open_case(indebted, "VK-0001")  # 300.00 overdue


def today():
    return timezone.localdate()


def test_recording_a_promise_takes_the_case_out_of_the_queue(client, collector, case):
    client.force_login(collector)
    due = today() + timedelta(days=7)

    client.post(
        reverse("case-action", args=[case.pk, "promise"]),
        {"amount": "150.00", "due_date": f"{due:%Y-%m-%d}"},
    )

    promise = PromiseToPay.objects.get(case=case)
    assert (promise.amount, promise.due_date, promise.status) == (150_00, due, "open")
    case.refresh_from_db()
    assert case.stage == CaseStage.PROMISED
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.PROMISE, actor=collector).exists()
    assert AuditEvent.objects.filter(action="debt_case.promise", actor=collector).exists()
    queue = client.get("/staff/collections/")
    assert case.pk not in [r.record.pk for r in queue.context["table"].rows]


@pytest.mark.parametrize(
    ("amount", "days", "code"),
    [(0, 3, "bad_amount"), (100_00, -1, "promise_past"), (100_00, 31, "promise_too_far")],
)
def test_bad_promises_are_refused(case, collector, amount, days, code):
    with pytest.raises(ApplicationError) as refused:
        promise_record(
            case=case, amount=amount, due_date=today() + timedelta(days=days), actor=collector
        )
    assert refused.value.code == code
    assert not PromiseToPay.objects.exists()


def test_promise_max_days_comes_from_the_tenants_settings(case, collector):
    CollectionSettings.objects.create(tenant=case.tenant, promise_max_days=60)

    promise_record(case=case, amount=100_00, due_date=today() + timedelta(days=45), actor=collector)

    assert PromiseToPay.objects.filter(case=case, status="open").exists()


def test_a_payment_covering_the_promise_keeps_it_and_closes_a_paid_up_case(case, collector, world):
    promise = promise_record(
        case=case, amount=300_00, due_date=today() + timedelta(days=5), actor=collector
    )

    pay(world, "VK-0001", 300_00)
    counts = promises_check(on=today())

    assert counts["kept"] == 1
    promise.refresh_from_db()
    assert (promise.status, promise.paid) == (PromiseStatus.KEPT, 300_00)
    case.refresh_from_db()
    assert case.stage == CaseStage.CLOSED
    assert_ledger_clean(world.tenant)


def test_a_kept_promise_with_debt_left_returns_the_case_to_the_queue(
    client, case, collector, world
):
    promise_record(case=case, amount=100_00, due_date=today() + timedelta(days=5), actor=collector)
    pay(world, "VK-0001", 120_00)
    client.force_login(collector)

    client.get(reverse("case-detail", args=[case.pk]))  # the page checks its case's promise

    case.refresh_from_db()
    assert PromiseToPay.objects.get(case=case).status == PromiseStatus.KEPT
    assert (case.stage, case.promise_broken) == (CaseStage.QUEUE, False)


def test_an_unpaid_promise_breaks_after_its_date_and_flags_the_case(case, collector, world):
    due = today() + timedelta(days=3)
    promise = promise_record(case=case, amount=300_00, due_date=due, actor=collector)
    pay(world, "VK-0001", 50_00)  # not enough

    assert promises_check(on=due)["open"] == 1  # on the day itself it still stands
    counts = promises_check(on=due + timedelta(days=1))

    assert counts["broken"] == 1
    promise.refresh_from_db()
    assert (promise.status, promise.paid) == (PromiseStatus.BROKEN, 50_00)
    case.refresh_from_db()
    assert (case.stage, case.promise_broken) == (CaseStage.QUEUE, True)
    assert CaseEvent.objects.filter(case=case, detail__broken=True).exists()


def test_a_reversed_payment_does_not_keep_a_promise(case, collector, world):
    due = today() + timedelta(days=3)
    promise_record(case=case, amount=300_00, due_date=due, actor=collector)
    payment = pay(world, "VK-0001", 300_00)
    payment_reverse(payment=payment, actor=collector, reason="bounced")

    promises_check(on=due + timedelta(days=1))

    assert PromiseToPay.objects.get(case=case).status == PromiseStatus.BROKEN
    assert_ledger_clean(world.tenant)


def test_the_daily_task_runs_the_check(case, collector):
    from debt_collection.tasks import check_promises_and_plans

    promise_record(case=case, amount=300_00, due_date=today(), actor=collector)

    result = check_promises_and_plans.apply().get()

    assert result["promises"] == {"kept": 0, "broken": 0, "open": 1}
