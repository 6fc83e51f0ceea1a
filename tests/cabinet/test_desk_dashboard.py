"""The operator's dashboard (/staff/desk/): per tenant, money collected today and this month in
the tenant's own day, the debt (overdue and not yet due) and its trend, and the queues waiting
for staff — each figure read from the owning app and each card linking to its work."""

import datetime as dt
import re

from django.urls import reverse

from cabinet.desk.selectors import tenant_board
from core.money import format_currency
from messaging.models import Message, MessageStatus
from splitting.core.reversals import payment_reverse
from splitting.models import BankCredit, CreditStatus, StatementImport, SupplierEvent
from tests.factories import UnmatchedLineFactory
from tests.splitting.helpers import charges, pay
from warehouse.models import Role, Supplier

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.desk_fixtures"]

MSK = dt.timezone(dt.timedelta(hours=3))


def _figure(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    assert found, testid
    return found.group(1)


def test_collected_today_counts_the_tenants_day_not_utcs(world, clock):
    # 23:30 MSK on the 19th: yesterday in Moscow (and in UTC).
    clock.move_to(dt.datetime(2026, 11, 19, 23, 30, tzinfo=MSK))
    pay(world, "VK-0002", 10_000)
    # 00:30 MSK on the 20th: today in Moscow, still the 19th in UTC.
    clock.move_to(dt.datetime(2026, 11, 20, 0, 30, tzinfo=MSK))
    pay(world, "VK-0003", 2_500)
    clock.move_to(dt.datetime(2026, 11, 20, 11, 0, tzinfo=MSK))
    pay(world, "VK-0004", 1_000)
    # Last month: in neither figure.
    clock.move_to(dt.datetime(2026, 10, 31, 23, 0, tzinfo=MSK))
    pay(world, "VK-0005", 70_000)
    clock.move_to(dt.datetime(2026, 11, 20, 12, 0, tzinfo=MSK))

    board = tenant_board(world.tenant)

    assert (board.collected.today, board.collected.today_count) == (3_500, 2)
    assert (board.collected.month, board.collected.month_count) == (13_500, 3)


def test_a_reversed_payment_is_not_collected(world, clock):
    payment = pay(world, "VK-0002", 10_000)
    pay(world, "VK-0003", 4_000)
    payment_reverse(payment=payment, reason="wrong account")

    assert tenant_board(world.tenant).collected.today == 4_000


def test_debt_is_split_into_overdue_and_not_yet_due_with_its_trend(world, clock):
    # October's charges were due on 10.11 (overdue on the 20th), November's on 10.12.
    charges(world, "2026-10", water={"VK-0001": "140.00", "VK-0002": "60.00"})
    charges(world, "2026-11", heat={"VK-0001": "75.00"})
    pay(world, "VK-0002", 2_000)  # 20.00 off October's debt of VK-0002

    board = tenant_board(world.tenant)

    assert board.debt.overdue == 14_000 + 6_000 - 2_000
    assert board.debt.not_due == 7_500
    assert board.debt_total == 25_500
    # At the end of October nothing was overdue yet; now October's debt is.
    assert [month for month, _value in board.trend][-2:] == [
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 1),
    ]
    assert [value for _month, value in board.trend][-2:] == [0, 18_000]
    assert board.trend_change == 18_000


def test_the_trend_counts_what_was_cleared_before_each_months_end(world, clock):
    clock.move_to(dt.datetime(2026, 10, 5, 12, 0, tzinfo=MSK))
    charges(world, "2026-09", water={"VK-0001": "100.00"})  # due 10.10
    clock.move_to(dt.datetime(2026, 10, 20, 12, 0, tzinfo=MSK))
    pay(world, "VK-0001", 3_000)  # 30.00 paid in October, after the due date
    clock.move_to(dt.datetime(2026, 11, 20, 12, 0, tzinfo=MSK))
    pay(world, "VK-0001", 1_000)

    board = tenant_board(world.tenant)

    values = dict(board.trend)
    assert values[dt.date(2026, 9, 1)] == 0  # not due yet at the end of September
    assert values[dt.date(2026, 10, 1)] == 7_000  # at the end of October
    assert values[dt.date(2026, 11, 1)] == 6_000  # now


def test_the_queues_waiting_for_staff(world, clock):
    UnmatchedLineFactory(tenant=world.tenant, supplier=world.supplier, supplier_account="X-1")
    statement = StatementImport.objects.create(
        tenant=world.tenant,
        filename="s.xml",
        format="camt053",
        bank_account="40702810000000000001",
        created_at=dt.datetime(2026, 11, 19, 10, 0, tzinfo=MSK),
    )
    BankCredit.objects.create(
        tenant=world.tenant,
        statement=statement,
        dedupe_key="k1",
        amount=50_000,
        currency="RUB",
        booked_on=dt.date(2026, 11, 19),
        bank_reference="B1",
        status=CreditStatus.SUSPENSE,
        parked=50_000,
        open_amount=45_000,
    )
    now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    for status in ("failed", "pending", "delivered"):
        SupplierEvent.objects.create(
            tenant=world.tenant,
            supplier=world.supplier,
            event="payment.booked",
            body={},
            status=status,
            next_attempt_at=now,
            created_at=now,
        )
    Message.objects.create(
        tenant=world.tenant,
        account=world.accounts["VK-0001"],
        channel="sms",
        recipient="+79990000000",
        body="x",
        status=MessageStatus.FAILED,
    )

    board = tenant_board(world.tenant)

    assert board.mapping_queue == 1
    assert (board.suspense.count, board.suspense.amount) == (1, 45_000)
    assert board.failed_events == 1
    assert board.failed_messages == 1
    assert board.period.period == "2026-10"  # last month, not closed yet
    assert board.period.suppliers_sent == 0
    assert board.period.suppliers_total == Supplier.objects.filter(tenant=world.tenant).count()


def test_the_page_shows_the_figures_in_the_tenants_money_and_links_to_the_work(
    world, clock, staff_client
):
    charges(world, "2026-10", water={"VK-0001": "140.00"})
    pay(world, "VK-0003", 2_500)

    response = staff_client.get(reverse("staff-desk"))

    page = response.content.decode()
    assert response.status_code == 200
    assert _figure(page, "collected-today") == format_currency(2_500, world.tenant)
    assert _figure(page, "debt-overdue") == format_currency(14_000, world.tenant)
    assert "<svg" in page and 'class="chart"' in page  # the trend, drawn on the server
    for name in ("payment-list", "mapping-queue", "billing-periods", "suspense-list"):
        assert f'href="{reverse(name)}' in page


def test_a_tenant_filter_shows_one_tenant_and_refuses_another_operators(
    world, clock, client, staff_of, other_tenant
):
    tenant_b, _account = other_tenant
    user = staff_of(Role.ACCOUNTANT)
    client.force_login(user)

    mine = client.get(reverse("staff-desk"), {"tenant": world.tenant.code})
    theirs = client.get(reverse("staff-desk"), {"tenant": tenant_b.code})
    every = client.get(reverse("staff-desk")).content.decode()

    assert mine.status_code == 200 and f'data-tenant="{world.tenant.code}"' in mine.content.decode()
    assert theirs.status_code == 404
    assert f'data-tenant="{tenant_b.code}"' not in every


def test_the_dashboard_reads_a_fixed_number_of_queries(
    world, clock, staff_client, django_assert_max_num_queries
):
    charges(world, "2026-10", water={"VK-0001": "140.00"})
    with django_assert_max_num_queries(30):
        assert staff_client.get(reverse("staff-desk")).status_code == 200
