"""Penalties charged at month-end: the period's penalty run (`penalty_run` → `penalties_charge`
→ `penalties_post`), then its close (`tests.month_end.month_end_close`). Rates are the seeded
rows: 9.5 % through 2026 (Постановление № 329). The world's tenant: Europe/Moscow; from March
2026 charges fall due on the law's 15th of the next month (177-ФЗ), moved off non-working days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from debt_collection.models import CollectionSettings, PenaltyAccrual, SupplierPenaltySetting
from invoicing.models import DocumentLine, PaymentDocument
from tests.month_end import month_end_close
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import (
    BatchStatus,
    Charge,
    ChargeKind,
    Clearing,
    ImportBatch,
    OpenItem,
    OpenItemKind,
    SourceFormat,
)
from warehouse.services.penalties import penalties_post

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def _close(world, period):
    return month_end_close(tenant=world.tenant, period=period, allow_missing=True)


def _paid_on(payment, day: dt.date) -> None:
    """Given: the payment's clearings happened on `day` (the clock of the test is today)."""
    Clearing.objects.filter(source_id=f"payment:{payment.pk}").update(
        cleared_at=dt.datetime.combine(day, dt.time(12), tzinfo=MOSCOW)
    )


def _penalties(world, period) -> dict[tuple[str, str], int]:
    number_of = {a.pk: n for n, a in world.accounts.items()}
    code_of = {world.supplier.pk: "vodokanal", world.other.pk: "teplo"}
    return {
        (number_of[i.account_id], code_of[i.supplier_id]): i.amount
        for i in OpenItem.objects.filter(
            tenant=world.tenant, period=period, kind=OpenItemKind.PENALTY
        )
    }


@pytest.fixture
def overdue(world):
    """March 2026 charges (due 15.04.2026, a Wednesday); VK-0002 pays on 20.05.2026 (day 35)."""
    charges(
        world,
        "2026-03",
        water={"VK-0001": "1000.00", "VK-0002": "500.00"},
        heat={"VK-0001": "2000.00"},
    )
    _close(world, "2026-03")
    _paid_on(pay(world, "VK-0002", 50000), dt.date(2026, 5, 20))
    return world


def test_closing_a_period_charges_penalties_on_overdue_items(overdue):
    world = overdue
    assert _penalties(world, "2026-03") == {}  # nothing was due before 31.03

    _close(world, "2026-06")

    # through 30.06 = day 76: days 31–76 (16.05–30.06) at 1/300 of 9.5 %
    assert _penalties(world, "2026-06") == {
        ("VK-0001", "vodokanal"): 1457,  # 1000.00 × 0.095 × 46 / 300 = 14.5667
        ("VK-0001", "teplo"): 2913,  # 2000.00 × 0.095 × 46 / 300 = 29.1333
        ("VK-0002", "vodokanal"): 79,  # paid on day 35: days 31–35, 500 × 0.095 × 5 / 300
    }
    batches = ImportBatch.objects.filter(tenant=world.tenant, source_format=SourceFormat.PENALTY)
    assert {(b.supplier.code, b.period, b.status) for b in batches} == {
        ("vodokanal", "2026-06", BatchStatus.POSTED),
        ("teplo", "2026-06", BatchStatus.POSTED),
    }
    assert set(Charge.objects.filter(batch__in=batches).values_list("kind", "service__code")) == {
        (ChargeKind.PENALTY, "penalty")
    }
    assert all(i.due_date == dt.date(2026, 7, 15) for i in OpenItem.objects.filter(kind="penalty"))
    assert_ledger_clean()


def test_the_document_of_the_period_shows_the_penalty_block(overdue):
    world = overdue

    _close(world, "2026-06")

    document = PaymentDocument.objects.get(account=world.accounts["VK-0001"], period="2026-06")
    lines = DocumentLine.objects.filter(document=document, kind="penalty")
    assert sorted(lines.values_list("supplier__code", "amount")) == [
        ("teplo", 2913),
        ("vodokanal", 1457),
    ]
    shown = [
        (block["code"], line["amount"])
        for block in document.view["suppliers"]
        for line in block["lines"]
        if line["kind"] == "penalty"
    ]
    assert sorted(shown) == [("teplo", 2913), ("vodokanal", 1457)]
    assert document.amount_due == 100000 + 200000 + 1457 + 2913


def test_the_next_close_charges_only_the_increase(overdue):
    world = overdue
    _close(world, "2026-06")

    _close(world, "2026-07")

    # through 31.07 = day 107: 60 days at 1/300 (19.00) + 17 at 1/130 (12.4231) = 31.42
    assert _penalties(world, "2026-07") == {
        ("VK-0001", "vodokanal"): 3142 - 1457,
        ("VK-0001", "teplo"): 6285 - 2913,  # 38.00 + 24.8462 = 62.85
    }
    # VK-0002's final penalty was charged once, at the June close
    charged = PenaltyAccrual.objects.filter(base_item__account=world.accounts["VK-0002"])
    assert list(charged.values_list("period", "amount")) == [("2026-06", 79)]
    assert_ledger_clean()


def test_a_payment_after_the_period_end_counts_at_the_next_close(overdue):
    world = overdue
    payment = pay(world, "VK-0001", 300000)
    _paid_on(payment, dt.date(2026, 7, 5))  # day 81, after the June close's 30.06

    _close(world, "2026-06")
    _close(world, "2026-07")

    assert _penalties(world, "2026-06")[("VK-0001", "vodokanal")] == 1457
    # paid on day 81: 51 days at 1/300 = 16.15 in all, 1.58 more than in June
    assert _penalties(world, "2026-07") == {
        ("VK-0001", "vodokanal"): 1615 - 1457,
        ("VK-0001", "teplo"): 3230 - 2913,
    }
    _close(world, "2026-08")
    assert _penalties(world, "2026-08") == {}


def test_penalties_are_never_computed_on_penalties(overdue):
    world = overdue
    _close(world, "2026-06")

    _close(world, "2026-12")  # June's penalty items are five months overdue by now

    bases = OpenItem.objects.filter(
        pk__in=PenaltyAccrual.objects.values("base_item_id")
    ).values_list("kind", flat=True)
    assert set(bases) == {OpenItemKind.CHARGES}
    assert _penalties(world, "2026-12").keys() == {
        ("VK-0001", "vodokanal"),
        ("VK-0001", "teplo"),
    }


def test_a_supplier_reimport_leaves_the_penalty_rows_alone(overdue):
    world = overdue
    charges(world, "2026-07", water={"VK-0001": "10.00"})
    _close(world, "2026-06")
    penalty_items = set(OpenItem.objects.filter(kind="penalty").values_list("pk", "amount"))

    charges(world, "2026-07", water={"VK-0001": "12.00"})  # a second version of July

    assert set(OpenItem.objects.filter(kind="penalty").values_list("pk", "amount")) == (
        penalty_items
    )
    july = ImportBatch.objects.filter(supplier=world.supplier, period="2026-07")
    assert sorted(july.values_list("version", "status")) == [
        (1, BatchStatus.SUPERSEDED),
        (2, BatchStatus.POSTED),
    ]
    assert_ledger_clean()


def test_a_penalty_batch_is_never_taken_for_the_suppliers_import(world):
    charges(world, "2026-08", water={"VK-0001": "10.00"})
    with transaction.atomic():
        (penalty_batch,) = penalties_post(
            tenant=world.tenant,
            period="2026-08",
            rows=[(world.accounts["VK-0001"].pk, world.supplier.pk, 555)],
        )

    charges(world, "2026-08", water={"VK-0001": "11.00"})

    penalty_batch.refresh_from_db()
    assert penalty_batch.status == BatchStatus.POSTED and penalty_batch.version is None
    assert OpenItem.objects.filter(batch=penalty_batch, amount=555, kind="penalty").exists()
    own = ImportBatch.objects.filter(supplier=world.supplier, period="2026-08").exclude(
        pk=penalty_batch.pk
    )
    assert sorted(own.values_list("version", "status")) == [
        (1, BatchStatus.SUPERSEDED),
        (2, BatchStatus.POSTED),
    ]
    assert_ledger_clean()


def test_capital_repair_suppliers_accrue_from_the_first_day(world):
    SupplierPenaltySetting.objects.create(supplier=world.other, capital_repair=True)
    charges(world, "2026-05", water={"VK-0003": "300.00"}, heat={"VK-0003": "300.00"})

    _close(world, "2026-06")  # due 15.06.2026, through 30.06: day 15

    # water: still in its grace days; heat (capital repair): 15 days × 300.00 × 0.095 / 300
    assert _penalties(world, "2026-06") == {("VK-0003", "teplo"): 143}


def test_no_penalties_when_the_tenant_turned_them_off(overdue):
    world = overdue
    CollectionSettings.objects.create(tenant=world.tenant, penalties_enabled=False)

    _close(world, "2026-06")

    assert _penalties(world, "2026-06") == {}
    assert not PenaltyAccrual.objects.exists()


def test_not_counting_the_payment_day_is_the_tenants_choice(overdue):
    world = overdue
    CollectionSettings.objects.create(tenant=world.tenant, penalty_count_payment_day=False)

    _close(world, "2026-06")

    # VK-0002 paid on day 35: 4 days of delay at 1/300 instead of 5 (0.63 instead of 0.79)
    assert _penalties(world, "2026-06")[("VK-0002", "vodokanal")] == 63
