"""Read queries for the warehouse pages. Every queryset starts from `scoping.scope()`, so what a
page shows is exactly what its user may see; the filters here only pick the page's subject."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.errors import ApplicationError
from core.permissions import ROLE_PERMISSIONS, Permission, allows, roles_with
from warehouse.access import has_permission
from warehouse.models import (
    Account,
    AccountHolder,
    AccountLink,
    AuditEvent,
    BatchStatus,
    Building,
    Clearing,
    ImportBatch,
    MappingProfile,
    Membership,
    OpenItem,
    Premises,
    Role,
    Service,
    SourceFormat,
    Supplier,
    SupplierServiceCode,
    Tenant,
    UnmatchedLine,
)
from warehouse.scoping import SCOPE_PATHS, _memberships, scope
from warehouse.selectors_open_items import open_debt_q, past_due_q
from warehouse.services.legal import due_date_of

RECENT_AUDIT_EVENTS = 50
RECENT_BATCHES = 5
REPORT_LINES_SHOWN = 500


@dataclass(frozen=True)
class UserRoles:
    """Which areas a signed-in user has: the operator's staff pages, a supplier's, a resident's."""

    staff: bool = False
    supplier: bool = False
    resident: bool = False


def user_roles(user, *, resident: bool | None = None) -> UserRoles:
    """The navigation's roles, from the memberships `scope()` reads once per request (shared
    with it) and a query for held accounts — skipped when the caller already knows (`resident`:
    a cabinet page that has just read the user's accounts); kept on the user object for the
    request."""
    if not user.is_authenticated:
        return UserRoles()
    cached = getattr(user, "_user_roles", None)
    if cached is None:
        roles = {role for _tenant, role, _supplier in _memberships(user)}
        if resident is None:
            resident = AccountHolder.objects.filter(user=user).exists()
        cached = UserRoles(
            staff=user.is_superuser
            or any(allows(role, Permission.VIEW_STAFF_PAGES) for role in roles),
            supplier=Role.SUPPLIER in roles,
            resident=resident,
        )
        user._user_roles = cached
    return cached


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
    # This month's charges: the period, their due date, and the rule behind it ("" when it is
    # the contract's day).
    due: tuple[str, dt.date, str] | None = None


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
        due=_this_months_due(tenant),
    )


def _this_months_due(tenant: Tenant) -> tuple[str, dt.date, str]:
    today = timezone.localdate(timezone=ZoneInfo(tenant.timezone or "UTC"))
    due, rule = due_date_of(tenant, today.year, today.month)
    source = rule.source if rule is not None and rule.day is not None else ""
    return f"{today:%Y-%m}", due, source


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


# --- charge imports ---------------------------------------------------------------------------


def staff_scope(user, queryset_or_model) -> QuerySet:
    """`scope()`, narrowed to the tenants where `user` is operator staff: the staff pages show
    a staff user's tenants only, even when they are a supplier user of another tenant."""
    rows = scope(user, queryset_or_model)
    if user.is_superuser:
        return rows
    staff_tenants = Membership.objects.filter(
        user=user, role__in=roles_with(Permission.VIEW_STAFF_PAGES)
    ).values("tenant_id")
    return rows.filter(**{f"{SCOPE_PATHS[rows.model].tenant}__in": staff_tenants})


# --- the caller's tenant -----------------------------------------------------------------------


def tenants_of(user) -> QuerySet[Tenant]:
    """The tenants `user` works in as operator staff, by code: the choices of every staff page's
    tenant filter, and the tenant a staff page defaults to (the first)."""
    return staff_scope(user, Tenant).order_by("code")


def staff_tenant_of(user, code: str | None) -> Tenant:
    """A staff page's tenant: the one `code` names among `tenants_of(user)`, or the first when
    no code is given. Http404 when there is none (another tenant's code answers the same as a
    code nobody has)."""
    tenants = tenants_of(user)
    tenant = tenants.filter(code=code).first() if code else tenants.first()
    if tenant is None:
        raise Http404
    return tenant


def tenant_not_found(code: str) -> ApplicationError:
    """The API's answer to a tenant code the caller may not see (404)."""
    return ApplicationError(
        f"no tenant {code!r}",
        code="not_found",
        extra={"tenant": ["No such tenant."]},
        status_code=404,
    )


def tenant_required() -> ApplicationError:
    """The API's answer to a call that must name its tenant (400)."""
    return ApplicationError(
        "name the tenant: you belong to more than one tenant, or to none",
        code="tenant_required",
        extra={"tenant": ["This field is required."]},
        status_code=400,
    )


def tenant_of_caller(user, code: str | None) -> Tenant:
    """An API call's tenant: the one `code` names, if the caller may see it (else
    `tenant_not_found`, 404), or — no code given — the caller's only tenant (else
    `tenant_required`, 400: they belong to several, or to none)."""
    if code:
        tenant = scope(user, Tenant).filter(code=code).first()
        if tenant is None:
            raise tenant_not_found(code)
        return tenant
    tenant_ids = {tenant_id for tenant_id, _role, _supplier in _memberships(user)}
    if len(tenant_ids) != 1:
        raise tenant_required()
    return Tenant.objects.get(pk=tenant_ids.pop())


def import_tenants(user) -> QuerySet[Tenant]:
    """The tenants where `user` may import charges (`Permission.IMPORT`)."""
    tenants = scope(user, Tenant)
    if user.is_superuser:
        return tenants
    return tenants.filter(
        pk__in=Membership.objects.filter(user=user, role__in=roles_with(Permission.IMPORT)).values(
            "tenant_id"
        )
    )


def can_import(user, tenant_id: int) -> bool:
    return has_permission(user, tenant_id, Permission.IMPORT)


def batch_list(user) -> QuerySet[ImportBatch]:
    """The batches on the staff pages, newest first, without their (large) reports."""
    return (
        staff_scope(user, ImportBatch)
        .select_related("tenant", "supplier")
        .defer("report")
        .order_by("-created_at", "-id")
    )


def recent_batches(user, tenant: Tenant) -> list[ImportBatch]:
    return list(batch_list(user).filter(tenant=tenant)[:RECENT_BATCHES])


def batch_get(user, pk: int) -> ImportBatch | None:
    """One batch a staff user may see, with what its page shows next to it."""
    return (
        staff_scope(user, ImportBatch)
        .select_related("tenant", "supplier", "profile", "created_by", "superseded_by")
        .filter(pk=pk)
        .first()
    )


def batch_visible(user, pk: int) -> ImportBatch | None:
    """One batch anyone may see whom `scope()` lets (the API: staff and supplier users)."""
    return scope(user, ImportBatch).select_related("tenant", "supplier").filter(pk=pk).first()


def batch_unmatched(batch: ImportBatch) -> list[UnmatchedLine]:
    return list(batch.unmatched.select_related("resolved_account").order_by("supplier_account"))


def unmatched_open(user) -> QuerySet[UnmatchedLine]:
    """The mapping queue: entries nobody has resolved yet, oldest batch first."""
    return (
        staff_scope(user, UnmatchedLine)
        .filter(resolved_at__isnull=True)
        .select_related("tenant", "supplier", "batch")
        .order_by("tenant__code", "supplier__code", "supplier_account", "batch_id")
    )


def unmatched_numbers(user) -> QuerySet[UnmatchedLine]:
    """One open entry per supplier account number — the oldest, which the queue's forms act
    on; resolving it resolves every open entry of the number."""
    open_entries = unmatched_open(user)
    oldest = (
        open_entries.order_by()
        .values("supplier_id", "supplier_account")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return open_entries.filter(pk__in=oldest)


def unmatched_batches(user, heads) -> dict[int, list[UnmatchedLine]]:
    """For each entry of `heads` (by pk), every open entry of its number: one per batch."""
    heads = list(heads)
    if not heads:
        return {}
    rows = unmatched_open(user).filter(
        supplier_id__in={h.supplier_id for h in heads},
        supplier_account__in={h.supplier_account for h in heads},
    )
    by_number: dict[tuple[int, str], list[UnmatchedLine]] = {}
    for row in rows:
        by_number.setdefault((row.supplier_id, row.supplier_account), []).append(row)
    return {h.pk: by_number.get((h.supplier_id, h.supplier_account), [h]) for h in heads}


def unmatched_get(user, pk: int) -> UnmatchedLine | None:
    return (
        staff_scope(user, UnmatchedLine).select_related("tenant", "supplier").filter(pk=pk).first()
    )


def batches_ready_to_rerun(user) -> QuerySet[ImportBatch]:
    """Rejected batches that sent lines to the mapping queue, all of them resolved since, whose
    file was kept and has not been run again (no later batch of the same bytes)."""
    later_run = ImportBatch.objects.filter(
        supplier=OuterRef("supplier"),
        period=OuterRef("period"),
        sha256=OuterRef("sha256"),
        pk__gt=OuterRef("pk"),
    )
    still_open = UnmatchedLine.objects.filter(batch=OuterRef("pk"), resolved_at__isnull=True)
    return (
        batch_list(user)
        .filter(status=BatchStatus.REJECTED, rows_unmatched__gt=0)
        .exclude(stored_file="")
        .filter(Exists(UnmatchedLine.objects.filter(batch=OuterRef("pk"))))
        .filter(~Exists(still_open), ~Exists(later_run))
    )


def supplier_choices(user, tenants: QuerySet[Tenant]) -> QuerySet[Supplier]:
    return (
        staff_scope(user, Supplier)
        .filter(tenant__in=tenants)
        .select_related("tenant")
        .order_by("tenant__code", "name")
    )


def profile_choices(user, tenants: QuerySet[Tenant]) -> QuerySet[MappingProfile]:
    return (
        staff_scope(user, MappingProfile)
        .filter(tenant__in=tenants)
        .select_related("tenant", "supplier")
        .order_by("tenant__code", "name")
    )


def account_in_tenant(user, tenant_id: int, account_number: str) -> Account | None:
    return (
        scope(user, Account)
        .filter(tenant_id=tenant_id, account_number=account_number.strip())
        .first()
    )


def report_lines(batch: ImportBatch, limit: int | None = REPORT_LINES_SHOWN) -> list[dict]:
    lines = batch.report or []
    return lines if limit is None else lines[:limit]


def accounts_of_reference(tenant, key: str):
    """The tenant's account a payment reference names by its account key (warehouse.account_keys):
    its `reference_key`, or — an account written without one — its number as it stands."""
    return Account.objects.filter(tenant=tenant).filter(
        Q(reference_key=key) | Q(reference_key="", account_number=key)
    )


# --- the operator's desk (cabinet.desk) --------------------------------------------------------


@dataclass(frozen=True)
class DebtTotals:
    overdue: int  # open debts past their due date
    not_due: int  # open debts due today or later


def debt_totals(tenant: Tenant, *, as_of: dt.date) -> DebtTotals:
    """What the tenant's accounts owe on `as_of`, overdue and not yet due (one aggregate over
    the open debts: the partial index `openitem_open_debt` of warehouse 0015)."""
    totals = OpenItem.objects.filter(open_debt_q(), tenant=tenant).aggregate(
        overdue=Coalesce(Sum("open_amount", filter=past_due_q(as_of)), 0),
        not_due=Coalesce(Sum("open_amount", filter=~past_due_q(as_of)), 0),
    )
    return DebtTotals(overdue=totals["overdue"], not_due=totals["not_due"])


def overdue_debt_at(tenant: Tenant, moments: list[tuple[dt.date, dt.datetime]]) -> list[int]:
    """The overdue debt as it stood at each moment — (day, the instant that day begins in the
    tenant's time) — as known now: the debts due before the day, less what was cleared of them
    before the instant (a reversal reopens). Two aggregate queries however many moments."""
    if not moments:
        return []
    last_day = max(day for day, _ in moments)
    billed = OpenItem.objects.filter(tenant=tenant, amount__gt=0, due_date__lt=last_day).aggregate(
        **{
            f"m{i}": Coalesce(Sum("amount", filter=Q(due_date__lt=day)), 0)
            for i, (day, _) in enumerate(moments)
        }
    )
    cleared = Clearing.objects.filter(
        tenant=tenant, open_item__amount__gt=0, open_item__due_date__lt=last_day
    ).aggregate(
        **{
            f"m{i}": Coalesce(
                Sum("amount", filter=Q(open_item__due_date__lt=day, cleared_at__lt=instant)), 0
            )
            for i, (day, instant) in enumerate(moments)
        }
    )
    return [billed[f"m{i}"] - cleared[f"m{i}"] for i in range(len(moments))]


def mapping_queue_size(tenant: Tenant) -> int:
    """Supplier account numbers waiting in the mapping queue (one per number, however many
    batches sent it)."""
    return (
        UnmatchedLine.objects.filter(tenant=tenant, resolved_at__isnull=True)
        .values("supplier_id", "supplier_account")
        .distinct()
        .count()
    )


def batches_waiting(tenant: Tenant) -> int:
    """Import batches received or validated but not posted (nor rejected, nor superseded)."""
    return ImportBatch.objects.filter(
        tenant=tenant, status__in=[BatchStatus.RECEIVED, BatchStatus.VALIDATED]
    ).count()


def suppliers_with_files(tenant: Tenant, period: str) -> tuple[int, int]:
    """(suppliers that sent a posted file for `period`, the tenant's suppliers); penalty batches
    are not a supplier's file."""
    posted = (
        ImportBatch.objects.filter(tenant=tenant, period=period, status=BatchStatus.POSTED)
        .exclude(source_format=SourceFormat.PENALTY)
        .values("supplier_id")
        .distinct()
        .count()
    )
    return posted, Supplier.objects.filter(tenant=tenant).count()


def accounts_matching(accounts: QuerySet[Account], text: str) -> QuerySet[Account]:
    """`accounts` whose number, payer, phone or address (building, then premises number: "Main
    St 5, 12") contains `text`, case-insensitively; digits alone also match the phone's digits.
    PostgreSQL serves the `contains` with the trigram indexes of warehouse 0015."""
    text = " ".join(text.split())
    if not text:
        return accounts.none()
    match = (
        Q(account_number__icontains=text)
        | Q(payer_name__icontains=text)
        | Q(premises__building__address__icontains=text)
    )
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4 and len(digits) >= len(text.replace(" ", "")) - 3:  # a phone number
        match |= Q(phone__contains=digits[-10:])
    address, _sep, premises = text.rpartition(",")
    if address.strip() and premises.strip():
        match |= Q(
            premises__building__address__icontains=address.strip(),
            premises__number__iexact=premises.strip(),
        )
    return accounts.filter(match)


def user_permissions(user) -> frozenset[Permission]:
    """Every permission `user` holds in some tenant (a superuser all of them), from the
    memberships read once per request: what the navigation may offer them."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    if user.is_superuser:
        return frozenset(Permission)
    granted: set[Permission] = set()
    for _tenant, role, _supplier in _memberships(user):
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
