"""The reads the rest of the system uses: an account's open items and balance per supplier and
period, and aging buckets per tenant and supplier."""

from datetime import date

import pytest
from django.db import transaction

from tests.factories import AccountFactory, SupplierFactory, TenantFactory
from warehouse.models import OpenItem
from warehouse.selectors_open_items import account_balance, account_open_items, aging
from warehouse.services.open_items import ClearingRequest, open_items_clear

pytestmark = pytest.mark.django_db


def _item(account, supplier, period, due, amount, open_amount=None, kind="charges"):
    return OpenItem.objects.create(
        tenant=account.tenant,
        account=account,
        supplier=supplier,
        period=period,
        kind=kind,
        due_date=due,
        amount=amount,
        open_amount=amount if open_amount is None else open_amount,
    )


def test_balance_splits_open_and_overdue_per_supplier_and_period():
    tenant = TenantFactory()
    account = AccountFactory(tenant=tenant)
    water, heat = (
        SupplierFactory(tenant=tenant, code="water"),
        SupplierFactory(tenant=tenant, code="heat"),
    )
    _item(account, water, "2026-08", date(2026, 9, 10), 10_000)
    _item(account, water, "2026-09", date(2026, 10, 10), 12_000, open_amount=2_000)
    _item(account, heat, "2026-09", date(2026, 10, 10), 30_000)
    _item(account, water, "2026-07", date(2026, 8, 10), 5_000, open_amount=0)

    balance = account_balance(account, as_of=date(2026, 10, 1))

    assert balance.total_due == 10_000 + 2_000 + 30_000
    assert balance.overdue == 10_000  # only August was due before 1 October
    assert balance.advance == 0
    by_code = {p.supplier.code: p for p in balance.suppliers}
    assert by_code["water"].open == 12_000 and by_code["water"].overdue == 10_000
    assert by_code["water"].periods == {"2026-08": 10_000, "2026-09": 2_000}
    assert by_code["heat"].open == 30_000 and by_code["heat"].overdue == 0
    assert [i.period for i in account_open_items(account)] == ["2026-08", "2026-09", "2026-09"]


def test_a_credit_larger_than_the_debts_is_an_advance():
    account = AccountFactory()
    supplier = SupplierFactory(tenant=account.tenant)
    _item(account, supplier, "2026-09", date(2026, 10, 10), 1_000)
    _item(account, supplier, "2026-10", date(2026, 11, 10), -4_000)

    balance = account_balance(account, as_of=date(2026, 11, 1))

    assert (balance.total_due, balance.advance) == (0, 3_000)


def test_clearing_moves_the_balance_and_refuses_to_overclear():
    from core.errors import ApplicationError

    account = AccountFactory()
    supplier = SupplierFactory(tenant=account.tenant)
    item = _item(account, supplier, "2026-09", date(2026, 10, 10), 10_000)

    with transaction.atomic():
        open_items_clear(
            account=account,
            requests=[ClearingRequest(item.pk, 7_500)],
            kind="payment",
            source_id="payment:1",
        )
    assert account_balance(account, as_of=date(2026, 10, 1)).total_due == 2_500

    with pytest.raises(ApplicationError), transaction.atomic():
        open_items_clear(
            account=account,
            requests=[ClearingRequest(item.pk, 2_501)],
            kind="payment",
            source_id="payment:2",
        )
    item.refresh_from_db()
    assert item.open_amount == 2_500
    assert item.clearings.count() == 1


def test_aging_buckets_by_days_past_due_per_supplier():
    tenant = TenantFactory()  # the default buckets: 30,90,180,365
    account = AccountFactory(tenant=tenant)
    water, heat = SupplierFactory(tenant=tenant), SupplierFactory(tenant=tenant)
    as_of = date(2026, 11, 21)
    _item(account, water, "2026-10", date(2026, 12, 10), 100)  # not yet due
    _item(account, water, "2026-09", date(2026, 11, 21), 200)  # due today: not yet overdue
    _item(account, water, "2026-08", date(2026, 10, 22), 300)  # 30 days
    _item(account, water, "2026-07", date(2026, 10, 21), 400)  # 31 days
    _item(account, water, "2026-06", date(2026, 8, 23), 500)  # 90 days
    _item(account, water, "2026-05", date(2026, 8, 22), 600)  # 91 days
    _item(account, water, "2026-01", date(2026, 5, 25), 700)  # 180 days
    _item(account, water, "2025-12", date(2026, 5, 24), 800)  # 181 days
    _item(account, water, "2025-10", date(2025, 11, 20), 900)  # 366 days
    _item(account, heat, "2026-06", date(2026, 8, 1), 1_000)  # 112 days
    _item(account, heat, "2026-06", date(2026, 8, 1), -50)  # a credit is no debt to age

    rows = {row["supplier_id"]: row for row in aging(tenant, as_of=as_of)}

    assert rows[water.pk] == {
        "supplier_id": water.pk,
        "not_due": 100 + 200,
        "d0_30": 300,
        "d31_90": 400 + 500,
        "d91_180": 600 + 700,
        "d181_365": 800,
        "d366_plus": 900,
        "total": 4_500,
    }
    assert rows[heat.pk]["d91_180"] == 1_000 and rows[heat.pk]["total"] == 1_000
    assert [r["supplier_id"] for r in aging(tenant, as_of=as_of, supplier=heat)] == [heat.pk]
