"""The role → permission table holds what each role could do before it existed, and every
membership role has a row."""

import ast
from pathlib import Path

import pytest

from core.permissions import ROLE_PERMISSIONS, Permission, allows, roles_with
from warehouse.models import Role

P = Permission


def test_every_membership_role_has_a_row_and_no_row_is_for_an_unknown_role():
    assert set(ROLE_PERMISSIONS) == set(Role.values)


@pytest.mark.parametrize(
    ("permission", "roles"),
    [
        (P.VIEW_STAFF_PAGES, {"operator_admin", "accountant", "collector"}),
        (P.IMPORT, {"operator_admin", "accountant"}),
        (P.POST_PAYMENTS, {"operator_admin", "accountant"}),
        (P.CLOSE_PERIOD, {"operator_admin", "accountant"}),
        (P.CHARGE_PENALTIES, {"operator_admin", "accountant"}),
        (P.MANAGE_DEBT, {"operator_admin", "collector"}),
        (P.ADMINISTER_COLLECTIONS, {"operator_admin"}),
        (P.VIEW_REGISTRIES, {"operator_admin", "accountant", "collector", "supplier"}),
    ],
)
def test_who_has_each_permission(permission, roles):
    assert set(roles_with(permission)) == roles
    assert {role for role in Role.values if allows(role, permission)} == roles


def test_no_membership_or_an_unknown_role_allows_nothing():
    assert not any(allows(None, p) for p in Permission)
    assert not any(allows("auditor", p) for p in Permission)


APPS = {
    "warehouse",
    "invoicing",
    "splitting",
    "wallets",
    "messaging",
    "debt_collection",
    "cabinet",
    "integrations",
    "config",
    "demo",
}


def test_core_imports_no_app_of_ours_not_even_inside_a_function():
    core = Path(__file__).resolve().parents[2] / "core"
    found = []
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in APPS]
    assert found == []
