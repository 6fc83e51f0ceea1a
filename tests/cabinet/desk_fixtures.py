"""Shared setup of the operator's desk tests (loaded as a pytest plugin after
`tests.warehouse.charges_fixtures`): the `world`'s tenant (Europe/Moscow) on the shared clock
(20.11.2026 12:00 MSK), its staff by role, and a second tenant whose accounts must never show."""

import pytest
from django.core.cache import cache

from tests.factories import AccountFactory, MembershipFactory, TenantFactory, UserFactory
from warehouse.models import Role


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard keeps its debt figures in the cache: each test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_of(world):
    """`staff_of(role)`: a user of that role in the world's tenant."""

    def make(role=Role.OPERATOR_ADMIN, tenant=None):
        user = UserFactory(username=f"{role}-{(tenant or world.tenant).code}")
        MembershipFactory(user=user, tenant=tenant or world.tenant, role=role)
        return user

    return make


@pytest.fixture
def staff_client(client, staff_of):
    client.force_login(staff_of())
    return client


@pytest.fixture
def other_tenant(db):
    """Another operator, with an account whose payer and number look like the world's."""
    tenant = TenantFactory(code="other-op", name="Other operator")
    account = AccountFactory(
        tenant=tenant, account_number="99000001", payer_name="Плательщик 1", phone="+79990001122"
    )
    return tenant, account
