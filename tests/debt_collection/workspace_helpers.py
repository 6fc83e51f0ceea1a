"""Shared steps of the workspace tests (cases, promises, plans, the browser test); their fixtures
are in `tests.debt_collection.workspace_fixtures`."""

from django.utils import timezone

from debt_collection.selectors import account_overdue
from debt_collection.services.cases import case_open
from tests.factories import MembershipFactory, UserFactory
from warehouse.models import Role


def open_case(world, number: str):
    account = world.accounts[number]
    case, _ = case_open(
        account=account,
        debt_at_open=account_overdue(account, on=timezone.localdate()),
        reason="test",
    )
    return case


def staff(world, role=Role.COLLECTOR, **names):
    user = UserFactory(**names)
    MembershipFactory(user=user, tenant=world.tenant, role=role)
    return user
