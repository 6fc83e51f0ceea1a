"""What pays a payment plan: only money meant for it — a payment quoting an instalment's
reference (a bank transfer, the pay link), one staff assign to it, or, when the plan is funded by
all payments, every payment of the account after it was made. A replay never counts twice, a
reversal un-counts, and the plan's interest is charged through the ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ApplicationError
from debt_collection.models import (
    CollectionSettings,
    PlanFunding,
    PlanPayment,
    PlanPaymentSource,
    PlanStatus,
)
from debt_collection.services.plans import (
    instalment_checkout,
    instalments_covered,
    plan_create,
    plan_payment_assign,
    plans_check,
)
from splitting.channels.statements import statement_import
from splitting.core.reversals import payment_reverse
from splitting.models import Checkout, Entry, Payment
from tests.debt_collection.workspace_helpers import open_case
from tests.splitting.helpers import assert_ledger_clean, pay
from tests.splitting.test_providers import WEBHOOK, sandbox_settings, sandbox_webhook
from tests.splitting.test_statement_import import _document, one_c
from warehouse.models import AuditEvent, OpenItem, OpenItemKind

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]
pytestmark = pytest.mark.django_db


@pytest.fixture
def case(clock, indebted):
    return open_case(indebted, "VK-0001")  # 300.00 overdue on 20.11.2026


def today():
    return timezone.localdate()


def paid_flags(plan):
    return [i.paid_at is not None for i in plan.instalments.order_by("number")]


def a_plan(case, collector, **options):
    return plan_create(case=case, months=3, first_due=today(), actor=collector, **options)


# --- the arithmetic ---------------------------------------------------------------------------


def test_money_aimed_at_an_instalment_covers_it_first_and_the_rest_in_order():
    assert instalments_covered([100, 100, 100], [0, 100, 0], 0) == [0, 100, 0]
    assert instalments_covered([100, 100, 100], [0, 150, 0], 0) == [50, 100, 0]
    assert instalments_covered([100, 100, 100], [0, 0, 0], 120) == [100, 20, 0]
    assert instalments_covered([100, 100, 100], [0, 0, 500], 0) == [100, 100, 100]


@given(
    amounts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=24),
    data=st.data(),
)
def test_covered_parts_never_exceed_their_instalments_and_add_up(amounts, data):
    aimed = data.draw(
        st.lists(
            st.integers(min_value=0, max_value=10**9), min_size=len(amounts), max_size=len(amounts)
        )
    )
    free = data.draw(st.integers(min_value=0, max_value=10**10))

    parts = instalments_covered(amounts, aimed, free)

    assert all(0 <= part <= amount for part, amount in zip(parts, amounts, strict=True))
    assert sum(parts) == min(sum(aimed) + free, sum(amounts))


# --- only money meant for the plan ------------------------------------------------------------


def test_an_ordinary_bill_payment_leaves_the_instalments_unpaid(case, collector, world):
    plan = a_plan(case, collector)

    pay(world, "VK-0001", 300_00)  # the whole debt, but no instalment's reference

    assert plans_check(on=today())["active"] == 1
    plan.refresh_from_db()
    assert plan.paid == 0
    assert paid_flags(plan) == [False, False, False]
    assert not PlanPayment.objects.exists()
    assert_ledger_clean(world.tenant)


def test_a_payment_quoting_an_instalments_reference_pays_that_instalment(case, collector, world):
    plan = a_plan(case, collector)
    second = plan.instalments.get(number=2)

    payment = pay(world, "VK-0001", 100_00, reference=second.reference)

    assert paid_flags(plan) == [False, True, False]  # at once, in the payment's transaction
    row = PlanPayment.objects.get()
    assert (row.payment, row.plan, row.instalment, row.amount, row.source) == (
        payment,
        plan,
        second,
        100_00,
        PlanPaymentSource.REFERENCE,
    )
    assert plans_check(on=today())["active"] == 1
    plan.refresh_from_db()
    assert plan.paid == 100_00


def test_a_bank_transfer_quoting_the_reference_pays_the_instalment_and_a_replay_does_not_count_twice(  # noqa: E501
    case, collector, world
):
    plan = a_plan(case, collector)
    first = plan.instalments.get(number=1)
    statement = one_c(_document(1, "100.00", f"Рассрочка, платёж 1, {first.reference}"))

    statement_import(tenant=world.tenant, data=statement, filename="1c.txt")
    again = statement_import(tenant=world.tenant, data=statement, filename="1c-again.txt")

    assert again.duplicates == 1
    assert Payment.objects.count() == 1
    assert PlanPayment.objects.get().instalment == first
    plans_check(on=today())
    plan.refresh_from_db()
    assert plan.paid == 100_00
    assert paid_flags(plan) == [True, False, False]
    assert_ledger_clean(world.tenant)


def test_a_replayed_payment_counts_once(case, collector, world):
    plan = a_plan(case, collector)
    reference = plan.instalments.get(number=1).reference

    pay(world, "VK-0001", 100_00, external_id="bank-77", reference=reference)
    pay(world, "VK-0001", 100_00, external_id="bank-77", reference=reference)  # replayed

    assert Payment.objects.count() == 1
    assert PlanPayment.objects.count() == 1
    plans_check(on=today())
    plan.refresh_from_db()
    assert plan.paid == 100_00
    assert paid_flags(plan) == [True, False, False]


def test_a_reversed_payment_no_longer_pays_its_instalment(case, collector, world):
    plan = a_plan(case, collector)
    payment = pay(world, "VK-0001", 100_00, reference=plan.instalments.get(number=1).reference)
    assert paid_flags(plan) == [True, False, False]

    payment_reverse(payment=payment, actor=collector, reason="returned by the bank")

    assert paid_flags(plan) == [False, False, False]
    assert PlanPayment.objects.get().reversed_at is not None
    assert plans_check(on=today())["active"] == 1
    plan.refresh_from_db()
    assert plan.paid == 0
    assert_ledger_clean(world.tenant)


def test_a_missed_instalment_paid_by_an_ordinary_payment_still_breaks_the_plan(
    case, collector, world, clock
):
    plan = a_plan(case, collector)
    pay(world, "VK-0001", 300_00)
    grace = CollectionSettings.for_tenant(case.tenant).plan_grace_days

    clock.shift(timedelta(days=grace + 1))

    assert plans_check(on=today())["broken"] == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.BROKEN


def test_an_instalment_paid_through_its_pay_link_pays_it(client, case, collector, world, settings):
    sandbox_settings(settings, "http://127.0.0.1:9", channels=["pay_link"])  # nothing listens
    plan = a_plan(case, collector)
    second = plan.instalments.get(number=2)
    with pytest.raises(ApplicationError):  # the provider is down, the checkout is recorded
        instalment_checkout(
            instalment=second,
            provider_code="sandbox",
            site_url="http://testserver/",
            return_path="/",
        )
    checkout = Checkout.objects.get()
    assert (checkout.reference, checkout.amount) == (second.reference, second.amount)
    Checkout.objects.filter(pk=checkout.pk).update(provider_id="sbx_plan")  # as if it had opened
    checkout.refresh_from_db()
    body, headers = sandbox_webhook(checkout)

    booked = client.post(WEBHOOK.format("sandbox"), body, "application/json", **headers)
    again = client.post(WEBHOOK.format("sandbox"), body, "application/json", **headers)

    assert (booked.json()["status"], again.json()["status"]) == ("booked", "replayed")
    assert paid_flags(plan) == [False, True, False]
    row = PlanPayment.objects.get()
    assert (row.instalment, row.amount) == (second, second.amount)
    assert_ledger_clean(world.tenant)


# --- staff assignment -------------------------------------------------------------------------


def test_staff_assign_an_ordinary_payment_to_an_instalment_once(case, collector, world):
    plan = a_plan(case, collector)
    third = plan.instalments.get(number=3)
    payment = pay(world, "VK-0001", 100_00)

    row = plan_payment_assign(plan=plan, payment=payment, instalment=third, actor=collector)
    again = plan_payment_assign(plan=plan, payment=payment, instalment=third, actor=collector)

    assert again.pk == row.pk and row.source == PlanPaymentSource.STAFF
    assert row.created_by == collector
    assert paid_flags(plan) == [False, False, True]
    assert AuditEvent.objects.filter(action="debt_case.plan_payment", actor=collector).count() == 1


def test_staff_count_a_payment_toward_the_plan_from_the_case_page(client, case, collector, world):
    plan = a_plan(case, collector)
    payment = pay(world, "VK-0001", 100_00)
    client.force_login(collector)
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert f"№&nbsp;{payment.pk}" in page.content.decode()

    client.post(
        reverse("case-action", args=[case.pk, "plan_payment"]),
        {"payment": str(payment.pk), "instalment": "2"},
    )

    assert paid_flags(plan) == [False, True, False]
    assert PlanPayment.objects.get().created_by == collector


def test_staff_cannot_assign_another_accounts_payment(case, collector, world):
    plan = a_plan(case, collector)
    payment = pay(world, "VK-0002", 50_00)

    with pytest.raises(ApplicationError) as refused:
        plan_payment_assign(plan=plan, payment=payment, actor=collector)

    assert refused.value.code == "foreign_payment"
    assert not PlanPayment.objects.exists()


# --- funded by every payment ------------------------------------------------------------------


def test_a_plan_funded_by_all_payments_counts_ordinary_payments(case, collector, world):
    before = pay(world, "VK-0001", 10_00)  # before the plan: not counted
    plan = a_plan(case, collector, funding=PlanFunding.ALL_PAYMENTS)

    pay(world, "VK-0001", 150_00)

    assert plans_check(on=today())["active"] == 1
    plan.refresh_from_db()
    assert plan.paid == 150_00
    assert paid_flags(plan) == [True, False, False]
    assert not PlanPayment.objects.filter(payment=before).exists()
    assert PlanPayment.objects.get().source == PlanPaymentSource.ALL_PAYMENTS

    pay(world, "VK-0001", 140_00)
    assert plans_check(on=today())["completed"] == 1


def test_an_unknown_funding_is_refused(case, collector):
    with pytest.raises(ApplicationError) as refused:
        a_plan(case, collector, funding="whatever")

    assert refused.value.code == "bad_funding"


# --- interest through the ledger --------------------------------------------------------------


def receivable_of(account) -> int:
    return (
        Entry.objects.filter(
            account_id=account.pk, ledger_account__code__startswith="receivable:"
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )


def test_the_plans_interest_is_charged_as_penalty_items_and_booked_in_the_ledger(
    case, collector, world
):
    CollectionSettings.objects.create(tenant=case.tenant, plan_interest_percent=Decimal("12"))
    account = case.account
    owed_before = receivable_of(account)

    plan = a_plan(case, collector)

    assert plan.interest == 3_00 + 2_00 + 1_00
    interest = OpenItem.objects.filter(account=account, kind=OpenItemKind.PENALTY)
    assert interest.aggregate(total=Sum("amount"))["total"] == plan.interest
    assert {item.period for item in interest} == {"2026-11"}
    # split like the overdue debt: water 240.00, heat 60.00
    by_supplier = dict(interest.values_list("supplier__code", "amount"))
    assert by_supplier == {"vodokanal": 4_80, "teplo": 1_20}
    assert receivable_of(account) == owed_before + plan.interest
    assert_ledger_clean(world.tenant)

    for instalment in plan.instalments.order_by("number"):
        pay(world, "VK-0001", instalment.amount, reference=instalment.reference)
    assert plans_check(on=today())["completed"] == 1
    assert not OpenItem.objects.filter(account=account, open_amount__gt=0).exists()
    assert_ledger_clean(world.tenant)


def test_a_plan_without_interest_charges_nothing(case, collector):
    plan = a_plan(case, collector)

    assert plan.interest == 0
    assert not OpenItem.objects.filter(account=case.account, kind=OpenItemKind.PENALTY).exists()
