"""The penalty run is month-end's explicit step before the close: the close refuses a period
without its run (the check `config/wiring.py` connects), a run repeated before the close charges
nothing twice, a closed period's run is refused, and a tenant that charges no penalties needs
none. Same world and rates as test_penalty_charging (9.5 %, due on the law's 15th)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.errors import ApplicationError
from debt_collection.models import CollectionSettings, PenaltyRun
from debt_collection.services.penalty_runs import penalty_run
from invoicing.models import PaymentDocument
from invoicing.services.closing import period_close
from tests.factories import MembershipFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import charges
from warehouse.models import ClosedPeriod, OpenItem, OpenItemKind, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(world):
    """March 2026 charges, closed; nobody pays (due 15.04.2026)."""
    charges(world, "2026-03", water={"VK-0001": "1000.00"}, heat={"VK-0001": "2000.00"})
    month_end_close(tenant=world.tenant, period="2026-03", allow_missing=True)
    charges(world, "2026-06", water={"VK-0001": "10.00"}, heat={"VK-0001": "20.00"})
    return world


def _penalty_total(world, period) -> int:
    items = OpenItem.objects.filter(tenant=world.tenant, period=period, kind=OpenItemKind.PENALTY)
    return sum(items.values_list("amount", flat=True))


def test_a_close_without_its_penalty_run_is_refused_and_changes_nothing(overdue):
    world = overdue

    with pytest.raises(ApplicationError) as refused:
        period_close(tenant=world.tenant, period="2026-06")

    assert refused.value.code == "month_end_step_missing"
    assert "2026-06" in refused.value.message
    assert not ClosedPeriod.objects.filter(tenant=world.tenant, period="2026-06").exists()
    assert not PaymentDocument.objects.filter(period="2026-06").exists()


def test_the_run_charges_once_and_the_close_then_goes_ahead(overdue):
    world = overdue

    first = penalty_run(tenant=world.tenant, period="2026-06")
    charged = _penalty_total(world, "2026-06")
    again = penalty_run(tenant=world.tenant, period="2026-06")
    result = period_close(tenant=world.tenant, period="2026-06")

    assert charged > 0 and first.amount == charged and first.batches == 2
    assert again.pk == first.pk and again.runs == 2 and again.amount == 0
    assert _penalty_total(world, "2026-06") == charged  # the repeat charged nothing
    assert result.issued == len(world.accounts)


def test_a_closed_period_refuses_its_run(overdue):
    world = overdue
    month_end_close(tenant=world.tenant, period="2026-06")

    with pytest.raises(ApplicationError) as refused:
        penalty_run(tenant=world.tenant, period="2026-06")

    assert refused.value.code == "period_closed"
    assert PenaltyRun.objects.get(tenant=world.tenant, period="2026-06").runs == 1


def test_a_tenant_without_penalties_closes_without_a_run(overdue):
    world = overdue
    CollectionSettings.objects.update_or_create(
        tenant=world.tenant, defaults={"penalties_enabled": False}
    )

    result = period_close(tenant=world.tenant, period="2026-06")

    assert result.issued == len(world.accounts) and _penalty_total(world, "2026-06") == 0


def test_the_commands_charge_then_close_and_say_so(overdue):
    world = overdue
    code = world.tenant.code
    with pytest.raises(CommandError, match="have not been charged"):
        call_command("close_period", "--tenant", code, "--period", "2026-06")

    out = io.StringIO()
    call_command("charge_penalties", "--tenant", code, "--period", "2026-06", stdout=out)
    call_command("close_period", "--tenant", code, "--period", "2026-06", stdout=io.StringIO())

    assert f"{code} 2026-06: penalties through 30.06.2026 charged" in out.getvalue()
    assert ClosedPeriod.objects.filter(tenant=world.tenant, period="2026-06").exists()


def test_the_page_runs_a_period_for_an_accountant_and_refuses_a_collector(overdue, client):
    world = overdue
    client.force_login(MembershipFactory(tenant=world.tenant, role=Role.COLLECTOR).user)
    client.post(
        "/staff/collections/penalty-runs/", {"tenant": world.tenant.code, "period": "2026-06"}
    )
    assert not PenaltyRun.objects.filter(period="2026-06").exists()

    client.force_login(MembershipFactory(tenant=world.tenant, role=Role.ACCOUNTANT).user)
    page = client.post(
        "/staff/collections/penalty-runs/",
        {"tenant": world.tenant.code, "period": "2026-06"},
        follow=True,
    )

    assert PenaltyRun.objects.filter(tenant=world.tenant, period="2026-06").exists()
    assert "2026-06" in page.content.decode()
