"""Who may see what. Every view, admin page and API endpoint narrows its querysets with
`scope()`, never with an ad-hoc filter, so one place decides visibility:

- a superuser sees everything;
- operator staff (admin, accountant, collector) see all rows of the tenants they belong to;
- a supplier user sees their tenant's reference data, their own supplier, and the accounts
  linked to it;
- a resident sees the accounts they hold.

Each scoped model declares its paths in `SCOPE_PATHS`: the lookup to its tenant, to the
supplier(s) it concerns and to the account it concerns (None when the row does not concern one).
"""

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from core.permissions import Permission, allows, roles_with
from warehouse.models import (
    Account,
    AccountHolder,
    AccountLink,
    AuditEvent,
    Building,
    Charge,
    Clearing,
    ClosedPeriod,
    ImportBatch,
    MappingProfile,
    Membership,
    OpenItem,
    Premises,
    Role,
    Service,
    Supplier,
    SupplierFlow,
    SupplierServiceCode,
    Tenant,
    UnmatchedLine,
)


@dataclass(frozen=True)
class ScopePaths:
    tenant: str
    supplier: str | None = None
    account: str | None = None
    through_many: bool = False  # a path crosses a reverse relation, so rows can repeat


SCOPE_PATHS: dict[type[Model], ScopePaths] = {
    Tenant: ScopePaths(tenant="pk"),
    Supplier: ScopePaths(tenant="tenant", supplier="pk"),
    SupplierFlow: ScopePaths(tenant="supplier__tenant", supplier="supplier"),
    Service: ScopePaths(tenant="tenant"),
    SupplierServiceCode: ScopePaths(tenant="tenant", supplier="supplier"),
    Building: ScopePaths(
        tenant="tenant",
        supplier="premises__accounts__links__supplier",
        account="premises__accounts",
        through_many=True,
    ),
    Premises: ScopePaths(
        tenant="tenant", supplier="accounts__links__supplier", account="accounts", through_many=True
    ),
    Account: ScopePaths(
        tenant="tenant", supplier="links__supplier", account="pk", through_many=True
    ),
    AccountLink: ScopePaths(tenant="tenant", supplier="supplier", account="account"),
    Membership: ScopePaths(tenant="tenant", supplier="supplier"),
    AuditEvent: ScopePaths(tenant="tenant"),
    AccountHolder: ScopePaths(tenant="account__tenant", account="account"),
    MappingProfile: ScopePaths(tenant="tenant", supplier="supplier"),
    ImportBatch: ScopePaths(tenant="tenant", supplier="supplier"),
    UnmatchedLine: ScopePaths(tenant="tenant", supplier="supplier"),
    Charge: ScopePaths(tenant="tenant", supplier="supplier", account="account"),
    OpenItem: ScopePaths(tenant="tenant", supplier="supplier", account="account"),
    Clearing: ScopePaths(
        tenant="tenant", supplier="open_item__supplier", account="open_item__account"
    ),
    ClosedPeriod: ScopePaths(tenant="tenant"),
}


def register(model: type[Model], paths: ScopePaths) -> None:
    """Later apps register their tenant-owned models here (warehouse cannot import them)."""
    SCOPE_PATHS[model] = paths


def staff_tenant_ids(user) -> list[int]:
    return list(
        Membership.objects.filter(
            user=user, role__in=roles_with(Permission.VIEW_STAFF_PAGES)
        ).values_list("tenant_id", flat=True)
    )


def is_operator_staff(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or Membership.objects.filter(
            user=user, role__in=roles_with(Permission.VIEW_STAFF_PAGES)
        ).exists()
    )


def role_in(user, tenant) -> str | None:
    if user.is_superuser:
        return Role.OPERATOR_ADMIN
    membership = Membership.objects.filter(user=user, tenant=tenant).first()
    return membership.role if membership else None


def _memberships(user) -> list[tuple[int, str, int | None]]:
    """The user's (tenant, role, supplier) rows, read once per user object (one request)."""
    cached = getattr(user, "_scope_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).values_list("tenant_id", "role", "supplier_id")
        )
        user._scope_memberships = cached
    return cached


def scope(user, queryset_or_model) -> QuerySet:
    """The rows of a queryset (or model) that `user` may see."""
    qs = (
        queryset_or_model
        if isinstance(queryset_or_model, QuerySet)
        else queryset_or_model._default_manager.all()
    )
    if not user or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    paths = SCOPE_PATHS.get(qs.model)
    if paths is None:
        raise LookupError(
            f"{qs.model.__name__} has no scope paths; register it in warehouse.scoping"
        )

    visible = Q(pk__in=[])
    memberships = _memberships(user)
    staff_tenants = [t for t, role, _ in memberships if allows(role, Permission.VIEW_STAFF_PAGES)]
    if staff_tenants:
        visible |= Q(**{f"{paths.tenant}__in": staff_tenants})
    for tenant_id, role, supplier_id in memberships:
        if role != Role.SUPPLIER:
            continue
        if paths.supplier is not None:
            visible |= Q(**{paths.tenant: tenant_id, paths.supplier: supplier_id})
        elif qs.model is Tenant or paths.account is None:
            visible |= Q(**{paths.tenant: tenant_id})
    if paths.account is not None:
        held = AccountHolder.objects.filter(user=user).values("account_id")
        visible |= Q(**{f"{paths.account}__in": held})
    if qs.model is Tenant:
        held_tenants = Account.objects.filter(holders__user=user).values("tenant_id")
        visible |= Q(pk__in=held_tenants)
    return qs.filter(visible).distinct() if paths.through_many else qs.filter(visible)
