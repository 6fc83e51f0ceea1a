"""Every page in tenant time (`config.tenant_time`): a payment booked at 21:30 UTC is 00:30 of
the next day in Moscow, on the staff pages as in the resident's cabinet."""

import datetime as dt

import pytest
from django.utils import timezone

from cabinet.models import ServiceRequest
from config.tenant_time import SESSION_KEY, user_zone_name
from tests.factories import (
    AccountHolderFactory,
    MembershipFactory,
    TenantFactory,
    UserFactory,
)
from tests.splitting.helpers import charges, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

LATE_EVENING_UTC = dt.datetime(2026, 11, 19, 21, 30, tzinfo=dt.UTC)  # 00:30 on the 20th, MSK


def _forms_of(day: int) -> tuple[str, ...]:
    return (f"2026-11-{day}", f"{day}.11.2026", f"{day} Nov 2026", f"Nov. {day}, 2026")


@pytest.fixture
def late_payment(world, clock):
    """A payment of the Moscow tenant booked at 21:30 UTC."""
    charges(world, "2026-10", water={"VK-0001": "140.00"})
    clock.move_to(LATE_EVENING_UTC)
    payment = pay(world, "VK-0001", 100_00, external_id="late-evening")
    clock.move_to(LATE_EVENING_UTC + dt.timedelta(hours=12))
    return payment


def test_staff_of_a_moscow_tenant_see_a_payment_at_2130_utc_as_0030_next_day(
    client, world, late_payment
):
    assert world.tenant.timezone == "Europe/Moscow"
    accountant = UserFactory()
    MembershipFactory(user=accountant, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(accountant)

    listed = client.get("/staff/payments/").content.decode()
    detail = client.get(f"/staff/payments/{late_payment.pk}/").content.decode()

    assert "20 Nov 2026" in listed and "00:30" in listed
    assert "21:30" not in listed and "19 Nov 2026" not in listed
    assert "21:30" not in detail


def test_a_resident_sees_their_payment_and_request_in_their_tenants_time(
    client, world, late_payment
):
    resident = UserFactory()
    account = world.accounts["VK-0001"]
    AccountHolderFactory(user=resident, account=account)
    ServiceRequest.objects.create(
        tenant=world.tenant,
        account=account,
        kind="repair",
        subject="Протечка",
        text="Течёт кран",
        created_by=resident,
        created_at=LATE_EVENING_UTC,
        updated_at=LATE_EVENING_UTC,
    )
    client.force_login(resident)
    base = f"/cabinet/accounts/{world.tenant.code}/{account.account_number}/"

    payments = client.get(base + "payments/").content.decode()
    requests = client.get(base + "requests/").content.decode()

    assert "20.11.2026 00:30" in payments
    assert any(day in requests for day in _forms_of(20))  # however the page writes a day
    assert not any(day in requests for day in _forms_of(19))


def test_the_zone_is_the_first_tenant_of_a_user_of_several_and_utc_for_none(world):
    berlin = TenantFactory(code="later-berlin", timezone="Europe/Berlin")
    both = UserFactory()
    MembershipFactory(user=both, tenant=berlin, role=Role.ACCOUNTANT)
    MembershipFactory(user=both, tenant=world.tenant, role=Role.ACCOUNTANT)
    resident = UserFactory()
    AccountHolderFactory(user=resident, account=world.accounts["VK-0002"])

    assert world.tenant.pk < berlin.pk
    assert user_zone_name(both) == "Europe/Moscow"  # the tenant created first
    assert user_zone_name(resident) == "Europe/Moscow"
    assert user_zone_name(UserFactory()) == ""


def test_a_request_leaves_no_zone_active_behind_it(client, world, late_payment):
    accountant = UserFactory()
    MembershipFactory(user=accountant, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(accountant)

    client.get("/staff/payments/")

    assert timezone.get_current_timezone_name() == "UTC"


def test_a_session_that_kept_no_zone_finds_it_on_its_first_page(client, world, late_payment):
    accountant = UserFactory()
    MembershipFactory(user=accountant, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(accountant)
    session = client.session
    assert session[SESSION_KEY] == "Europe/Moscow"  # kept at sign-in
    del session[SESSION_KEY]
    session.save()

    listed = client.get("/staff/payments/").content.decode()

    assert "00:30" in listed and "21:30" not in listed
    assert client.session[SESSION_KEY] == "Europe/Moscow"
