"""Issue 19: a credit item (a negative open item: a recalculation in the payer's favour) is
netted against the same supplier's open debts of the account as soon as the charges post —
oldest period first, a recalculation clearing on both sides named `credit:<id>` — and what the
debts cannot take stays open for the next charges or payment. The ledger moves the receivable
between periods so that it stays the open items; `check_ledger` stays clean."""

import pytest

from splitting.core import allocation as engine
from splitting.core.payments import payment_post
from splitting.core.reversals import payment_reverse
from splitting.models import Entry, Transaction, TransactionKind
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import Clearing, ClearingKind, OpenItem

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

HEADER = "supplier_account,service_code,quantity,unit,tariff,amount,kind\n"


def _recalculation(world, period: str, amount: str, number: str = "VK-0001") -> None:
    outcome = world.import_(HEADER + f"{number},01,,,,{amount},recalculation\n", period=period)
    assert outcome.ok, outcome.message


def _items(world, supplier=None, number="VK-0001") -> dict[str, int]:
    """Open amount per period of the supplier's items of the account (zeros left out)."""
    totals: dict[str, int] = {}
    for item in OpenItem.objects.filter(
        account=world.accounts[number], supplier=supplier or world.supplier
    ):
        totals[item.period] = totals.get(item.period, 0) + item.open_amount
    return {period: amount for period, amount in sorted(totals.items()) if amount}


def _receivable(world, supplier=None, number="VK-0001") -> dict[str, int]:
    totals: dict[str, int] = {}
    for period, amount in Entry.objects.filter(
        ledger_account__code=f"receivable:{(supplier or world.supplier).pk}",
        account=world.accounts[number],
    ).values_list("period", "amount"):
        totals[period] = totals.get(period, 0) + amount
    return {period: amount for period, amount in sorted(totals.items()) if amount}


@pytest.fixture
def owing(world):
    """VK-0001 owes vodokanal 1000.00 for 2026-09 and 500.00 for 2026-10, teplo 80.00."""
    charges(world, "2026-09", water={"VK-0001": "1000.00"}, heat={"VK-0001": "80.00"})
    charges(world, "2026-10", water={"VK-0001": "500.00"})
    return world


def test_a_credit_is_netted_against_the_oldest_debt_when_it_posts(owing):
    world = owing

    _recalculation(world, "2026-11", "-300.00")

    assert _items(world) == {"2026-09": 70_000, "2026-10": 50_000}
    assert sum(_items(world).values()) == 120_000
    assert not OpenItem.objects.filter(open_amount__lt=0).exists()
    credit = OpenItem.objects.get(amount__lt=0)
    cleared = Clearing.objects.filter(source_id=f"credit:{credit.pk}")
    assert {(c.open_item.period, c.open_item.amount, c.kind, c.amount) for c in cleared} == {
        ("2026-11", -30_000, ClearingKind.RECALCULATION, 30_000),
        ("2026-09", 100_000, ClearingKind.RECALCULATION, 30_000),
    }
    assert _items(world, world.other) == {"2026-09": 8_000}
    assert _receivable(world) == {"2026-09": 70_000, "2026-10": 50_000}
    assert Transaction.objects.filter(kind=TransactionKind.NETTING).count() == 1
    assert_ledger_clean()


def test_a_credit_larger_than_the_debts_stays_open_for_the_next_charges(owing):
    world = owing

    _recalculation(world, "2026-11", "-2000.00")

    assert _items(world) == {"2026-11": -50_000}
    assert _items(world, world.other) == {"2026-09": 8_000}
    assert _receivable(world) == {"2026-11": -50_000}
    assert_ledger_clean()

    charges(world, "2026-12", water={"VK-0001": "400.00"})

    assert _items(world) == {"2026-11": -10_000}
    assert_ledger_clean()


def test_a_recalculation_of_a_paid_period_nets_against_the_next_period(owing):
    # 2026-09 is paid in full; its new version charges 300.00 less: a credit of 2026-09,
    # which the 500.00 of 2026-10 takes.
    world = owing
    pay(world, "VK-0001", 108_000)
    assert _items(world) == {"2026-10": 50_000}

    charges(world, "2026-09", water={"VK-0001": "700.00"})

    assert _items(world) == {"2026-10": 20_000}
    assert _receivable(world) == {"2026-10": 20_000}
    assert_ledger_clean()


def test_a_payment_nets_a_waiting_credit_against_debts_a_reversal_reopened(owing):
    world = owing
    payment = pay(world, "VK-0001", 108_000)  # 2026-09 of both suppliers
    _recalculation(world, "2026-11", "-2000.00")  # takes 2026-10, 1500.00 stays a credit
    assert _items(world) == {"2026-11": -150_000}

    payment_reverse(payment=payment, reason="returned by the bank")

    # The reopened 1000.00 of 2026-09 is netted at once; 500.00 of the credit stays.
    assert _items(world) == {"2026-11": -50_000}
    assert _items(world, world.other) == {"2026-09": 8_000}
    assert_ledger_clean()

    outcome = payment_post(
        tenant=world.tenant,
        account=world.accounts["VK-0001"],
        amount=8_000,
        channel="bank",
        external_id="after-netting",
    )
    assert outcome.payment.advance == 0
    assert _items(world, world.other) == {}
    assert_ledger_clean()


# --- the engine, on its own ---------------------------------------------------------------


def _debt(id, supplier_id, period, amount, penalty=False):
    return engine.Item(id, supplier_id, period, penalty, amount)


def test_net_credits_takes_the_oldest_period_first_and_charges_before_penalties():
    debts = [
        _debt(1, 7, "2026-10", 50_000),
        _debt(2, 7, "2026-09", 100_000),
        _debt(3, 7, "2026-08", 9_000, penalty=True),
        _debt(4, 8, "2026-08", 5_000),
    ]
    credits = [engine.Credit(9, 7, "2026-11", -130_000)]

    offsets = engine.net_credits(credits, debts)

    assert offsets == (
        engine.Offset(9, 2, 7, "2026-11", "2026-09", 100_000),
        engine.Offset(9, 1, 7, "2026-11", "2026-10", 30_000),
    )


def test_net_credits_leaves_what_the_debts_cannot_take_and_splits_a_period_pro_rata():
    debts = [_debt(1, 7, "2026-09", 200), _debt(2, 7, "2026-09", 100)]
    credits = [engine.Credit(5, 7, "2026-10", -100), engine.Credit(6, 7, "2026-11", -500)]

    offsets = engine.net_credits(credits, debts)

    assert offsets == (
        engine.Offset(5, 1, 7, "2026-10", "2026-09", 67),
        engine.Offset(5, 2, 7, "2026-10", "2026-09", 33),
        engine.Offset(6, 1, 7, "2026-11", "2026-09", 133),
        engine.Offset(6, 2, 7, "2026-11", "2026-09", 67),
    )
    assert sum(o.amount for o in offsets) == 300  # 400 of the second credit stays open


def test_net_credits_without_debts_of_the_supplier_nets_nothing():
    assert (
        engine.net_credits([engine.Credit(5, 7, "2026-10", -100)], [_debt(1, 8, "2026-09", 1)])
        == ()
    )
    assert engine.net_credits([], [_debt(1, 8, "2026-09", 1)]) == ()
    with pytest.raises(ValueError):
        engine.net_credits([engine.Credit(5, 7, "2026-10", 100)], [])
