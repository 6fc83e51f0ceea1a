"""Read queries for the warehouse pages. Every queryset starts from `scoping.scope()`, so what a
page shows is exactly what its user may see; the filters here only pick the page's subject."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from warehouse.models import (
    Account,
    AccountHolder,
    AccountLink,
    AuditEvent,
    Building,
    Membership,
    Premises,
    Role,
    Service,
    Supplier,
    SupplierServiceCode,
    Tenant,
)
from warehouse.scoping import is_operator_staff, scope

RECENT_AUDIT_EVENTS = 50


@dataclass(frozen=True)
class UserRoles:
    """Which areas a signed-in user has: the operator's staff pages, a supplier's, a resident's."""

    staff: bool = False
    supplier: bool = False
    resident: bool = False


def user_roles(user) -> UserRoles:
    if not user.is_authenticated:
        return UserRoles()
    return UserRoles(
        staff=is_operator_staff(user),
        supplier=Membership.objects.filter(user=user, role=Role.SUPPLIER).exists(),
        resident=AccountHolder.objects.filter(user=user).exists(),
    )


def _visible_count(user, model: type[Model], *, count: str = "pk", **match) -> Coalesce:
    """A subquery counting the rows of `model` visible to `user` that match `match`
    (values may be OuterRef), with 0 where there are none."""
    rows = (
        model.objects.filter(pk__in=scope(user, model).values("pk"), **match)
        .order_by()
        .values(*match)
        .annotate(n=Count(count, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def tenants_visible(user) -> QuerySet[Tenant]:
    return scope(user, Tenant)


def tenant_overview(user) -> QuerySet[Tenant]:
    """The tenants `user` may see, each with the number of its rows the user may see. One query
    (plus the memberships `scope()` reads), however many tenants there are."""
    outer = OuterRef("pk")
    return tenants_visible(user).annotate(
        supplier_count=_visible_count(user, Supplier, tenant=outer),
        service_count=_visible_count(user, Service, tenant=outer),
        building_count=_visible_count(user, Building, tenant=outer),
        premises_count=_visible_count(user, Premises, tenant=outer),
        account_count=_visible_count(user, Account, tenant=outer),
        link_count=_visible_count(user, AccountLink, tenant=outer),
    )


@dataclass(frozen=True)
class TenantDetail:
    tenant: Tenant
    suppliers: list[Supplier]
    services: list[Service]
    service_codes: list[SupplierServiceCode]
    audit_events: list[AuditEvent]


def tenant_detail(user, tenant: Tenant) -> TenantDetail:
    """A tenant's reference data and its latest audit events, as far as `user` may see them."""
    return TenantDetail(
        tenant=tenant,
        suppliers=list(scope(user, Supplier).filter(tenant=tenant).order_by("code")),
        services=list(scope(user, Service).filter(tenant=tenant).order_by("code")),
        service_codes=list(
            scope(user, SupplierServiceCode)
            .filter(tenant=tenant)
            .select_related("supplier", "service")
            .order_by("supplier__code", "external_code")
        ),
        audit_events=list(
            scope(user, AuditEvent)
            .filter(tenant=tenant)
            .select_related("actor")
            .order_by("-created_at", "-id")[:RECENT_AUDIT_EVENTS]
        ),
    )


def supplier_overview(user) -> QuerySet[Supplier]:
    """The suppliers `user` works for (their supplier memberships), with the number of accounts
    linked to each."""
    return (
        scope(user, Supplier)
        .filter(membership__user=user, membership__role=Role.SUPPLIER)
        .select_related("tenant")
        .annotate(
            linked_accounts=_visible_count(
                user, AccountLink, count="account", supplier=OuterRef("pk")
            )
        )
        .order_by("tenant__name", "name")
    )


def resident_accounts(user) -> QuerySet[Account]:
    """The accounts `user` holds, with their tenant and address."""
    return (
        scope(user, Account)
        .filter(holders__user=user)
        .select_related("tenant", "premises__building")
        .order_by("tenant__name", "account_number")
    )
