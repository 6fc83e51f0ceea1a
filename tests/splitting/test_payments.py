"""Taking payments through `payment_post`: how they split, what the commission is, advances,
replays, explicit splits, payments for a document, reversals — each ending with the ledger
check."""

import pytest
from django.db import transaction

from invoicing.models import PaymentDocument
from splitting.core.payments import PaymentConflict, PaymentRefused
from splitting.core.reversals import payment_reverse
from splitting.models import (
    Allocation,
    AllocationKind,
    Entry,
    Payment,
    PaymentStatus,
    Transaction,
)
from splitting.selectors import account_position, payment_allocations, supplier_balance
from tests.month_end import month_end_close
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import Clearing, OpenItem

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db


def _open(world, number, supplier=None, period=None) -> int:
    items = OpenItem.objects.filter(account=world.accounts[number])
    if supplier is not None:
        items = items.filter(supplier=supplier)
    if period is not None:
        items = items.filter(period=period)
    return sum(items.values_list("open_amount", flat=True))


def _lines(payment):
    return [(line.supplier, line.period, line.amount) for line in payment_allocations(payment)]


@pytest.fixture
def two_months(world):
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    charges(world, "2026-12", water={"VK-0001": "140.00"})
    return world


def test_charges_post_to_the_ledger_as_receivables(two_months):
    world = two_months
    receivable = Entry.objects.filter(
        ledger_account__code=f"receivable:{world.supplier.pk}", account=world.accounts["VK-0001"]
    )
    assert sum(receivable.values_list("amount", flat=True)) == 28_000
    assert_ledger_clean()


def test_a_payment_goes_to_the_oldest_period_first_pro_rata_across_suppliers(two_months):
    world = two_months

    payment = pay(world, "VK-0001", 15_000)

    assert _lines(payment) == [("teplo", "2026-11", 4_500), ("vodokanal", "2026-11", 10_500)]
    assert _open(world, "VK-0001", period="2026-11") == 5_000
    assert _open(world, "VK-0001", period="2026-12") == 14_000
    assert payment.advance == 0
    assert_ledger_clean()


def test_commission_is_withheld_per_supplier_contract(two_months):
    world = two_months

    payment = pay(world, "VK-0001", 15_000)

    # vodokanal: 1.20 % of 105.00 = 1.26; teplo: 0.75 % of 45.00 = 0.34 + 5.00 = 5.34 → min 10.00
    assert payment.commission == 126 + 1_000
    assert supplier_balance(world.supplier).payable == 10_500 - 126
    assert supplier_balance(world.other).payable == 4_500 - 1_000
    assert supplier_balance(world.other).commission == 1_000
    assert_ledger_clean()


def test_what_is_left_becomes_an_advance_that_new_charges_use(world):
    charges(world, "2026-11", water={"VK-0001": "100.00"})

    payment = pay(world, "VK-0001", 25_000)

    assert payment.advance == 15_000
    assert account_position(world.accounts["VK-0001"]).advance == 15_000
    assert_ledger_clean()

    charges(world, "2026-12", water={"VK-0001": "120.00"}, heat={"VK-0001": "50.00"})

    payment.refresh_from_db()
    assert payment.advance_open == 0
    assert _open(world, "VK-0001", period="2026-12") == 2_000
    applied = Allocation.objects.filter(payment=payment, kind=AllocationKind.ADVANCE)
    assert sum(applied.values_list("amount", flat=True)) == 15_000
    assert Clearing.objects.filter(kind="advance", source_id=f"payment:{payment.pk}").count() == 2
    assert_ledger_clean()


def test_a_replayed_payment_posts_once(two_months):
    world = two_months
    first = pay(world, "VK-0001", 5_000, external_id="bank-77")

    again = pay(world, "VK-0001", 5_000, external_id="bank-77")

    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert Transaction.objects.filter(payment=first).count() == 1
    assert _open(world, "VK-0001") == 28_000 + 6_000 - 5_000
    assert_ledger_clean()


def test_the_same_external_id_with_another_amount_is_a_conflict(two_months):
    world = two_months
    pay(world, "VK-0001", 5_000, external_id="bank-77")

    with pytest.raises(PaymentConflict):
        pay(world, "VK-0001", 6_000, external_id="bank-77")

    assert Payment.objects.count() == 1


def test_an_explicit_split_pays_exactly_the_chosen_suppliers(two_months):
    world = two_months

    payment = pay(world, "VK-0001", 20_000, split={"vodokanal": 20_000})

    assert _lines(payment) == [("vodokanal", "2026-11", 14_000), ("vodokanal", "2026-12", 6_000)]
    assert _open(world, "VK-0001", supplier=world.other) == 6_000
    assert_ledger_clean()


@pytest.mark.parametrize(
    ("split", "code"),
    [
        ({"teplo": 7_000}, "split_exceeds_open"),
        ({"teplo": 3_000}, "split_not_total"),
        ({"gazprom": 7_000}, "unknown_supplier"),
    ],
)
def test_a_split_that_does_not_fit_is_refused_and_changes_nothing(two_months, split, code):
    world = two_months

    with pytest.raises(PaymentRefused) as refused:
        pay(world, "VK-0001", 7_000, split=split)

    assert refused.value.code == code
    assert Payment.objects.count() == 0
    assert Allocation.objects.count() == 0
    assert _open(world, "VK-0001") == 34_000


def test_a_payment_for_a_document_pays_its_items_pro_rata(two_months):
    world = two_months
    month_end_close(tenant=world.tenant, period="2026-11", allow_missing=True)
    month_end_close(tenant=world.tenant, period="2026-12", allow_missing=True)
    document = PaymentDocument.objects.get(account=world.accounts["VK-0001"], period="2026-12")

    payment = pay(world, "VK-0001", 17_000, document_reference=document.reference)

    # the document covers 2026-11 (opening debt) and 2026-12, all at once: 140 + 60 + 140
    assert _lines(payment) == [
        ("teplo", "2026-11", 3_000),
        ("vodokanal", "2026-11", 7_000),
        ("vodokanal", "2026-12", 7_000),
    ]
    assert payment.document_id == document.pk
    assert_ledger_clean()


def test_a_reference_of_another_accounts_document_is_refused(two_months):
    world = two_months
    charges(world, "2026-11", water={"VK-0001": "140.00", "VK-0002": "10.00"})
    month_end_close(tenant=world.tenant, period="2026-11", allow_missing=True)
    other = PaymentDocument.objects.get(account=world.accounts["VK-0002"])

    with pytest.raises(PaymentRefused) as refused:
        pay(world, "VK-0001", 1_000, document_reference=other.reference)

    assert refused.value.code == "document_of_another_account"
    assert Payment.objects.count() == 0


def test_a_reversal_restores_every_suppliers_share_and_the_open_items(two_months):
    world = two_months
    before = {s.code: supplier_balance(s).payable for s in (world.supplier, world.other)}
    payment = pay(world, "VK-0001", 30_000)
    assert _open(world, "VK-0001") == 4_000

    payment_reverse(payment=payment, reason="returned by the bank")

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVERSED
    assert _open(world, "VK-0001") == 34_000
    assert {s.code: supplier_balance(s).payable for s in (world.supplier, world.other)} == before
    reversal = Allocation.objects.filter(payment=payment, kind=AllocationKind.REVERSAL)
    assert sum(reversal.values_list("amount", flat=True)) == -30_000
    assert_ledger_clean()


def test_reversing_a_payment_whose_advance_was_used_reopens_those_charges_too(world):
    charges(world, "2026-11", water={"VK-0001": "100.00"})
    payment = pay(world, "VK-0001", 30_000)
    charges(world, "2026-12", water={"VK-0001": "150.00"})
    assert _open(world, "VK-0001") == 0

    payment_reverse(payment=payment)

    assert _open(world, "VK-0001") == 25_000
    assert account_position(world.accounts["VK-0001"]).advance == 0
    assert_ledger_clean()


def test_a_payment_cannot_be_reversed_twice(two_months):
    world = two_months
    payment = pay(world, "VK-0001", 1_000)
    payment_reverse(payment=payment)

    with pytest.raises(PaymentConflict):
        payment_reverse(payment=payment)

    assert Transaction.objects.filter(payment=payment).count() == 2


def test_a_new_version_of_charges_rebooks_the_receivable(world):
    charges(world, "2026-11", water={"VK-0001": "100.00", "VK-0002": "50.00"})

    charges(world, "2026-11", water={"VK-0001": "80.00"})

    assert _open(world, "VK-0001") == 8_000
    assert _open(world, "VK-0002") == 0
    assert_ledger_clean()


def test_a_recalculation_after_a_payment_keeps_the_ledger_in_step(world):
    charges(world, "2026-11", water={"VK-0001": "100.00"})
    pay(world, "VK-0001", 4_000)

    charges(world, "2026-11", water={"VK-0001": "70.00"})

    assert _open(world, "VK-0001") == 3_000
    assert_ledger_clean()


def test_the_ledger_refuses_a_transaction_that_does_not_sum_to_zero(world):
    from splitting.core.ledger import LedgerUnbalanced, Leg, transaction_post

    with pytest.raises(LedgerUnbalanced), transaction.atomic():
        transaction_post(
            tenant_id=world.tenant.pk, kind="refund", legs=[Leg("bank", 100), Leg("suspense", -99)]
        )

    assert Transaction.objects.count() == 0


def test_ledger_entries_cannot_be_changed(two_months):
    from django.db.utils import DatabaseError

    entry = Entry.objects.first()

    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(amount=entry.amount + 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()


def test_an_unused_advance_can_be_refunded_to_the_payer(world):
    from splitting.core.reversals import advance_refund

    charges(world, "2026-11", water={"VK-0001": "100.00"})
    payment = pay(world, "VK-0001", 25_000)

    advance_refund(payment=payment, amount=10_000, reason="asked by the payer")

    payment.refresh_from_db()
    assert (payment.advance_open, payment.refunded) == (5_000, 10_000)
    assert account_position(world.accounts["VK-0001"]).advance == 5_000
    with pytest.raises(PaymentRefused):
        advance_refund(payment=payment, amount=5_001)
    assert_ledger_clean()
    payment_reverse(payment=payment)
    assert_ledger_clean()


def test_the_tenants_rule_set_decides_the_split(two_months):
    from splitting.models import AllocationRules

    world = two_months
    AllocationRules.objects.create(
        tenant=world.tenant, order="pro_rata", allow_explicit_split=False
    )

    payment = pay(world, "VK-0001", 17_000)

    # all open charges at once, pro rata: 140 + 60 (2026-11) and 140 (2026-12) of 340.00
    assert _lines(payment) == [
        ("teplo", "2026-11", 3_000),
        ("vodokanal", "2026-11", 7_000),
        ("vodokanal", "2026-12", 7_000),
    ]
    with pytest.raises(PaymentRefused) as refused:
        pay(world, "VK-0001", 1_000, split={"teplo": 1_000})
    assert refused.value.code == "no_split"
    assert_ledger_clean()
