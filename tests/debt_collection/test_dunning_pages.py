"""The dunning page for staff: the tenant's levels and the steps taken, filterable, scoped to
the staff member's tenants; and the admin refusing a template that does not compile."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from debt_collection.services.dunning.defaults import dunning_defaults
from debt_collection.services.dunning.run import dunning_run
from messaging.models import MessageTemplate
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.splitting.helpers import charges
from warehouse.models import Role

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.warehouse.charges_fixtures"]

NBSP = "\u00a0"


def staff(client, tenant, role=Role.COLLECTOR, **extra):
    user = UserFactory(**extra)
    MembershipFactory(user=user, tenant=tenant, role=role)
    client.force_login(user)
    return user


@pytest.fixture
def dunned(world):
    dunning_defaults(tenant=world.tenant)
    account = world.accounts["VK-0001"]
    account.phone = "+79160000001"
    account.save()
    charges(world, "2026-12", water={"VK-0001": "250.00"})
    on = dt.date(2027, 1, 21)  # 6 days past the due date, 15.01.2027
    now = dt.datetime(2027, 1, 21, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    dunning_run(tenant=world.tenant, on=on, now=now)
    return world


def test_staff_see_the_levels_and_the_steps_taken(client, dunned):
    staff(client, dunned.tenant)
    response = client.get(reverse("dunning-overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pre-trial claim" in page and "Court claim" in page
    assert f"100,00{NBSP}₽" in page  # the levels' minimum debt
    assert "00000001" in page and f"250,00{NBSP}₽" in page  # the SMS step
    assert "Message queued" in page


def test_the_steps_filter_by_outcome_and_refuse_bad_input_without_an_error_page(client, dunned):
    staff(client, dunned.tenant)
    url = reverse("dunning-overview")
    assert "00000001" not in client.get(url, {"outcome": "case"}).content.decode()
    response = client.get(url, {"position": "first", "run_from": "yesterday"})
    assert response.status_code == 200
    assert "00000001" not in response.content.decode()
    assert "field-error" in response.content.decode()


def test_another_tenants_staff_see_nothing_of_it(client, dunned):
    staff(client, TenantFactory())
    page = client.get(reverse("dunning-overview")).content.decode()
    assert "00000001" not in page and "Pre-trial claim" not in page


def test_residents_are_not_let_in(client, dunned):
    client.force_login(UserFactory())
    response = client.get(reverse("dunning-overview"))
    assert response.status_code in (302, 403)


def test_the_admin_refuses_a_template_that_does_not_compile(client, dunned):
    staff(client, dunned.tenant, role=Role.OPERATOR_ADMIN, is_staff=True)
    template = MessageTemplate.objects.get(tenant=dunned.tenant, code="dunning-sms")
    url = reverse("admin:messaging_messagetemplate_change", args=[template.pk])
    response = client.post(
        url, {"code": "dunning-sms", "channel": "sms", "subject": "", "body": "{% if %}"}
    )
    assert response.status_code == 200
    assert "not a valid template" in response.content.decode()
    template.refresh_from_db()
    assert "{% if %}" not in template.body
