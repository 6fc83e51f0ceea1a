"""The `corrects_period` column of a charges file (import-formats, docs/mapping-profiles.md): a
recalculation names the earlier period it corrects; a bad value rejects the file whole."""

from splitting.core.ledger_check import ledger_check
from warehouse.models import (
    BatchStatus,
    Charge,
    ChargeKind,
    Clearing,
    ClearingKind,
    MappingProfile,
    OpenItem,
)
from warehouse.services.charge_rows import CORRECTS_PERIOD_MONTHS_BACK
from warehouse.services.periods import period_due_date

pytest_plugins = ["tests.warehouse.charges_fixtures"]

EARLIER = "2026-11"
PERIOD = "2026-12"


def _earlier_charges(world, amount="100.00"):
    outcome = world.import_(
        f"""
        supplier_account,service_code,amount
        VK-0001,01,{amount}
        VK-0002,01,{amount}
        """,
        period=EARLIER,
    )
    assert outcome.status == "posted", outcome.message
    return outcome


def test_a_line_naming_a_corrected_period_posts_as_its_recalculation(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount,corrects_period
        VK-0001,01,50.00,
        VK-0001,01,12.30,2026-09
        VK-0001,01,-4.00,2026-10
        """,
    )
    assert outcome.status == "posted", outcome.message
    rows = sorted(
        Charge.objects.filter(batch=outcome.batch).values_list(
            "kind", "corrects_period", "amount", "period"
        )
    )
    assert rows == [
        (ChargeKind.RECALCULATION, "2026-09", 1230, PERIOD),
        (ChargeKind.RECALCULATION, "2026-10", -400, PERIOD),
        (ChargeKind.REGULAR, None, 5000, PERIOD),
    ]
    # Nothing was open in the corrected periods: all of it nets into the file period's item,
    # due on the file period's due date.
    item = OpenItem.objects.get(batch=outcome.batch)
    assert (item.period, item.amount) == (PERIOD, 5000 + 1230 - 400)
    assert item.due_date == period_due_date(world.tenant, PERIOD)


def test_kind_recalculation_is_accepted_and_other_kinds_are_refused(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount,kind,corrects_period
        VK-0001,01,1.00,recalculation,2026-09
        VK-0002,01,1.00,regular,2026-09
        VK-0003,01,1.00,penalty,2026-09
        """,
    )
    assert outcome.status == "rejected"
    found = world.reasons(outcome.batch)
    assert set(found) == {(3, "kind"), (4, "kind")}
    assert "recalculation" in found[(3, "kind")]


def test_bad_corrected_periods_reject_the_file_with_every_line_reported(world):
    too_old = "2023-11"  # 37 months before 2026-12
    outcome = world.import_(
        f"""
        supplier_account,service_code,amount,corrects_period
        VK-0001,01,1.00,2026-13
        VK-0002,01,1.00,09.2026
        VK-0003,01,1.00,2026-12
        VK-0004,01,1.00,2027-01
        VK-0005,01,1.00,{too_old}
        ВК-0006,01,1.00,2023-12
        """,
    )
    assert outcome.status == "rejected"
    assert outcome.batch.status == BatchStatus.REJECTED
    found = world.reasons(outcome.batch)
    assert set(found) == {
        (2, "corrects_period"),
        (3, "corrects_period"),
        (4, "corrects_period"),
        (5, "corrects_period"),
        (6, "corrects_period"),
    }  # 2023-12 is exactly 36 months back: allowed
    assert "YYYY-MM" in found[(2, "corrects_period")]
    assert "before the file's period" in found[(4, "corrects_period")]
    assert f"more than {CORRECTS_PERIOD_MONTHS_BACK} months" in found[(6, "corrects_period")]
    assert not Charge.objects.exists()


def test_corrections_of_different_periods_are_not_duplicate_lines(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount,corrects_period
        VK-0001,01,1.00,2026-09
        VK-0001,01,2.00,2026-10
        VK-0001,01,3.00,2026-10
        """,
    )
    assert outcome.status == "rejected"
    assert set(world.reasons(outcome.batch)) == {(4, "supplier_account")}


def test_a_credit_correction_reduces_the_corrected_periods_open_debt_first(world):
    _earlier_charges(world)  # VK-0001 owes 100.00 for 2026-11
    outcome = world.import_(
        """
        supplier_account,service_code,amount,corrects_period
        VK-0001,01,-130.00,2026-11
        VK-0002,01,10.00,
        """,
    )
    assert outcome.status == "posted", outcome.message
    account = world.accounts["VK-0001"]
    earlier = OpenItem.objects.get(account=account, period=EARLIER)
    assert (earlier.amount, earlier.open_amount) == (10000, 0)
    clearing = Clearing.objects.get(open_item=earlier)
    assert (clearing.kind, clearing.amount, clearing.source_id) == (
        ClearingKind.RECALCULATION,
        10000,
        f"batch:{outcome.batch.pk}",
    )
    # The 30.00 left over is a credit item of the file's period.
    credit = OpenItem.objects.get(account=account, period=PERIOD)
    assert (credit.amount, credit.open_amount) == (-3000, -3000)
    assert ledger_check(world.tenant) == []


def test_a_new_version_reopens_what_the_replaced_versions_correction_took(world):
    _earlier_charges(world)
    first = world.import_(
        """
        supplier_account,service_code,amount,corrects_period
        VK-0001,01,-40.00,2026-11
        VK-0002,01,10.00,
        """,
    )
    assert first.status == "posted"
    account = world.accounts["VK-0001"]
    assert OpenItem.objects.get(account=account, period=EARLIER).open_amount == 6000

    second = world.import_(
        """
        supplier_account,service_code,amount,corrects_period
        VK-0001,01,-25.00,2026-11
        VK-0002,01,10.00,
        """,
    )
    assert second.status == "posted", second.message
    first.batch.refresh_from_db()
    assert first.batch.status == BatchStatus.SUPERSEDED
    assert OpenItem.objects.get(account=account, period=EARLIER).open_amount == 7500
    assert not OpenItem.objects.filter(account=account, period=PERIOD).exists()
    assert list(
        Charge.objects.filter(account=account, batch=second.batch).values_list(
            "corrects_period", "amount"
        )
    ) == [(EARLIER, -2500)]
    assert ledger_check(world.tenant) == []


def test_a_profiles_date_format_reads_the_corrected_period_too(world):
    profile = MappingProfile.objects.create(
        tenant=world.tenant,
        supplier=world.supplier,
        name="vk-dotted",
        columns={"corrects_period": "ЗаПериод"},
        date_format="%m.%Y",
    )
    outcome = world.import_(
        """
        supplier_account,service_code,amount,ЗаПериод
        VK-0001,01,5.00,09.2026
        VK-0002,01,5.00,13.2026
        """,
        profile=profile,
    )
    assert outcome.status == "rejected"
    assert set(world.reasons(outcome.batch)) == {(3, "corrects_period")}
    assert outcome.batch.report[0]["value"] == "13.2026"  # the file's own text

    fixed = world.import_(
        """
        supplier_account,service_code,amount,ЗаПериод
        VK-0001,01,5.00,09.2026
        """,
        profile=profile,
    )
    assert fixed.status == "posted", fixed.message
    assert Charge.objects.get(batch=fixed.batch).corrects_period == "2026-09"
