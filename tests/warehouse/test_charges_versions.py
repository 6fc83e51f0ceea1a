"""Versions of one supplier's charges for one period (import-formats.md, end of "Charges"): the
identical file changes nothing, a different one replaces the posted version atomically — or,
once payments have cleared some of it, posts only the difference as recalculations — and a
closed period refuses new versions."""

import pytest
from django.db import transaction
from django.db.models import Sum

from warehouse.models import (
    AccountLink,
    BatchStatus,
    Charge,
    ChargeKind,
    Clearing,
    ClearingKind,
    ImportBatch,
    OpenItem,
    UnmatchedLine,
)
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import batch_rerun
from warehouse.services.open_items import ClearingRequest, open_items_clear
from warehouse.services.periods import period_lock

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

V1 = """
supplier_account,service_code,quantity,unit,tariff,amount
VK-0001,01,2,m3,50,100.00
VK-0002,01,2,m3,50,100.00
VK-0003,01,,,,100.00
VK-0004,01,,,,100.00
VK-0005,01,,,,60.00
VK-0005,02,,,,40.00
"""


def _rows(batch) -> tuple[int, int]:
    return Charge.objects.filter(batch=batch).count(), OpenItem.objects.filter(batch=batch).count()


def _item(world, number: str, batch) -> OpenItem:
    return OpenItem.objects.get(account=world.account(number), batch=batch)


def _recalculated(item: OpenItem) -> list[int]:
    return list(
        item.clearings.filter(kind=ClearingKind.RECALCULATION).values_list("amount", flat=True)
    )


def _pay(world, number: str, amount: int, *, payment: str) -> None:
    """A payment clears part of the account's open item, as splitting does."""
    account = world.account(number)
    item = OpenItem.objects.get(account=account, supplier=world.supplier)
    with transaction.atomic():
        open_items_clear(
            account=account,
            requests=[ClearingRequest(open_item_id=item.pk, amount=amount)],
            kind=ClearingKind.PAYMENT,
            source_id=payment,
        )


def test_reimporting_the_identical_file_changes_nothing_and_says_so(world):
    first = world.import_(V1)
    assert first.status == "posted", first.batch.report
    charges, items = Charge.objects.count(), OpenItem.objects.count()

    again = world.import_(V1)

    assert again.status == "already_posted" and again.ok
    assert again.batch == first.batch
    assert "nothing changed" in again.message
    assert ImportBatch.objects.count() == 1
    assert (Charge.objects.count(), OpenItem.objects.count()) == (charges, items)

    status, stdout, _ = world.run(world.write("again.csv", V1))

    assert status == 0
    assert stdout.startswith("ALREADY POSTED: vodokanal 2026-12")
    assert "nothing changed" in stdout
    assert ImportBatch.objects.count() == 1
    assert (Charge.objects.count(), OpenItem.objects.count()) == (charges, items)


def test_a_different_file_replaces_the_posted_version(world):
    first = world.import_(V1).batch
    old_ids = set(Charge.objects.values_list("pk", flat=True))

    status, stdout, _ = world.run(
        world.write(
            "v2.csv",
            """
            supplier_account,service_code,amount
            VK-0001,01,120.00
            VK-0002,02,30.00
            ВК-0006,01,5.00
            """,
        )
    )

    assert status == 0 and stdout.startswith("POSTED: vodokanal 2026-12")
    first.refresh_from_db()
    second = ImportBatch.objects.get(status=BatchStatus.POSTED)
    assert (first.status, first.superseded_by, first.version) == (
        BatchStatus.SUPERSEDED,
        second,
        1,
    )
    assert second.version == 2
    assert _rows(first) == (0, 0)
    assert _rows(second) == (3, 3)
    assert not old_ids & set(Charge.objects.values_list("pk", flat=True))
    assert world.charge_totals() == {"VK-0001": 12000, "VK-0002": 3000, "ВК-0006": 500}
    assert world.open_totals() == {"VK-0001": 12000, "VK-0002": 3000, "ВК-0006": 500}
    assert set(OpenItem.objects.values_list("batch_id", flat=True)) == {second.pk}


def test_an_export_with_no_lines_is_refused_and_the_posted_version_stays(world):
    first = world.import_(V1).batch

    outcome = world.import_("supplier_account,service_code,amount\n")

    assert outcome.status == "rejected"
    assert "no charge lines" in outcome.batch.report[0]["reason"]
    first.refresh_from_db()
    assert first.status == BatchStatus.POSTED
    assert _rows(first) == (6, 5)


def test_a_new_version_after_payments_posts_only_the_difference(world):
    v1 = world.import_(V1).batch
    _pay(world, "VK-0001", 4000, payment="pay-1")
    _pay(world, "VK-0002", 8000, payment="pay-2")
    _pay(world, "VK-0003", 3000, payment="pay-3")
    v1_charges = set(Charge.objects.values_list("pk", "amount"))

    outcome = world.import_(
        """
        supplier_account,service_code,amount
        VK-0001,01,150.00
        VK-0002,01,50.00
        VK-0003,01,90.00
        VK-0004,01,100.00
        VK-0005,01,60.00
        ВК-0006,01,20.00
        """
    )

    assert outcome.status == "posted", outcome.batch.report
    v2 = outcome.batch
    v1.refresh_from_db()
    assert (v1.status, v1.superseded_by, v2.version) == (BatchStatus.SUPERSEDED, v2, 2)
    assert "recalculation" in v2.message
    # the old rows stay: they carry the payments' clearings
    assert v1_charges <= set(Charge.objects.values_list("pk", "amount"))
    assert _rows(v1) == (6, 5)
    # the period's charges now add up to the new file, account by account
    assert world.charge_totals() == {
        "VK-0001": 15000,
        "VK-0002": 5000,
        "VK-0003": 9000,
        "VK-0004": 10000,
        "VK-0005": 6000,
        "ВК-0006": 2000,
    }
    new_charges = Charge.objects.filter(batch=v2)
    assert set(new_charges.values_list("kind", flat=True)) == {ChargeKind.RECALCULATION}
    assert sorted(
        (c.account.account_number, c.service.code, c.amount)
        for c in new_charges.select_related("account", "service")
    ) == [
        ("00000001", "CW", 5000),
        ("00000002", "CW", -5000),
        ("00000003", "CW", -1000),
        ("00000005", "HW", -4000),
        ("00000006", "CW", 2000),
    ]
    # the payments stand
    paid = {
        c.open_item.account_id: c.amount
        for c in Clearing.objects.filter(kind=ClearingKind.PAYMENT).select_related("open_item")
    }
    assert paid == {
        world.account("VK-0001").pk: 4000,
        world.account("VK-0002").pk: 8000,
        world.account("VK-0003").pk: 3000,
    }
    # up: a new item for the difference, the paid item untouched
    assert (_item(world, "VK-0001", v1).open_amount, _item(world, "VK-0001", v2).amount) == (
        6000,
        5000,
    )
    # down, within what is still open: the old item's open amount goes down, no credit
    old = _item(world, "VK-0003", v1)
    assert (old.amount, old.open_amount) == (10000, 6000)
    assert not OpenItem.objects.filter(account=world.account("VK-0003"), batch=v2).exists()
    assert _recalculated(old) == [1000]
    # down, below what was paid: the open rest is cleared, the overpayment becomes a credit
    old = _item(world, "VK-0002", v1)
    credit = _item(world, "VK-0002", v2)
    assert (old.amount, old.open_amount) == (10000, 0)
    assert _recalculated(old) == [2000]
    assert (credit.amount, credit.open_amount) == (-3000, -3000)
    assert OpenItem.objects.filter(amount__lt=0).count() == 1
    # a service dropped from an unpaid account: its item goes down by a recalculation
    assert _item(world, "VK-0005", v1).open_amount == 6000
    # what is open is, for every account, what is charged less what was paid
    assert world.open_totals() == {
        "VK-0001": 15000 - 4000,
        "VK-0002": 5000 - 8000,
        "VK-0003": 9000 - 3000,
        "VK-0004": 10000,
        "VK-0005": 6000,
        "ВК-0006": 2000,
    }

    v3 = world.import_(
        """
        supplier_account,service_code,amount
        VK-0001,01,120.00
        VK-0002,01,100.00
        VK-0003,01,90.00
        VK-0004,01,100.00
        VK-0005,01,60.00
        """
    )

    assert v3.status == "posted" and v3.batch.version == 3, v3.batch.report
    v2.refresh_from_db()
    assert (v2.status, v2.superseded_by) == (BatchStatus.SUPERSEDED, v3.batch)
    assert world.charge_totals() == {
        "VK-0001": 12000,
        "VK-0002": 10000,
        "VK-0003": 9000,
        "VK-0004": 10000,
        "VK-0005": 6000,
    }
    assert world.open_totals() == {
        "VK-0001": 12000 - 4000,
        "VK-0002": 10000 - 8000,
        "VK-0003": 9000 - 3000,
        "VK-0004": 10000,
        "VK-0005": 6000,
    }
    assert Clearing.objects.filter(kind=ClearingKind.PAYMENT).count() == 3


def test_a_closed_period_refuses_a_new_version(world):
    v1 = world.import_(V1).batch
    charges = sorted(Charge.objects.values_list("pk", "amount"))
    items = sorted(OpenItem.objects.values_list("pk", "amount", "open_amount"))
    assert period_lock(tenant=world.tenant, period="2026-12") is True

    outcome = world.import_(V1.replace("100.00", "101.00"))

    assert outcome.status == "rejected"
    assert world.report(outcome.batch) == [(None, "period", "2026-12")]
    assert outcome.batch.report[0]["reason"].startswith("the period is closed")
    v1.refresh_from_db()
    assert (v1.status, v1.version, v1.superseded_by) == (BatchStatus.POSTED, 1, None)
    assert sorted(Charge.objects.values_list("pk", "amount")) == charges
    assert sorted(OpenItem.objects.values_list("pk", "amount", "open_amount")) == items

    status, _, stderr = world.run(world.write("v2.csv", V1.replace("100.00", "99.00")))

    assert status == 1
    assert "the period is closed" in stderr
    assert ImportBatch.objects.filter(status=BatchStatus.POSTED).get() == v1
    assert sorted(Charge.objects.values_list("pk", "amount")) == charges

    status, stdout, _ = world.run(world.write("same.csv", V1))

    assert status == 0 and stdout.startswith("ALREADY POSTED")


def test_rerunning_a_rejected_batch_after_linking_the_unknown_account_posts_it(world):
    content = """
    supplier_account,service_code,amount
    VK-0001,01,10.00
    VK-9999,01,25.00
    VK-9999,02,5.00
    """
    rejected = world.import_(content).batch
    assert rejected.status == BatchStatus.REJECTED
    queued = UnmatchedLine.objects.get(batch=rejected)
    accounts_import(
        tenant=world.tenant,
        data="account_number,address,premises,payer_name,links\n"
        "00000099,ул. Новая д. 1,1,Новый Плательщик,vodokanal:VK-9999\n".encode(),
        filename="new-account.csv",
    )
    assert AccountLink.objects.filter(supplier=world.supplier, external_number="VK-9999").exists()

    outcome = batch_rerun(batch=rejected)

    assert outcome.status == "posted", outcome.batch.report
    assert outcome.batch != rejected and outcome.batch.sha256 == rejected.sha256
    assert outcome.batch.version == 1
    rejected.refresh_from_db()
    assert rejected.status == BatchStatus.REJECTED
    totals = dict(
        Charge.objects.values("account__account_number")
        .annotate(total=Sum("amount"))
        .values_list("account__account_number", "total")
    )
    assert totals == {"00000001": 1000, "00000099": 3000}
    queued.refresh_from_db()
    assert queued.resolved_at is not None
