"""Closing a period: the rules (missing suppliers, closing twice), the documents' sums to the
minor unit, and documents that cannot be changed once issued."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.utils import DatabaseError

from invoicing.models import BillingPeriod, DocumentLine, PaymentDocument
from invoicing.references import reference_parse
from invoicing.selectors import document_view
from tests.month_end import month_end_close
from warehouse.models import AuditEvent, ClosedPeriod, OpenItem
from warehouse.services.open_items import ClearingRequest, open_items_clear

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

FILE = """
supplier_account,service_code,quantity,unit,tariff,amount,kind
VK-0001,01,2,m3,50,100.00,regular
VK-0001,02,,,,40.00,regular
VK-0002,01,,,,75.50,regular
VK-0003,01,,,,10.00,regular
VK-0003,02,,,,-4.00,recalculation
"""


def _close(world, period="2026-12", **options):
    return month_end_close(tenant=world.tenant, period=period, **options)


def test_close_refuses_while_a_supplier_has_no_posted_charges(world):
    world.import_(FILE)

    with pytest.raises(Exception) as refused:
        _close(world)

    assert "teplo" in str(refused.value)
    assert not PaymentDocument.objects.exists()
    assert not ClosedPeriod.objects.exists()


def test_allow_missing_closes_and_names_the_missing_suppliers_in_the_audit_log(world):
    world.import_(FILE)

    result = _close(world, allow_missing=True)

    assert result.missing == ["teplo"] and result.issued > 0
    event = AuditEvent.objects.get(action="period.closed")
    assert event.detail["missing_suppliers"] == ["teplo"]
    assert ClosedPeriod.objects.filter(tenant=world.tenant, period="2026-12").exists()


def test_closing_twice_is_a_no_op(world):
    world.import_(FILE)
    _close(world, allow_missing=True)
    documents = set(PaymentDocument.objects.values_list("pk", flat=True))

    stdout = io.StringIO()
    call_command(
        "close_period",
        "--tenant",
        world.tenant.code,
        "--period",
        "2026-12",
        "--allow-missing",
        stdout=stdout,
    )

    assert "already closed" in stdout.getvalue()
    assert set(PaymentDocument.objects.values_list("pk", flat=True)) == documents
    assert BillingPeriod.objects.get().documents_issued == len(documents)


def test_a_closed_period_refuses_new_charges(world):
    world.import_(FILE)
    _close(world, allow_missing=True)

    outcome = world.import_(FILE.replace("75.50", "80.00"))

    assert outcome.status == "rejected"


def test_every_document_adds_up_to_its_amount_due_to_the_minor_unit(world):
    world.import_(FILE)
    _close(world, allow_missing=True)

    for document in PaymentDocument.objects.all():
        lines = sum(DocumentLine.objects.filter(document=document).values_list("amount", flat=True))
        assert lines == document.amount_due - document.advance
        view = document_view(document)
        assert sum(b.amount_due for b in view.suppliers) == lines
        still_open = sum(
            OpenItem.objects.filter(account=document.account, period__lte="2026-12").values_list(
                "open_amount", flat=True
            )
        )
        assert document.amount_due - document.advance == still_open
    first = PaymentDocument.objects.get(account=world.accounts["VK-0001"])
    assert first.amount_due == 14_000


def test_the_next_document_carries_the_debt_and_counts_the_payments(world):
    world.import_(FILE)
    _close(world, allow_missing=True)
    account = PaymentDocument.objects.get(account=world.accounts["VK-0001"]).account
    item = OpenItem.objects.get(account=account, period="2026-12")
    with transaction.atomic():
        open_items_clear(
            account=account,
            requests=[ClearingRequest(item.pk, 9_000)],
            kind="payment",
            source_id="payment:1",
        )
    world.import_(FILE, period="2027-01")

    _close(world, period="2027-01", allow_missing=True)

    second = PaymentDocument.objects.get(account=account, period="2027-01")
    assert (second.opening, second.charges, second.payments) == (14_000, 14_000, 9_000)
    assert second.amount_due == 19_000
    assert reference_parse(second.reference).period == "2027-01"
    assert second.due_date == date(2027, 2, 15)  # the law's 15th (177-ФЗ), not the contract's


def test_an_account_in_advance_gets_a_document_with_nothing_to_pay(world):
    world.import_(FILE.replace("VK-0003,02,,,,-4.00", "VK-0003,02,,,,-40.00"))

    _close(world, allow_missing=True)

    document = PaymentDocument.objects.get(account=world.accounts["VK-0003"])
    assert (document.amount_due, document.advance) == (0, 3_000)
    assert document_view(document).advance == 3_000


def test_issued_documents_cannot_be_changed(world):
    world.import_(FILE)
    _close(world, allow_missing=True)
    document = PaymentDocument.objects.first()

    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        PaymentDocument.objects.filter(pk=document.pk).update(amount_due=1)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        DocumentLine.objects.filter(document=document).update(amount=1)
    document.refresh_from_db()
    assert document.amount_due != 1


def test_a_correction_is_a_new_document_that_supersedes_the_old_one(world):
    from invoicing.models import DocumentStatus
    from invoicing.services.closing import document_reissue

    world.import_(FILE)
    _close(world, allow_missing=True)
    old = PaymentDocument.objects.get(account=world.accounts["VK-0001"])

    new = document_reissue(document=old)

    old.refresh_from_db()
    assert old.status == DocumentStatus.SUPERSEDED and new.supersedes == old
    assert (new.amount_due, new.reference) == (old.amount_due, old.reference)
    assert new.pay_token_hash != old.pay_token_hash
    assert old.lines.count() == new.lines.count()


@pytest.mark.parametrize("profile", ["RU", "SEPA"])
def test_the_stored_view_keeps_every_field_but_the_link_and_the_tan(profile):
    import dataclasses

    from invoicing.document_view import sample_document_view
    from invoicing.services.issuing import view_to_json

    view = sample_document_view(profile)
    stored = view_to_json(view)

    expected = {f.name for f in dataclasses.fields(view)} - {"pay_url", "tan"}
    assert set(stored) == expected
    block = dataclasses.fields(view.suppliers[0])
    assert set(stored["suppliers"][0]) == {f.name for f in block}
    line = dataclasses.fields(view.suppliers[0].lines[0])
    assert set(stored["suppliers"][0]["lines"][0]) == {f.name for f in line}
    assert stored["suppliers"][0]["lines"][0]["quantity"] == str(
        view.suppliers[0].lines[0].quantity
    )
    assert stored["operator"] == dataclasses.asdict(view.operator)
