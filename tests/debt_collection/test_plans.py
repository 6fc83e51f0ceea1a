"""Payment plans: the schedule adds up exactly (with the tenant's interest), each instalment has
its own reference and pay link, payments meant for the plan (quoting an instalment's reference)
cover the instalments, a missed one breaks the plan after the grace period, and a paid plan
completes. What counts toward a plan and what does not: `test_plan_payments.py`."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ApplicationError
from debt_collection.models import (
    CaseEvent,
    CaseStage,
    CollectionSettings,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
)
from debt_collection.services.plans import (
    add_months,
    instalment_pay_path,
    instalment_reference,
    plan_create,
    plans_check,
    schedule,
)
from debt_collection.services.promises import promise_record
from invoicing.references import _mod11_10_is_valid, reference_parse, rf_is_valid
from splitting.channels.statements import statement_import
from splitting.models import Payment
from tests.debt_collection.workspace_helpers import open_case
from tests.splitting.helpers import assert_ledger_clean, pay
from tests.splitting.test_providers import CARD_SUCCEEDS, pay_by_card, sandbox_settings
from tests.splitting.test_statement_import import _document, one_c
from warehouse.models import AuditEvent, OpenItem

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


# --- the schedule -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    principal=st.integers(min_value=1, max_value=10**12),
    months=st.integers(min_value=1, max_value=60),
    percent=st.decimals(min_value=0, max_value=99, places=2),
)
def test_instalments_sum_to_principal_plus_interest(principal, months, percent):
    if principal < months:
        with pytest.raises(ValueError):
            schedule(principal=principal, months=months, percent=percent)
        return
    rows = schedule(principal=principal, months=months, percent=percent)
    assert len(rows) == months
    assert sum(part for part, _ in rows) == principal
    assert all(part + share > 0 for part, share in rows)
    balances = [principal - sum(p for p, _ in rows[:k]) for k in range(months)]
    exact = Decimal(sum(balances)) * percent / 1200
    interest = sum(share for _, share in rows)
    assert abs(Decimal(interest) - exact) <= Decimal("0.5")
    assert max(p for p, _ in rows) - min(p for p, _ in rows) <= 1


def test_interest_is_simple_yearly_on_the_declining_balance():
    # 12 % a year = 1 % a month on 1000.00, 666.67, 333.33 → 10.00 + 6.67 + 3.33
    assert schedule(principal=100_000, months=3, percent=Decimal("12")) == [
        (33_334, 1_000),
        (33_333, 667),
        (33_333, 333),
    ]
    assert schedule(principal=100_000, months=3, percent=Decimal("0")) == [
        (33_334, 0),
        (33_333, 0),
        (33_333, 0),
    ]


def test_months_are_added_clamping_to_the_month_end():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 10), 1) == date(2027, 1, 10)


def test_instalment_references_carry_check_digits_and_never_parse_as_a_document():
    ru = instalment_reference(profile="RU", account_number="00000001", plan_id=42, number=3)
    assert ru.isdigit() and _mod11_10_is_valid(ru)
    rf = instalment_reference(profile="SEPA", account_number="100200300", plan_id=42, number=3)
    assert rf_is_valid(rf)
    for reference in (ru, rf):
        with pytest.raises(ValueError):
            reference_parse(reference)


# --- creating a plan --------------------------------------------------------------------------


def test_plan_over_the_overdue_debt_with_interest(client, collector, case):
    CollectionSettings.objects.create(tenant=case.tenant, plan_interest_percent=Decimal("12"))
    client.force_login(collector)
    first = today() + timedelta(days=10)

    client.post(
        reverse("case-action", args=[case.pk, "plan"]),
        {"months": "3", "first_due": f"{first:%Y-%m-%d}", "amount": ""},
    )

    plan = PaymentPlan.objects.get(case=case)
    assert (plan.principal, plan.months, plan.status) == (300_00, 3, PlanStatus.ACTIVE)
    instalments = list(plan.instalments.all())
    assert [i.due_date for i in instalments] == [first, add_months(first, 1), add_months(first, 2)]
    assert sum(i.amount for i in instalments) == plan.total == 300_00 + plan.interest
    assert plan.interest == 3_00 + 2_00 + 1_00
    assert len({i.reference for i in instalments}) == 3
    case.refresh_from_db()
    assert case.stage == CaseStage.PLAN
    assert AuditEvent.objects.filter(action="debt_case.plan", actor=collector).exists()


def test_a_plan_supersedes_an_open_promise(case, collector):
    promise = promise_record(case=case, amount=100_00, due_date=today(), actor=collector)

    plan_create(case=case, months=2, first_due=today(), actor=collector, amount=200_00)

    promise.refresh_from_db()
    assert promise.status == PromiseStatus.SUPERSEDED


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"months": 25}, "too_many_months"),
        ({"months": 0}, "bad_months"),
        ({"amount": 301_00}, "exceeds_debt"),
        ({"first_due": date(2020, 1, 1)}, "due_past"),
    ],
)
def test_bad_plans_are_refused(case, collector, options, code):
    arguments = {"months": 3, "first_due": today(), "amount": None, **options}

    with pytest.raises(ApplicationError) as refused:
        plan_create(case=case, actor=collector, **arguments)

    assert refused.value.code == code
    assert not PaymentPlan.objects.exists()


# --- keeping and breaking ---------------------------------------------------------------------


def test_plan_completes_when_paid_and_the_case_closes(case, collector, world):
    plan = plan_create(case=case, months=3, first_due=today(), actor=collector)
    first, second = plan.instalments.get(number=1), plan.instalments.get(number=2)

    pay(world, "VK-0001", 100_00, reference=first.reference)
    assert plans_check(on=today())["active"] == 1
    assert [i.paid_at is not None for i in plan.instalments.all()] == [True, False, False]

    pay(world, "VK-0001", 200_00, reference=second.reference)  # the rest covers the third
    assert plans_check(on=today())["completed"] == 1

    plan.refresh_from_db()
    case.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert case.stage == CaseStage.CLOSED
    assert (
        sum(OpenItem.objects.filter(account=case.account).values_list("open_amount", flat=True))
        == 0
    )
    assert_ledger_clean(world.tenant)


def test_a_bank_transfer_quoting_an_instalments_reference_pays_that_account(case, collector, world):
    plan = plan_create(case=case, months=3, first_due=today(), actor=collector)
    first = plan.instalments.get(number=1)
    statement = one_c(
        _document(1, "100.00", f"Рассрочка, платёж 1, {first.reference}"),
        _document(2, "50.00", "Оплата без ссылки"),
    )

    outcome = statement_import(tenant=world.tenant, data=statement, filename="1c.txt")

    assert (outcome.matched, outcome.parked) == (1, 1)
    payment = Payment.objects.get()
    assert payment.account == case.account and payment.amount == 100_00
    assert plans_check(on=today())["active"] == 1
    assert [i.paid_at is not None for i in plan.instalments.all()] == [True, False, False]
    assert_ledger_clean(world.tenant)


def test_a_missed_instalment_breaks_the_plan_after_the_grace_period(case, collector, world):
    first = today() + timedelta(days=1)
    plan = plan_create(case=case, months=3, first_due=first, actor=collector)
    pay(world, "VK-0001", 100_00, reference=plan.instalments.get(number=1).reference)
    second_due = add_months(first, 1)
    grace = CollectionSettings.for_tenant(case.tenant).plan_grace_days

    assert plans_check(on=second_due + timedelta(days=grace))["active"] == 1
    assert plans_check(on=second_due + timedelta(days=grace + 1))["broken"] == 1

    plan.refresh_from_db()
    case.refresh_from_db()
    assert plan.status == PlanStatus.BROKEN
    assert case.stage == CaseStage.QUEUE
    event = CaseEvent.objects.get(case=case, detail__plan_broken=True)
    assert event.detail["instalment"] == 2


# --- the instalment's pay link ----------------------------------------------------------------


def test_the_pay_page_renders_for_anyone_with_masked_data(client, case, collector):
    plan = plan_create(case=case, months=3, first_due=today(), actor=collector)
    instalment = plan.instalments.first()

    response = client.get(instalment_pay_path(instalment))

    assert response.status_code == 200
    body = response.content.decode()
    assert instalment.reference in body
    assert "100,00" in body
    assert case.account.payer_name not in body  # masked
    assert response["Referrer-Policy"] == "same-origin"


def test_the_pay_page_404s_for_a_bad_token(client, case, collector):
    plan_create(case=case, months=3, first_due=today(), actor=collector)

    assert client.get(reverse("plan-pay", args=["not-a-token"])).status_code == 404


def test_the_pay_button_says_so_when_the_provider_is_down(client, case, collector, settings):
    sandbox_settings(settings, "http://127.0.0.1:9", channels=["pay_link"])  # nothing listens
    plan = plan_create(case=case, months=3, first_due=today(), actor=collector)
    path = instalment_pay_path(plan.instalments.first())

    response = client.post(path, {"provider": "sandbox"})

    assert response.status_code == 200
    assert "not available" in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_instalment_paid_by_card_is_split_and_covers_the_instalment(
    postgres, case, collector, settings, live_server
):
    sandbox_settings(settings, live_server.url, channels=["pay_link"])
    plan = plan_create(case=case, months=3, first_due=today(), actor=collector)
    instalment = plan.instalments.first()
    url = live_server.url + instalment_pay_path(instalment)

    with requests.Session() as browser:
        page = browser.get(url, timeout=30)
        assert "sandbox" in page.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        started = browser.post(
            url, data={"csrfmiddlewaretoken": token, "provider": "sandbox"}, timeout=30
        )
        assert "/sandbox-acquirer/pay/" in started.url
        landed = pay_by_card(browser, started.url, CARD_SUCCEEDS)
    assert landed.status_code == 200

    payment = Payment.objects.get(account=case.account)
    assert (payment.channel, payment.amount) == ("provider", instalment.amount)
    assert plans_check(on=today())["active"] == 1
    instalment.refresh_from_db()
    assert instalment.paid_at is not None
    assert_ledger_clean(case.tenant)
