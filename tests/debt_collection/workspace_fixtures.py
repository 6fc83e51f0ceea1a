"""Fixtures of the workspace tests on the `world` of tests.warehouse.charges_fixtures, loaded
with `pytest_plugins`. Charges of August and September 2026 are due on 10 September and 10
October, so they are overdue whenever the tests run (from late 2026 on)."""

import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.splitting.helpers import charges
from warehouse.models import Role

OLD = "2026-08"
LATER = "2026-09"


@pytest.fixture
def indebted(world):
    """VK-0001 owes 140.00 water + 60.00 heat for August and 100.00 water for September;
    VK-0002 owes 80.00 water for August; VK-0003 owes 500.00 water for August."""
    charges(world, OLD, water={"VK-0001": "140.00", "VK-0002": "80.00", "VK-0003": "500.00"})
    charges(world, OLD, heat={"VK-0001": "60.00"})
    charges(world, LATER, water={"VK-0001": "100.00"})
    return world


@pytest.fixture
def collector(world):
    user = UserFactory(username="kolya", first_name="Коля", last_name="Сборщиков")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.COLLECTOR)
    return user
