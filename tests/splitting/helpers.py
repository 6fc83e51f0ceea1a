"""Shared steps of the splitting tests, on the `world` of tests.warehouse.charges_fixtures:
vodokanal (1.20 % commission) and teplo (0.75 % + 5.00, at least 10.00, at most 500.00), six
accounts; vodokanal knows them as VK-0001…, teplo as T-0001…"""

import itertools

from splitting.core.ledger_check import ledger_check
from splitting.core.payments import payment_post
from splitting.models import Payment

_ids = itertools.count(1)


def charges(world, period: str, *, water=None, heat=None) -> None:
    """Posts each supplier's charges: `{account number (vodokanal's): "140.00"}`."""
    numbers = list(world.accounts)
    header = "supplier_account,service_code,quantity,unit,tariff,amount,kind\n"
    if water:
        rows = "".join(f"{n},01,,,,{amount},regular\n" for n, amount in water.items())
        outcome = world.import_(header + rows, period=period)
        assert outcome.ok, outcome.message
    if heat:
        rows = "".join(
            f"T-{numbers.index(n) + 1:04d},OT,,,,{amount},regular\n" for n, amount in heat.items()
        )
        outcome = world.import_(header + rows, period=period, supplier=world.other)
        assert outcome.ok, outcome.message


def pay(world, number: str, amount: int, *, external_id: str | None = None, **options) -> Payment:
    outcome = payment_post(
        tenant=world.tenant,
        account=world.accounts[number],
        amount=amount,
        channel=options.pop("channel", "bank"),
        external_id=external_id or f"test-{next(_ids)}",
        **options,
    )
    return outcome.payment


def assert_ledger_clean(tenant=None) -> None:
    violations = ledger_check(tenant)
    assert violations == [], "\n".join(map(str, violations))
