"""The penalty calculator page `/staff/collections/penalties/<account>/`: the worked example of
payment-standards §6.3 (corrected: № 329 keeps 9.5 % through 2026, 177-ФЗ makes the 15th the due
date), shown day by day with the act behind each rate and as XLSX; who may open it; bad input."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from debt_collection.services.penalties import account_penalty_calculation
from tests.factories import AccountHolderFactory, MembershipFactory, TenantFactory, UserFactory
from tests.splitting.helpers import charges, pay
from warehouse.models import Clearing, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

RULE_329 = "Постановление Правительства РФ от 18.03.2025 № 329"


def _paid_on(world, day: dt.date):
    payment = pay(world, "VK-0001", 500000)
    Clearing.objects.filter(source_id=f"payment:{payment.pk}").update(
        cleared_at=dt.datetime.combine(day, dt.time(15), tzinfo=ZoneInfo("Europe/Moscow"))
    )


@pytest.fixture
def example(world):
    """5 000.00 of water for June 2026 (due 15.07.2026, the law's 15th) paid on 20.11.2026."""
    charges(world, "2026-06", water={"VK-0001": "5000.00"})
    _paid_on(world, dt.date(2026, 11, 20))
    return world


def _url(world, **query):
    number = world.accounts["VK-0001"].account_number
    query = {"tenant": world.tenant.code, **query}
    return (
        reverse("penalty-calculator", args=[number])
        + "?"
        + "&".join(f"{k}={v}" for k, v in query.items())
    )


def _staff(world, client, role=Role.COLLECTOR):
    user = UserFactory()
    MembershipFactory(user=user, tenant=world.tenant, role=role)
    client.force_login(user)
    return user


def test_the_calculation_of_the_worked_example_is_233_85(example):
    calculation = account_penalty_calculation(
        account=example.accounts["VK-0001"], as_of=dt.date(2026, 12, 31)
    )

    (item,) = calculation.items
    assert (item.period, item.supplier_code, item.base_amount) == ("2026-06", "vodokanal", 500000)
    assert item.due_date == dt.date(2026, 7, 15)
    assert item.paid == ((dt.date(2026, 11, 20), 500000),) and item.unpaid == 0
    assert [(line.days, line.fraction, line.rate_percent) for line in item.lines] == [
        (60, "1/300", 9.5),
        (38, "1/130", 9.5),
    ]
    assert {line.rate_source for line in item.lines} == {RULE_329}
    assert item.penalty == calculation.total == 23385


def test_paid_on_15_november_the_same_debt_owes_215_58(world):
    charges(world, "2026-06", water={"VK-0001": "5000.00"})
    _paid_on(world, dt.date(2026, 11, 15))

    calculation = account_penalty_calculation(
        account=world.accounts["VK-0001"], as_of=dt.date(2026, 12, 31)
    )

    assert [(line.days, line.fraction) for line in calculation.items[0].lines] == [
        (60, "1/300"),
        (33, "1/130"),
    ]
    assert calculation.total == 21558


def test_staff_see_the_computation_day_by_day_with_the_act_behind_each_rate(example, client):
    _staff(example, client)

    response = client.get(_url(example, as_of="2026-12-31"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="penalty-total">233.85 RUB' in html
    for cell in ("15.08.2026", "13.10.2026", "14.10.2026", "20.11.2026", "95.00", "138.85"):
        assert f">{cell}<" in html
    assert html.count('class="penalty-line"') == 2
    assert html.count(f'class="small muted penalty-basis">{RULE_329}<') == 2
    assert ">5000.00<" in html and ">1/300<" in html and ">1/130<" in html


def test_the_same_calculation_downloads_as_xlsx(example, client):
    _staff(example, client, role=Role.ACCOUNTANT)

    response = client.get(_url(example, as_of="2026-12-31", format="xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True)]
    lines = [row for row in rows if row[0] == "2026-06" and row[2] != "total"]
    assert [(r[6], r[9], r[10], r[12]) for r in lines] == [
        (60, "1/300", 95.0, RULE_329),
        (38, "1/130", 138.85, RULE_329),
    ]
    assert rows[-1][0] == "total" and rows[-1][10] == 233.85


def test_an_earlier_date_shows_less(example, client):
    _staff(example, client)

    response = client.get(_url(example, as_of="2026-08-20"))

    # unpaid at 20.08: days 31–36 (15.08–20.08) = 6 days × 5000 × 0.095 / 300 = 9.50
    assert 'id="penalty-total">9.50 RUB' in response.content.decode()


def test_staff_of_another_tenant_get_404(example, client):
    user = UserFactory()
    MembershipFactory(user=user, tenant=TenantFactory(), role=Role.OPERATOR_ADMIN)
    client.force_login(user)

    assert client.get(_url(example, as_of="2026-12-31")).status_code == 404


def test_a_resident_is_refused_and_anonymous_goes_to_sign_in(example, client):
    response = client.get(_url(example))
    assert response.status_code == 302 and "login" in response["Location"]

    holder = AccountHolderFactory(account=example.accounts["VK-0001"])
    client.force_login(holder.user)
    assert client.get(_url(example)).status_code == 403  # staff pages: staff only


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "31.12.2026"])
def test_a_bad_date_is_a_form_error(example, client, bad):
    _staff(example, client)

    response = client.get(_url(example, as_of=bad))

    assert response.status_code == 400
    assert 'id="penalty-total"' not in response.content.decode()
