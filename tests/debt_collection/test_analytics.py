"""Collections analytics on a small world: aging buckets per supplier, the collection rate of the
charges due each month, promises kept and broken, recovery per agent and per stage; the page
draws each as an SVG chart, the workbook has a sheet per chart, and the page is scoped."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from debt_collection.models import PromiseStatus, PromiseToPay
from debt_collection.services import analytics
from debt_collection.services.court import court_file
from tests.debt_collection.workspace_helpers import open_case, staff
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.splitting.helpers import charges, pay
from warehouse.models import Role

pytestmark = pytest.mark.django_db
pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]

AS_OF = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The pages chart the twelve months up to today: today is AS_OF (shared frozen clock)."""
    clock.move_to(dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC))
    return clock


WATER, HEAT = "АО «Водоканал»", "ИП Теплов Пётр Андреевич"


@pytest.fixture
def small(world):
    """Water due 10.07.2025 (100.00), 10.01.2026 (200.00), 10.06.2026 (300.00), 10.10.2026
    (400.00), 10.11.2026 (500.00, 200.00 of it paid); heat due 10.10.2026 (60.00)."""
    charges(world, "2025-06", water={"VK-0001": "100.00"})
    charges(world, "2025-12", water={"VK-0001": "200.00"})
    charges(world, "2026-05", water={"VK-0002": "300.00"})
    charges(world, "2026-09", water={"VK-0003": "400.00"}, heat={"VK-0001": "60.00"})
    charges(world, "2026-10", water={"VK-0004": "500.00"})
    return world


def test_aging_buckets_per_supplier(small):
    pay(small, "VK-0004", 200_00)
    aging = analytics.aging_by_supplier(tenant=small.tenant, as_of=AS_OF)
    assert aging.categories == ["0–30", "31–90", "91–180", "181–365", ">365"]
    assert aging.series == {
        WATER: [300_00, 400_00, 300_00, 200_00, 100_00],
        HEAT: [0, 60_00, 0, 0, 0],
    }


def test_collection_rate_of_the_charges_due_each_month(small):
    pay(small, "VK-0004", 200_00)
    pay(small, "VK-0003", 100_00)
    rate = analytics.collection_rate(tenant=small.tenant, as_of=AS_OF)
    assert len(rate.categories) == 12 and rate.categories[-1] == "2026-11"
    by_month = dict(zip(rate.categories, zip(*rate.series.values(), strict=True), strict=True))
    assert by_month["2026-11"] == (500_00, 200_00)
    assert by_month["2026-10"] == (460_00, 100_00)
    assert by_month["2026-06"] == (300_00, 0)
    assert by_month["2026-01"] == (200_00, 0)
    assert "2025-07" not in by_month  # more than 12 months back
    assert analytics.rate_percent(460_00, 100_00) == analytics.Decimal("21.7")


def test_promises_kept_and_broken_per_month_resolved(small):
    case = open_case(small, "VK-0001")
    zone = timezone.get_current_timezone()
    for status, resolved in [
        (PromiseStatus.KEPT, dt.datetime(2026, 11, 3, 12, tzinfo=zone)),
        (PromiseStatus.KEPT, dt.datetime(2026, 10, 5, 12, tzinfo=zone)),
        (PromiseStatus.BROKEN, dt.datetime(2026, 11, 20, 12, tzinfo=zone)),
        (PromiseStatus.BROKEN, dt.datetime(2026, 11, 21, 12, tzinfo=zone)),
    ]:
        PromiseToPay.objects.create(
            tenant=small.tenant,
            case=case,
            account=case.account,
            amount=100_00,
            due_date=resolved.date(),
            status=status,
            created_at=resolved - dt.timedelta(days=5),
            resolved_at=resolved,
        )
    promises = analytics.promises(tenant=small.tenant, as_of=AS_OF)
    assert promises.series["Kept"][-2:] == [1, 1]
    assert promises.series["Broken"][-2:] == [0, 2]
    assert not promises.money


def test_recovery_per_agent_counts_payments_while_the_case_is_open(small, clock):
    anna = staff(small, first_name="Анна", last_name="Агентова")
    boris = staff(small, first_name="Борис", last_name="Борисов")
    pay(small, "VK-0002", 50_00)  # before the case opened: not recovered by anyone
    clock.shift(dt.timedelta(minutes=1))
    one = open_case(small, "VK-0004")
    two = open_case(small, "VK-0002")
    one.assigned_to, two.assigned_to = anna, boris
    one.save()
    two.save()
    clock.shift(dt.timedelta(minutes=1))
    pay(small, "VK-0004", 200_00)
    pay(small, "VK-0002", 30_00)
    agents = analytics.recovery_per_agent(tenant=small.tenant)
    assert dict(zip(agents.categories, agents.series["Recovered"], strict=True)) == {
        "Анна Агентова": 200_00,
        "Борис Борисов": 30_00,
    }
    court_file(case=two, court_name="Суд", filed_on=timezone.localdate(), amount_claimed=1)
    stages = analytics.recovery_per_stage(tenant=small.tenant)
    assert dict(zip(stages.categories, stages.series["Recovered"], strict=True)) == {
        "In queue": 200_00,
        "Court": 30_00,
    }


# --- the page and the workbook ----------------------------------------------------------------


def test_the_dashboard_draws_every_chart_as_svg(
    client, small, collector, django_assert_max_num_queries
):
    pay(small, "VK-0004", 200_00)
    client.force_login(collector)
    url = reverse("collections-analytics") + f"?tenant={small.tenant.code}"
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 5
    assert 'role="img" aria-label="Debt by days past due"' in html
    assert "<title>31–90 · АО «Водоканал»: 400,00</title>" in html


def test_the_workbook_has_a_sheet_per_chart(client, small, collector):
    pay(small, "VK-0004", 200_00)
    client.force_login(collector)
    response = client.get(reverse("collections-analytics-xlsx") + f"?tenant={small.tenant.code}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["aging", "rate", "promises", "agents", "stages"]
    aging = list(book["aging"].iter_rows(values_only=True))
    assert aging[1] == ("", WATER, HEAT) or aging[1] == (None, WATER, HEAT)
    assert aging[2] == ("0–30", 300, 0)
    rate = list(book["rate"].iter_rows(values_only=True))
    assert rate[-1] == ("2026-11", 500, 200, 40.0)


def test_the_dashboard_is_scoped(client, small):
    url = reverse("collections-analytics") + f"?tenant={small.tenant.code}"
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    outsider = UserFactory()
    MembershipFactory(user=outsider, tenant=TenantFactory(), role=Role.OPERATOR_ADMIN)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(url.replace("analytics/", "analytics.xlsx")).status_code == 404
    accountant = staff(small, Role.ACCOUNTANT)
    client.force_login(accountant)
    assert client.get(url).status_code == 200
