"""The housing law of 2020–2026 as the seeded rows read it (payment-standards.md §6.3): due
dates by 177-ФЗ and ГК 193, the moratorium of № 424, the caps of № 1681 and the fixed 9.5 % of
№ 329 — each checked against numbers worked out by hand, not by the engine."""

import datetime as dt
from decimal import Decimal

import pytest

from debt_collection import penalties as engine
from debt_collection.services.penalties import policy_for
from invoicing.services.closing import CloseResult
from tests.factories import TenantFactory
from warehouse.services.legal import documents_deadline_of
from warehouse.services.periods import period_due_date

pytestmark = pytest.mark.django_db


def _compute(due: dt.date, amount: int, paid_on: dt.date, kind="ordinary"):
    policy = policy_for("RU")
    return engine.penalty_compute(
        due_date=due,
        amount=amount,
        movements=[engine.Movement(paid_on, amount)],
        as_of=paid_on,
        rule=policy.rule(kind, due),
        rates=policy.rates,
        policies=policy.policies,
    )


@pytest.fixture
def ru():
    return TenantFactory(profile="RU", due_day=10)


@pytest.mark.parametrize(
    ("period", "due", "why"),
    [
        ("2025-12", dt.date(2026, 1, 12), "the contract's 10th is a Saturday (ГК 193)"),
        ("2026-01", dt.date(2026, 2, 10), "the contract's 10th, before 177-ФЗ"),
        # February 2026 is paid in March 2026, when 177-ФЗ is in force: the 15th, a Sunday.
        ("2026-02", dt.date(2026, 3, 16), "177-ФЗ's 15th is a Sunday"),
        ("2026-03", dt.date(2026, 4, 15), "177-ФЗ's 15th, a Wednesday"),
        ("2026-06", dt.date(2026, 7, 15), "the §6.3 example"),
        ("2026-10", dt.date(2026, 11, 16), "15.11.2026 is a Sunday"),
        ("2026-12", dt.date(2027, 1, 15), "a Friday after the New Year holidays"),
    ],
)
def test_ru_due_dates_follow_the_law_of_the_month_they_fall_in(ru, period, due, why):
    assert period_due_date(ru, period) == due, why


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day():
    tenant = TenantFactory(profile="RU", due_day=8)

    # 08.03.2025 is a holiday (a Saturday, its day off moved to 13.06), 09.03 a Sunday;
    # 08.05.2025 is a day off (moved from 23.02), then 9 May, a weekend, and Monday 12.05.
    assert period_due_date(tenant, "2025-02") == dt.date(2025, 3, 10)
    assert period_due_date(tenant, "2025-04") == dt.date(2025, 5, 12)


def test_from_march_2026_the_contract_cannot_move_the_due_date():
    tenant = TenantFactory(profile="RU", due_day=25)

    assert period_due_date(tenant, "2026-01") == dt.date(2026, 2, 25)  # the contract's day
    assert period_due_date(tenant, "2026-03") == dt.date(2026, 4, 15)  # the law's


def test_sepa_tenants_keep_their_own_due_day():
    tenant = TenantFactory(profile="SEPA", due_day=10, currency="EUR")

    assert period_due_date(tenant, "2026-04") == dt.date(2026, 5, 10)  # a Sunday: no RU law


def test_the_first_penalty_day_of_february_and_march_2026(ru):
    # Day 1 of delay is the day after the due date; penalties start on day 31.
    for period, first_day in (("2026-02", dt.date(2026, 4, 16)), ("2026-03", dt.date(2026, 5, 16))):
        due = period_due_date(ru, period)
        result = _compute(due, 100_000, first_day + dt.timedelta(days=9))
        (line,) = result.lines
        assert (line.date_from, line.days, line.fraction) == (first_day, 10, "1/300")


def test_the_corrected_worked_example_is_233_85_and_215_58_paid_on_15_november():
    due = dt.date(2026, 7, 15)

    assert _compute(due, 500_000, dt.date(2026, 11, 20)).total == 23385
    assert _compute(due, 500_000, dt.date(2026, 11, 15)).total == 21558


def test_no_penalty_accrues_during_the_moratorium_of_424():
    result = _compute(dt.date(2020, 6, 10), 1_000_000, dt.date(2021, 3, 15))

    accruing = [line for line in result.lines if line.amount]
    # 06.04–31.12.2020 are days 1–204 (1/300 from day 31, 1/130 from day 91), none accruing.
    stopped = [line for line in result.lines if not line.amount]
    assert {line.note for line in stopped} == {"Постановление № 424"}
    assert stopped[-1].date_to == dt.date(2020, 12, 31)
    # From 01.01.2021 (day 205, so 1/130) to 15.03.2021: 74 days at 4.25 % (the key rate on
    # the payment day): 10 000.00 × 0.0425 × 74 / 130 = 241.92
    assert [(line.date_from, line.date_to, line.days, line.fraction) for line in accruing] == [
        (dt.date(2021, 1, 1), dt.date(2021, 3, 15), 74, "1/130")
    ]
    assert accruing[0].rate_percent == Decimal("4.25")
    assert result.total == 24192


def test_the_cap_of_1681_takes_the_lower_key_rate_of_the_payment_day():
    # Paid on 15.11.2022: the key rate was 7.5 % (since 19.09.2022), below the 9.5 % cap.
    result = _compute(dt.date(2022, 10, 10), 300_000, dt.date(2022, 11, 15), "capital_repair")

    (line,) = result.lines
    assert line.rate_percent == Decimal("7.50") and line.days == 36
    assert "№ 1681" in line.rate_source
    assert result.total == 2700  # 3 000.00 × 0.075 × 36 / 300 = 27.00


def test_in_2026_the_rate_is_9_5_of_329_not_the_key_rate():
    result = _compute(dt.date(2026, 1, 12), 100_000, dt.date(2026, 3, 13))

    (line,) = result.lines  # days 31–60: 12.02–13.03
    assert line.rate_percent == Decimal("9.50")
    assert line.rate_source == "Постановление Правительства РФ от 18.03.2025 № 329"


def test_the_documents_of_a_period_are_due_by_the_5th_from_march_2026(ru):
    assert documents_deadline_of(ru, 2026, 3) == dt.date(2026, 4, 6)  # the 5th is a Sunday
    assert documents_deadline_of(ru, 2026, 5) == dt.date(2026, 6, 5)


def test_a_close_after_the_5th_says_the_documents_are_late(ru, clock):
    from invoicing.models import BillingPeriod

    period = BillingPeriod.objects.create(
        tenant=ru, period="2026-05", closed_at=dt.datetime(2026, 6, 8, 9, tzinfo=dt.UTC)
    )
    assert CloseResult(period, 0, False, []).documents_late
    period.closed_at = dt.datetime(2026, 6, 5, 9, tzinfo=dt.UTC)
    assert not CloseResult(period, 0, False, []).documents_late
