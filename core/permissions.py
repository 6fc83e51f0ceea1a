"""What each membership role may do, by name: a view or an API asks for a named permission
(`allows(role, Permission.CLOSE_PERIOD)`), never for a set of roles, so who may do what is
read and changed in this one table.

Roles are the values of `warehouse.models.Role` (a membership's role in one tenant). core
imports no app, so the table is keyed by those strings and the functions take a role, not a
user: warehouse, which owns the memberships, reads a user's role in a tenant (`role_in`) or
filters memberships by `roles_with(permission)`; a superuser is allowed everything there.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache


class Permission(StrEnum):
    # The operator's staff pages and everything of the tenant they show (read only).
    VIEW_STAFF_PAGES = "view_staff_pages"
    # Import charges and account registers, re-run a batch, work the mapping queue.
    IMPORT = "import"
    # Post and reverse payments, settle: registries, payouts, the cash desk, bank statements
    # and suspense, resending webhooks, wallets.
    POST_PAYMENTS = "post_payments"
    CLOSE_PERIOD = "close_period"
    CHARGE_PENALTIES = "charge_penalties"
    # Work debt cases: be assigned one, call, promise, plan, generate legal documents.
    MANAGE_DEBT = "manage_debt"
    # Edit the tenant's legal document templates, add collection agencies.
    ADMINISTER_COLLECTIONS = "administer_collections"
    # The settlement registries page (what is on it is scoped further: a supplier sees its own).
    VIEW_REGISTRIES = "view_registries"


P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "operator_admin": frozenset(Permission),
    "accountant": frozenset(
        {
            P.VIEW_STAFF_PAGES,
            P.IMPORT,
            P.POST_PAYMENTS,
            P.CLOSE_PERIOD,
            P.CHARGE_PENALTIES,
            P.VIEW_REGISTRIES,
        }
    ),
    "collector": frozenset({P.VIEW_STAFF_PAGES, P.MANAGE_DEBT, P.VIEW_REGISTRIES}),
    "supplier": frozenset({P.VIEW_REGISTRIES}),
}


def allows(role: str | None, permission: Permission) -> bool:
    """Whether `role` (None: no membership) has `permission`."""
    return role is not None and permission in ROLE_PERMISSIONS.get(role, frozenset())


@cache
def roles_with(permission: Permission) -> tuple[str, ...]:
    """The roles that have `permission`, for a query on memberships (`role__in=`)."""
    return tuple(role for role, granted in ROLE_PERMISSIONS.items() if permission in granted)
