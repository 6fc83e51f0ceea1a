"""Payments made elsewhere, imported from CSV: posted on the external channel, split like any
payment, idempotent by their channel and id; a bad file is refused whole, line by line."""

import pytest

from splitting.channels.outside_payments import outside_payments_import
from splitting.models import Payment
from tests.splitting.helpers import assert_ledger_clean, charges
from warehouse.reports import FileRejected

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

GOOD = (
    "account_number,amount,date,channel,external_id\n"
    "00000001,150.00,2026-11-20,post-office,PO-1\n"
    "00000002,80.00,2026-11-20,post-office,PO-2\n"
)


@pytest.fixture
def billed(world):
    charges(world, "2026-11", water={"VK-0001": "140.00", "VK-0002": "80.00"})
    return world


def test_outside_payments_post_once_and_pay_the_documents(billed):
    first = outside_payments_import(tenant=billed.tenant, data=GOOD.encode())
    again = outside_payments_import(tenant=billed.tenant, data=GOOD.encode())

    assert (first.posted, first.already) == (2, 0)
    assert (again.posted, again.already) == (0, 2)
    payments = Payment.objects.order_by("external_id")
    assert [(p.channel, p.external_id, p.amount) for p in payments] == [
        ("external", "post-office:PO-1", 15_000),
        ("external", "post-office:PO-2", 8_000),
    ]
    assert payments[0].advance == 1_000
    assert payments[0].received_at.date().isoformat() == "2026-11-20"
    assert_ledger_clean()


def test_a_bad_file_is_refused_whole_with_every_problem(billed):
    bad = GOOD + (
        "99999999,10.00,2026-11-20,post-office,PO-3\n00000003,-5.00,20.11.2026,post-office,PO-1\n"
    )

    with pytest.raises(FileRejected) as rejected:
        outside_payments_import(tenant=billed.tenant, data=bad.encode())

    problems = {(e.line, e.column) for e in rejected.value.errors}
    assert problems == {(4, "account_number"), (5, "amount"), (5, "date"), (5, "external_id")}
    assert Payment.objects.count() == 0
