"""`penalties_recalculate`: a database whose penalties were charged under the rows as they stood
before № 329 was known (the key rate, 16 %, in 2026) is put right when the row is there: exactly
the differences are posted, a second run posts nothing, the next close charges only the increase
over what was put right, claims that demanded the old amount are flagged, the ledger stays
clean. Numbers worked out by hand, as in test_penalty_charging."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from debt_collection import models
from debt_collection.models import DocumentKind, PenaltyPolicyPeriod, PenaltyRecalculation
from debt_collection.penalty_seed import rates_seed
from debt_collection.services.legal_documents.generation import document_generate
from debt_collection.services.penalty_recalculation import penalties_recalculate
from tests.debt_collection.workspace_helpers import open_case
from tests.month_end import month_end_close
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import Charge, Clearing, OpenItem, OpenItemKind

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """Today is 05.07.2026: June is closed, July is the open period."""
    clock.move_to(dt.datetime(2026, 7, 5, 9, tzinfo=dt.UTC))
    return clock


def _close(world, period):
    return month_end_close(tenant=world.tenant, period=period, allow_missing=True)


def _penalty_items(world) -> dict[tuple[str, str, str], tuple[int, int]]:
    number_of = {a.pk: n for n, a in world.accounts.items()}
    code_of = {world.supplier.pk: "vodokanal", world.other.pk: "teplo"}
    return {
        (i.period, number_of[i.account_id], code_of[i.supplier_id]): (i.amount, i.open_amount)
        for i in OpenItem.objects.filter(tenant=world.tenant, kind=OpenItemKind.PENALTY)
    }


@pytest.fixture
def charged_at_the_key_rate(world):
    """March 2026 charges (due 15.04.2026), closed through June without № 329: 16 %."""
    PenaltyPolicyPeriod.objects.filter(name="Постановление № 329").delete()
    charges(
        world,
        "2026-03",
        water={"VK-0001": "1000.00", "VK-0002": "500.00"},
        heat={"VK-0001": "2000.00"},
    )
    _close(world, "2026-03")
    payment = pay(world, "VK-0002", 50000)
    Clearing.objects.filter(source_id=f"payment:{payment.pk}").update(
        cleared_at=dt.datetime(2026, 5, 20, 12, tzinfo=MOSCOW)
    )
    _close(world, "2026-06")
    # days 31–76 at 1/300 of 16 %: 1000.00 → 24.53, 2000.00 → 49.07; VK-0002 5 days → 1.33
    assert _penalty_items(world) == {
        ("2026-06", "VK-0001", "vodokanal"): (2453, 2453),
        ("2026-06", "VK-0001", "teplo"): (4907, 4907),
        ("2026-06", "VK-0002", "vodokanal"): (133, 133),
    }
    rates_seed(lambda name: getattr(models, name))  # № 329 is known now
    return world


def test_the_differences_are_posted_and_a_second_run_posts_nothing(charged_at_the_key_rate):
    world = charged_at_the_key_rate

    result = penalties_recalculate(tenant=world.tenant)

    # at 9.5 %: 14.57, 29.13, 0.79 — so −9.96, −19.94, −0.54
    assert (result.period, result.items, result.increase, result.decrease) == (
        "2026-07",
        3,
        0,
        996 + 1994 + 54,
    )
    rows = PenaltyRecalculation.objects.order_by("base_item_id")
    assert sorted((r.charged_before, r.recomputed, r.difference) for r in rows) == [
        (133, 79, -54),
        (2453, 1457, -996),
        (4907, 2913, -1994),
    ]
    assert {tuple(r.rules) for r in rows} == {
        ("Постановление Правительства РФ от 18.03.2025 № 329",)
    }
    # The decreases reduce the June penalties still open; nothing becomes a credit.
    assert _penalty_items(world) == {
        ("2026-06", "VK-0001", "vodokanal"): (2453, 1457),
        ("2026-06", "VK-0001", "teplo"): (4907, 2913),
        ("2026-06", "VK-0002", "vodokanal"): (133, 79),
    }
    assert sorted(
        Charge.objects.filter(period="2026-07", kind="penalty").values_list("amount", flat=True)
    ) == [-1994, -996, -54]
    assert_ledger_clean()

    again = penalties_recalculate(tenant=world.tenant)

    assert again.items == 0 and PenaltyRecalculation.objects.count() == 3
    assert Charge.objects.filter(period="2026-07", kind="penalty").count() == 3
    assert_ledger_clean()


def test_the_next_close_charges_only_the_increase_over_what_was_put_right(
    charged_at_the_key_rate, clock
):
    world = charged_at_the_key_rate
    penalties_recalculate(tenant=world.tenant)
    clock.move_to(dt.datetime(2026, 8, 3, 9, tzinfo=dt.UTC))

    _close(world, "2026-07")

    # through 31.07 at 9.5 %: 31.42 and 62.85 in all (test_penalty_charging)
    july = {
        key[1:]: amount
        for key, (amount, _) in _penalty_items(world).items()
        if key[0] == "2026-07" and amount > 0
    }
    assert july == {("VK-0001", "vodokanal"): 3142 - 1457, ("VK-0001", "teplo"): 6285 - 2913}
    assert_ledger_clean()


def test_a_decrease_beyond_what_is_open_becomes_a_credit(charged_at_the_key_rate):
    world = charged_at_the_key_rate
    pay(world, "VK-0002", 133)  # the June penalty of VK-0002 is paid in full

    penalties_recalculate(tenant=world.tenant)

    items = _penalty_items(world)
    assert items[("2026-06", "VK-0002", "vodokanal")] == (133, 0)
    assert items[("2026-07", "VK-0002", "vodokanal")] == (-54, -54)  # a credit of 0.54
    assert_ledger_clean()


def test_a_claim_demanding_the_old_penalty_is_flagged_for_reissue(charged_at_the_key_rate):
    world = charged_at_the_key_rate
    PenaltyPolicyPeriod.objects.filter(name="Постановление № 329").delete()
    case = open_case(world, "VK-0001")
    claim = document_generate(
        case=case, kind=DocumentKind.PRE_TRIAL, document_date=dt.date(2026, 7, 5)
    )
    assert claim.penalty_total > 0 and claim.reissue_reason == ""
    rates_seed(lambda name: getattr(models, name))

    result = penalties_recalculate(tenant=world.tenant)

    claim.refresh_from_db()
    assert result.reissue == 1
    assert "penalties recalculated" in claim.reissue_reason


def test_the_command_since_a_date_and_its_summary(charged_at_the_key_rate, capsys):
    world = charged_at_the_key_rate

    call_command("penalties_recalculate", "--tenant", world.tenant.code, "--since", "2026-07-01")
    assert "0 item(s)" in capsys.readouterr().out  # nothing charged through July yet

    call_command("penalties_recalculate", "--tenant", world.tenant.code, "--since", "2026-06-30")
    assert "3 item(s) put right into 2026-07" in capsys.readouterr().out
