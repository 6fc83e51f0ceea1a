"""Shared setup of the cabinet's bills and paying tests (loaded as a pytest plugin, after
`tests.warehouse.charges_fixtures`): account 00000001 (VK-0001) of the `world` is billed for
2026-11 (water 140.00, heat 60.00) and 2026-12 (water 150.00, heat 70.00), both periods closed,
and held by the resident `anna`."""

import pytest

from tests.factories import AccountHolderFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import charges

NUMBER = "00000001"
TENANT = "rc-charges"
BASE = f"/cabinet/accounts/{TENANT}/{NUMBER}/"


@pytest.fixture
def billed(world):
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    month_end_close(tenant=world.tenant, period="2026-11")
    charges(world, "2026-12", water={"VK-0001": "150.00"}, heat={"VK-0001": "70.00"})
    month_end_close(tenant=world.tenant, period="2026-12")
    return world


@pytest.fixture
def resident(billed):
    user = UserFactory(username="anna", first_name="Анна")
    AccountHolderFactory(user=user, account=billed.accounts["VK-0001"])
    return user


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client
