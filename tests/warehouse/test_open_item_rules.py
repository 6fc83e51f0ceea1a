"""One home for "overdue", the aging buckets and the balance (warehouse.selectors_open_items):
the due date itself is not overdue anywhere; a tenant's own buckets are what its supplier's
aging page and the operator's dashboard both show; the balance of many accounts is one query
and the same as each account's."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from debt_collection.selectors import account_overdue
from tests.factories import AccountFactory, MembershipFactory, SupplierFactory, TenantFactory
from warehouse.models import OpenItem, Tenant
from warehouse.selectors_open_items import (
    account_balance,
    account_balances,
    aging,
    aging_buckets,
    overdue_items,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # the shared frozen clock's day


def _item(account, supplier, due, amount, period="2026-10"):
    return OpenItem.objects.create(
        tenant=account.tenant,
        account=account,
        supplier=supplier,
        period=period,
        kind="charges",
        due_date=due,
        amount=amount,
        open_amount=amount,
    )


def test_a_debt_is_overdue_from_the_day_after_its_due_date():
    account = AccountFactory()
    supplier = SupplierFactory(tenant=account.tenant)
    _item(account, supplier, TODAY, 1_000)

    on_the_day = account_balance(account, as_of=TODAY)
    assert (on_the_day.total_due, on_the_day.overdue) == (1_000, 0)
    assert on_the_day.next_due_date == TODAY and on_the_day.overdue_since is None
    assert not overdue_items(TODAY).exists()
    assert account_overdue(account, on=TODAY) == 0
    [row] = aging(account.tenant, as_of=TODAY)
    assert row["not_due"] == 1_000 and row["d0_30"] == 0

    day_after = TODAY + timedelta(days=1)
    assert account_balance(account, as_of=day_after).overdue == 1_000
    assert account_overdue(account, on=day_after) == 1_000
    [row] = aging(account.tenant, as_of=day_after)
    assert row["not_due"] == 0 and row["d0_30"] == 1_000


def test_a_tenants_own_buckets_and_their_edges():
    tenant = TenantFactory(aging_bounds="60,120")
    buckets = aging_buckets(tenant)
    assert [b.label for b in buckets] == ["0–60", "61–120", ">120"]
    assert [b.key for b in buckets] == ["d0_60", "d61_120", "d121_plus"]
    account = AccountFactory(tenant=tenant)
    supplier = SupplierFactory(tenant=tenant)
    for days, amount in [(60, 1), (61, 10), (120, 100), (121, 1_000)]:
        _item(account, supplier, TODAY - timedelta(days=days), amount)

    [row] = aging(tenant, as_of=TODAY)

    assert (row["d0_60"], row["d61_120"], row["d121_plus"], row["total"]) == (1, 110, 1_000, 1_111)


@pytest.mark.parametrize("bounds", ["90,30", "30,30", "0,30", "thirty", "", "1,2,3,4,5,6,7,8"])
def test_bucket_bounds_that_make_no_buckets_are_refused(bounds):
    with pytest.raises(ValidationError):
        Tenant._meta.get_field("aging_bounds").clean(bounds, None)


def test_bucket_bounds_may_be_spaced_and_as_few_as_one():
    assert TenantFactory.build(aging_bounds=" 45, 90 ").aging_bounds_days == (45, 90)
    assert [b.label for b in aging_buckets(TenantFactory.build(aging_bounds="30"))] == [
        "0–30",
        ">30",
    ]


def test_the_supplier_page_and_the_operators_dashboard_show_the_tenants_buckets(client, clock):
    tenant = TenantFactory(aging_bounds="60,120")
    supplier = SupplierFactory(tenant=tenant)
    account = AccountFactory(tenant=tenant)
    _item(account, supplier, TODAY - timedelta(days=10), 10_00)
    _item(account, supplier, TODAY - timedelta(days=90), 20_00)
    _item(account, supplier, TODAY - timedelta(days=200), 40_00)

    client.force_login(MembershipFactory(supplier=supplier).user)
    page = client.get("/supplier/debt/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "0–60 days" in html and "61–120 days" in html and "Over 120 days" in html
    assert "Over 180 days" not in html
    assert page.context["totals"]["buckets"] == [10_00, 20_00, 40_00]
    rows = list(
        csv.reader(io.StringIO(client.get("/supplier/export/debt.csv").content.decode("utf-8-sig")))
    )
    assert rows[0][3:] == ["Not yet due", "0–60 days", "61–120 days", "Over 120 days", "Total"]
    assert rows[1][3:] == ["0.00", "10.00", "20.00", "40.00", "70.00"]

    client.force_login(MembershipFactory(tenant=tenant).user)
    dashboard = client.get(reverse("collections-analytics") + f"?tenant={tenant.code}")
    assert dashboard.status_code == 200
    assert dashboard.context["aging_rows"] == [("0–60", 10_00), ("61–120", 20_00), (">120", 40_00)]


def test_the_default_buckets_are_those_the_pages_showed(clock):
    assert [b.label for b in aging_buckets(TenantFactory())] == [
        "0–30",
        "31–90",
        "91–180",
        "181–365",
        ">365",
    ]


def test_the_balance_of_many_accounts_is_one_query_and_each_accounts_own(
    django_assert_num_queries,
):
    tenant = TenantFactory()
    water, heat = SupplierFactory(tenant=tenant, code="water"), SupplierFactory(tenant=tenant)
    first, second, empty = (AccountFactory(tenant=tenant) for _ in range(3))
    _item(first, water, TODAY - timedelta(days=5), 3_000, period="2026-09")
    _item(first, water, TODAY + timedelta(days=5), 2_000)
    _item(first, heat, TODAY + timedelta(days=9), 1_000)
    _item(second, water, TODAY + timedelta(days=5), -500)

    with django_assert_num_queries(1):
        balances = account_balances([first, second, empty], as_of=TODAY)

    for account in (first, second, empty):
        assert balances[account.pk] == account_balance(account, as_of=TODAY)
    own = balances[first.pk]
    assert (own.total_due, own.overdue, own.advance) == (6_000, 3_000, 0)
    assert own.next_due_date == TODAY + timedelta(days=5)
    assert own.overdue_since == TODAY - timedelta(days=5)
    by_code = {p.supplier.code: p for p in own.suppliers}
    assert by_code["water"].periods == {"2026-09": 3_000, "2026-10": 2_000}
    assert by_code["water"].next_due_date == TODAY + timedelta(days=5)
    assert (balances[second.pk].total_due, balances[second.pk].advance) == (0, 500)
    assert balances[empty.pk].suppliers == [] and balances[empty.pk].total_due == 0
