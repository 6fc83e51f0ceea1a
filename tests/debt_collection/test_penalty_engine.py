"""The pure penalty engine (`debt_collection.penalties`): the worked example of
payment-standards §6.3 as a golden test, the policy periods (moratoria 424/497, the fixed
rate of 474), capital repair, statutory interest, partial payments, reversals — and properties
that hold for any debt (hypothesis)."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from debt_collection.penalties import (
    RU_CAPITAL_REPAIR,
    RU_ORDINARY,
    SEPA,
    Movement,
    PolicyPeriod,
    RateMissing,
    RateTable,
    parts_of,
    penalty_compute,
)

SIXTEEN = RateTable.of([(date(2025, 12, 22), "16")])
DUE = date(2026, 7, 10)  # June 2026, due on the 10th of July
M424 = PolicyPeriod("moratorium", date(2020, 4, 6), date(2021, 1, 1), "Постановление № 424")
F474 = PolicyPeriod(
    "fixed_rate", date(2022, 2, 28), date(2024, 12, 31), "Постановление № 474", Decimal("9.5")
)
M497 = PolicyPeriod(
    "moratorium", date(2022, 4, 1), date(2022, 10, 1), "Постановление № 497", None, date(2022, 4, 1)
)


def _lines(result):
    return [
        (line.date_from, line.date_to, line.days, line.base, line.rate_percent, line.fraction)
        for line in result.lines
    ]


def test_worked_example_of_the_standard_is_393_85():
    result = penalty_compute(
        due_date=DUE,
        amount=500000,
        movements=[Movement(date(2026, 11, 15), 500000)],
        as_of=date(2026, 12, 31),
        rates=SIXTEEN,
    )

    assert result.total == 39385
    assert _lines(result) == [
        (date(2026, 8, 10), date(2026, 10, 8), 60, 500000, Decimal(16), "1/300"),
        (date(2026, 10, 9), date(2026, 11, 15), 38, 500000, Decimal(16), "1/130"),
    ]
    assert [line.amount_rounded for line in result.lines] == [16000, 23385]


def test_the_rate_of_the_payment_day_applies_to_the_whole_delay():
    rates = RateTable.of([(date(2025, 12, 22), "21"), (date(2026, 11, 1), "16")])

    result = penalty_compute(
        due_date=DUE,
        amount=500000,
        movements=[Movement(date(2026, 11, 15), 500000)],
        as_of=date(2026, 12, 31),
        rates=rates,
    )

    assert result.total == 39385
    assert {line.rate_percent for line in result.lines} == {Decimal(16)}


def test_excluding_the_payment_day_gives_one_day_less_at_1_130():
    result = penalty_compute(
        due_date=DUE,
        amount=500000,
        movements=[Movement(date(2026, 11, 15), 500000)],
        as_of=date(2026, 12, 31),
        rates=SIXTEEN,
        count_payment_day=False,
    )

    assert [line.days for line in result.lines] == [60, 37]
    # 160.00 + 37 × 5000 × 0.16 / 130 = 160.00 + 227.69
    assert result.total == 16000 + 22769


def test_unpaid_debt_uses_the_rate_of_the_calculation_date():
    rates = RateTable.of([(date(2025, 12, 22), "21"), (date(2026, 11, 1), "16")])

    result = penalty_compute(due_date=DUE, amount=500000, as_of=date(2026, 11, 15), rates=rates)

    assert result.total == 39385
    assert result.parts[0].paid_on is None and result.parts[0].rate_percent == Decimal(16)


def test_capital_repair_accrues_1_300_from_the_first_day():
    result = penalty_compute(
        due_date=DUE,
        amount=500000,
        movements=[Movement(date(2026, 11, 15), 500000)],
        as_of=date(2026, 12, 31),
        rule=RU_CAPITAL_REPAIR,
        rates=SIXTEEN,
    )

    # 11.07 … 15.11: 128 days × 5000 × 0.16 / 300 = 341.33
    assert _lines(result) == [
        (date(2026, 7, 11), date(2026, 11, 15), 128, 500000, Decimal(16), "1/300")
    ]
    assert result.total == 34133


def test_moratorium_424_stops_accrual_but_not_the_count_of_days():
    # 1 000.00 due 10.02.2020, paid 10.02.2021 at 4.25 %.
    rates = RateTable.of([(date(2020, 7, 27), "4.25")])

    result = penalty_compute(
        due_date=date(2020, 2, 10),
        amount=100000,
        movements=[Movement(date(2021, 2, 10), 100000)],
        as_of=date(2021, 3, 1),
        rates=rates,
        policies=[M424],
    )

    assert _lines(result) == [
        # 2020 is a leap year: day 31 = 12.03.2020 … 05.04.2020, 25 days at 1/300
        (date(2020, 3, 12), date(2020, 4, 5), 25, 100000, Decimal("4.25"), "1/300"),
        # days 56–90 fall in the moratorium, and so does day 91 (11.05.2020) onwards
        (date(2020, 4, 6), date(2020, 5, 10), 35, 100000, Decimal("4.25"), "1/300"),
        (date(2020, 5, 11), date(2021, 1, 1), 236, 100000, Decimal("4.25"), "1/130"),
        # after it the count goes on: day 328 onwards, still 1/130
        (date(2021, 1, 2), date(2021, 2, 10), 40, 100000, Decimal("4.25"), "1/130"),
    ]
    assert [line.note for line in result.lines] == [
        "",
        "Постановление № 424",
        "Постановление № 424",
        "",
    ]
    exact = Decimal(100000) * Decimal("4.25") / 100 * (Decimal(25) / 300 + Decimal(40) / 130)
    assert result.total == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)) == 1662


def test_moratorium_497_covers_only_debts_due_before_it():
    rates = RateTable.of([(date(2022, 2, 28), "20")])
    common = {
        "amount": 100000,
        "as_of": date(2022, 6, 30),
        "rates": rates,
        "policies": [M497],
        "rule": RU_CAPITAL_REPAIR,
    }

    older = penalty_compute(due_date=date(2022, 3, 10), **common)
    newer = penalty_compute(due_date=date(2022, 4, 10), **common)

    # the older debt accrues 11.03–31.03 only (21 days); the newer one every day from 11.04
    assert older.total == round(100000 * 0.20 * 21 / 300)
    assert newer.total == round(100000 * 0.20 * 81 / 300)


def test_fixed_rate_474_replaces_the_rate_of_a_payment_inside_its_dates():
    rates = RateTable.of([(date(2022, 2, 28), "20"), (date(2022, 9, 19), "7.5")])

    inside = penalty_compute(
        due_date=date(2022, 11, 10),
        amount=300000,
        movements=[Movement(date(2023, 1, 9), 300000)],  # day 60
        as_of=date(2023, 2, 1),
        rates=RateTable.of([(date(2022, 2, 28), "20")]),
        policies=[F474],
    )
    after = penalty_compute(
        due_date=date(2024, 11, 10),
        amount=300000,
        movements=[Movement(date(2025, 1, 9), 300000)],
        as_of=date(2025, 2, 1),
        rates=rates,
        policies=[F474],
    )

    # 30 days (day 31–60) × 3000 × 9.5 % / 300 = 28.50 despite a key rate of 20 %
    assert inside.total == 2850
    assert {line.rate_percent for line in inside.lines} == {Decimal("9.5")}
    # paid on 09.01.2025, after 474: the key rate of that day
    assert {line.rate_percent for line in after.lines} == {Decimal("7.5")}


def test_statutory_interest_takes_each_days_rate():
    # 1 000.00 due 20.06.2025, unpaid at 10.07.2025; base 2.27 % until 30.06, 1.27 % after, +5.
    rates = RateTable.of([(date(2025, 1, 1), "7.27"), (date(2025, 7, 1), "6.27")])

    result = penalty_compute(
        due_date=date(2025, 6, 20), amount=100000, as_of=date(2025, 7, 10), rule=SEPA, rates=rates
    )

    assert _lines(result) == [
        (date(2025, 6, 21), date(2025, 6, 30), 10, 100000, Decimal("7.27"), "1/365"),
        (date(2025, 7, 1), date(2025, 7, 10), 10, 100000, Decimal("6.27"), "1/365"),
    ]
    # 1 000.00 × (7.27 % × 10 + 6.27 % × 10) / 365 = 3.7096 → 3.71
    assert result.total == 371


def test_two_parts_paid_on_different_days_at_different_rates():
    rates = RateTable.of([(date(2025, 12, 22), "21"), (date(2026, 9, 1), "16")])

    result = penalty_compute(
        due_date=DUE,
        amount=500000,
        movements=[Movement(date(2026, 8, 20), 200000), Movement(date(2026, 11, 15), 300000)],
        as_of=date(2026, 12, 31),
        rates=rates,
    )

    assert _lines(result) == [
        (date(2026, 8, 10), date(2026, 8, 20), 11, 200000, Decimal(21), "1/300"),
        (date(2026, 8, 10), date(2026, 10, 8), 60, 300000, Decimal(16), "1/300"),
        (date(2026, 10, 9), date(2026, 11, 15), 38, 300000, Decimal(16), "1/130"),
    ]
    exact = Decimal(200000) * Decimal("0.21") * 11 / 300 + Decimal(300000) * Decimal("0.16") * (
        Decimal(60) / 300 + Decimal(38) / 130
    )
    assert abs(result.exact - exact) < TINY
    assert result.total == 1540 + 9600 + 14031


def test_same_rate_parts_add_up_into_one_base():
    result = penalty_compute(
        due_date=DUE,
        amount=500000,
        movements=[Movement(date(2026, 9, 1), 200000)],
        as_of=date(2026, 9, 30),
        rates=SIXTEEN,
    )

    assert _lines(result) == [
        (date(2026, 8, 10), date(2026, 9, 1), 23, 500000, Decimal(16), "1/300"),
        (date(2026, 9, 2), date(2026, 9, 30), 29, 300000, Decimal(16), "1/300"),
    ]


def test_a_reversal_cancels_the_latest_payments_first():
    movements = [
        Movement(date(2026, 7, 1), 100000),
        Movement(date(2026, 8, 1), 150000),
        Movement(date(2026, 9, 1), -200000),
    ]

    assert parts_of(500000, movements, date(2026, 12, 31)) == [(50000, date(2026, 7, 1))]


def test_a_missing_rate_is_reported():
    with pytest.raises(RateMissing):
        penalty_compute(due_date=DUE, amount=100, as_of=date(2026, 12, 31), rates=RateTable.of([]))


# --- properties -----------------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=10**9)
due_dates = st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31))
delays = st.integers(min_value=0, max_value=800)
rules = st.sampled_from([RU_ORDINARY, RU_CAPITAL_REPAIR, SEPA])
VARYING = RateTable.of(
    [(date(2018, 1, 1), "7.75"), (date(2022, 2, 28), "20"), (date(2023, 12, 18), "16")]
)
POLICIES = [M424, F474, M497]
MORATORIA = [M424, M497]  # a fixed-rate period would change the rate
TINY = Decimal("1e-12")  # minor units: Decimal division is exact to far more than this


@st.composite
def debts(draw):
    due = draw(due_dates)
    amount = draw(amounts)
    count = draw(st.integers(min_value=0, max_value=4))
    movements = [
        Movement(
            due + timedelta(days=draw(st.integers(min_value=-20, max_value=600))),
            draw(st.integers(min_value=-amount, max_value=amount)),
        )
        for _ in range(count)
    ]
    return due, amount, movements


@settings(max_examples=200, deadline=None)
@given(debts(), delays, rules, st.booleans())
def test_never_negative_and_lines_sum_to_the_total(debt, delay, rule, count_day):
    due, amount, movements = debt
    result = penalty_compute(
        due_date=due,
        amount=amount,
        movements=movements,
        as_of=due + timedelta(days=delay),
        rule=rule,
        rates=VARYING,
        policies=POLICIES,
        count_payment_day=count_day,
    )

    assert result.total >= 0
    assert all(line.amount >= 0 and line.days > 0 for line in result.lines)
    assert abs(sum(line.amount for line in result.lines) - result.exact) < TINY
    assert result.total == int(result.exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(max_examples=200, deadline=None)
@given(debts(), delays, rules, st.booleans())
def test_lines_match_a_day_by_day_count(debt, delay, rule, count_day):
    """Every day of delay of every part, counted one by one, gives the lines' total."""
    due, amount, movements = debt
    as_of = due + timedelta(days=delay)
    result = penalty_compute(
        due_date=due,
        amount=amount,
        movements=movements,
        as_of=as_of,
        rule=rule,
        rates=VARYING,
        policies=POLICIES,
        count_payment_day=count_day,
    )

    expected = Decimal(0)
    for part in result.parts:
        last = (
            as_of if part.paid_on is None else part.paid_on - timedelta(days=0 if count_day else 1)
        )
        day = due + timedelta(days=1)
        while day <= last:
            divisor = rule.divisor((day - due).days)
            stopped = any(
                p.kind == "moratorium" and p.covers(day) and p.applies_to(due) for p in POLICIES
            )
            if divisor and not stopped:
                rate = part.rate_percent
                if rate is None:
                    fixed = [p for p in POLICIES if p.kind == "fixed_rate" and p.covers(day)]
                    rate = fixed[0].rate_percent if fixed else VARYING.on(day)
                expected += Decimal(part.amount) * rate / 100 / divisor
            day += timedelta(days=1)
    assert abs(result.exact - expected) < TINY


@settings(max_examples=200, deadline=None)
@given(amounts, due_dates, delays, st.integers(min_value=0, max_value=30))
def test_nothing_when_paid_within_30_days(amount, due, delay, paid_after):
    result = penalty_compute(
        due_date=due,
        amount=amount,
        movements=[Movement(due + timedelta(days=paid_after), amount)],
        as_of=due + timedelta(days=paid_after + delay),
        rates=VARYING,
    )

    assert result.total == 0 and result.lines == ()


@settings(max_examples=200, deadline=None)
@given(amounts, due_dates, delays, delays, rules)
def test_unpaid_debt_at_a_constant_rate_never_shrinks_with_time(amount, due, d1, d2, rule):
    early, late = sorted((d1, d2))
    compute = lambda delay: penalty_compute(  # noqa: E731
        due_date=due,
        amount=amount,
        as_of=due + timedelta(days=delay),
        rule=rule,
        rates=SIXTEEN_ALWAYS,
        policies=MORATORIA,
    )

    assert compute(early).exact <= compute(late).exact


SIXTEEN_ALWAYS = RateTable.of([(date(2000, 1, 1), "16")])


@settings(max_examples=200, deadline=None)
@given(amounts, due_dates, delays, delays, rules, st.booleans())
def test_paying_earlier_never_costs_more(amount, due, d1, d2, rule, count_day):
    early, late = sorted((d1, d2))
    as_of = due + timedelta(days=900)
    compute = lambda delay: penalty_compute(  # noqa: E731
        due_date=due,
        amount=amount,
        movements=[Movement(due + timedelta(days=delay), amount)],
        as_of=as_of,
        rule=rule,
        rates=SIXTEEN_ALWAYS,
        policies=MORATORIA,
        count_payment_day=count_day,
    )

    assert compute(early).total <= compute(late).total


@settings(max_examples=200, deadline=None)
@given(debts(), delays, rules, st.integers(min_value=2, max_value=50))
def test_linear_in_the_amount_up_to_rounding(debt, delay, rule, factor):
    due, amount, movements = debt
    scaled = [Movement(m.day, m.amount * factor) for m in movements]
    common = {"due_date": due, "as_of": due + timedelta(days=delay), "rule": rule}
    common |= {"rates": VARYING, "policies": POLICIES}

    one = penalty_compute(amount=amount, movements=movements, **common)
    many = penalty_compute(amount=amount * factor, movements=scaled, **common)

    assert abs(many.exact - one.exact * factor) < TINY
    assert abs(many.total - one.total * factor) <= (factor + 1) // 2
