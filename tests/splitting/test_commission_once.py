"""Issue 19: the operator's commission is one per payment and supplier. A payment's advance
applied later to new charges withholds only what the rule, applied once to everything of that
payment the supplier received, still asks for — the fixed fee and the minimum are not taken
again at each application."""

import pytest

from splitting.core import allocation as engine
from splitting.models import Allocation, Payment
from tests.splitting.helpers import assert_ledger_clean, charges, pay

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db


def _rule(supplier) -> engine.CommissionRule:
    return engine.CommissionRule(
        percent=supplier.commission_percent,
        fixed=supplier.commission_fixed,
        minimum=supplier.commission_min,
        maximum=supplier.commission_max,
    )


def _withheld(payment: Payment, supplier) -> tuple[int, int]:
    rows = Allocation.objects.filter(payment=payment, supplier=supplier)
    return (
        sum(rows.values_list("amount", flat=True)),
        sum(rows.values_list("commission", flat=True)),
    )


def test_the_fixed_fee_is_withheld_once_per_payment_not_at_each_advance_application(world):
    # teplo: 0.75 % + 5.00 per payment, at least 10.00, at most 500.00.
    charges(world, "2026-10", heat={"VK-0001": "1000.00"})
    payment = pay(world, "VK-0001", 1_000_000)
    assert payment.advance == 900_000

    charges(world, "2026-11", heat={"VK-0001": "2000.00"})
    charges(world, "2026-12", heat={"VK-0001": "3000.00"})

    payment.refresh_from_db()
    assert payment.advance_open == 400_000
    share, commission = _withheld(payment, world.other)
    assert share == 600_000
    # once: 0.75 % of 6000.00 = 45.00, plus 5.00 = 50.00 (not 12.50 + 20.00 + 27.50 = 60.00)
    assert commission == engine.commission(600_000, _rule(world.other)) == 5_000
    assert payment.commission == 5_000
    assert_ledger_clean()


def test_the_minimum_is_reached_once_per_payment(world):
    # 10.00 to teplo, its minimum of 10.00 takes it all; the advance applied to 10.00 more owes
    # nothing more: the rule on 20.00 is still the minimum, 10.00.
    charges(world, "2026-10", heat={"VK-0001": "10.00"})
    payment = pay(world, "VK-0001", 5_000)

    charges(world, "2026-11", heat={"VK-0001": "10.00"})

    payment.refresh_from_db()
    assert _withheld(payment, world.other) == (2_000, 1_000)
    assert payment.commission == 1_000
    assert_ledger_clean()


def test_a_percent_only_supplier_withholds_the_percent_of_the_whole_share(world):
    # vodokanal: 1.20 %. 100.00 + 0.50 + 0.50 booked apart: each rounded alone would be
    # 1.20 + 0.01 + 0.01; once, 1.20 % of 101.00 = 1.212 → 1.21.
    charges(world, "2026-10", water={"VK-0001": "100.00"})
    payment = pay(world, "VK-0001", 10_100)
    charges(world, "2026-11", water={"VK-0001": "0.50"})
    charges(world, "2026-12", water={"VK-0001": "0.50"})

    payment.refresh_from_db()
    assert _withheld(payment, world.supplier) == (10_100, 121)
    assert_ledger_clean()


RULES = [
    engine.CommissionRule(percent="0.75", fixed=500, minimum=1_000, maximum=50_000),
    engine.CommissionRule(percent="1.20"),
    engine.CommissionRule(fixed=700),
    engine.CommissionRule(percent="12.50", minimum=300, maximum=900),
    engine.CommissionRule(percent="99.99", fixed=3),
]


@pytest.mark.parametrize("rule", RULES)
def test_commission_booked_in_steps_adds_up_to_the_rule_applied_once(rule):
    for steps in ([1, 1, 1], [5, 9_999, 3], [100_000, 1, 250_000], [7] * 20, [1_000_001]):
        share = withheld = 0
        for step in steps:
            part = engine.commission_step(step, rule, before_share=share, withheld=withheld)
            assert 0 <= part <= step
            share, withheld = share + step, withheld + part
        assert withheld == engine.commission(share, rule)
