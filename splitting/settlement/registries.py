"""The suppliers' daily registries: the payments in each supplier's favour (reversals negative)
and what else it is owed through an app above (`splitting.hooks.supplier_credits`: the corporate
payers' coupons used at its offices), and the files of their lines. Settling them is
`splitting.settlement.payouts`."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.errors import ApplicationError
from integrations.settlement import one_c_registry, registry_files
from integrations.settlement.types import Registry as RegistryDocument
from integrations.settlement.types import RegistryLine
from splitting import hooks
from splitting.models import Allocation, Registry
from splitting.settlement.orders import party
from warehouse.models import Supplier, Tenant

FORMATS = ("csv", "xlsx", "1c")  # the registry's lines; "1c" is the 1C registry of payments


def day_end(tenant: Tenant, day: date) -> datetime:
    """The first instant after `day` in the tenant's time zone."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(tenant.timezone))


def registry_number(tenant: Tenant, supplier: Supplier, day: date) -> str:
    return f"R{day:%Y%m%d}-{tenant.pk}-{supplier.pk}"


def registries_build(*, tenant: Tenant, day: date) -> list[Registry]:
    """Each supplier's registry for `day`: every allocation in its favour booked before the end
    of that day and every supplier credit due before then (a coupon used at its office), not
    yet in a registry (so a late booking lands in the next day's). A supplier credit carries no
    commission: the supplier gets it whole. Building a day again returns what was built; a
    supplier with nothing that day gets no registry."""
    end = day_end(tenant, day)
    built = []
    for supplier in Supplier.objects.filter(tenant=tenant).order_by("pk"):
        with transaction.atomic():
            Supplier.objects.select_for_update().filter(pk=supplier.pk).values_list("pk").get()
            existing = Registry.objects.filter(supplier=supplier, day=day).first()
            if existing is not None:
                built.append(existing)
                continue
            pending = Allocation.objects.filter(
                supplier=supplier, registry__isnull=True, booked_at__lt=end
            )
            if not pending.exists() and not hooks.supplier_credits_pending(
                supplier=supplier, before=end
            ):
                continue
            registry = Registry.objects.create(
                tenant=tenant,
                supplier=supplier,
                day=day,
                number=registry_number(tenant, supplier, day),
                count=0,
                gross=0,
                commission=0,
                net=0,
                created_at=timezone.now(),
            )
            pending.update(registry=registry)
            credits, credited = hooks.supplier_credits_attach(
                supplier=supplier, registry=registry, before=end
            )
            totals = Allocation.objects.filter(registry=registry).aggregate(
                count=Count("pk"),
                gross=Coalesce(Sum("amount"), 0),
                commission=Coalesce(Sum("commission"), 0),
            )
            registry.count = totals["count"] + credits
            registry.gross = totals["gross"] + credited
            registry.commission = totals["commission"]
            registry.net = registry.gross - registry.commission
            registry.save(update_fields=["count", "gross", "commission", "net"])
            built.append(registry)
    return built


def registries_build_due(now: datetime | None = None) -> list[Registry]:
    """Yesterday's registries of every tenant, yesterday in the tenant's own time zone (the
    hourly beat job: idempotent, so running it every hour is harmless)."""
    now = now or timezone.now()
    built = []
    for tenant in Tenant.objects.order_by("pk"):
        local_day = now.astimezone(ZoneInfo(tenant.timezone)).date()
        built += registries_build(tenant=tenant, day=local_day - timedelta(days=1))
    return built


def registry_document(registry: Registry) -> RegistryDocument:
    """The registry's lines in booking order: its allocations, then — at the same instant — its
    supplier credits (used coupons)."""
    return registries_document([registry], number=registry.number, day=registry.day)


def registries_document(
    registries: list[Registry], *, number: str, day: date, supplier=None
) -> RegistryDocument:
    """The lines of several registries of one supplier (a week's, a month's) as one document,
    in booking order; no registries gives a document without lines (of `supplier`)."""
    supplier = registries[0].supplier if registries else supplier
    tenant = supplier.tenant
    rows = (
        Allocation.objects.filter(registry__in=registries)
        .order_by("booked_at", "pk")
        .values_list(  # plain rows: a registry of a month may hold tens of thousands
            "pk",
            "booked_at",
            "period",
            "payment_id",
            "amount",
            "commission",
            "payment__document_reference",
            "payment__account__account_number",
        )
    )
    lines = [
        (
            (at, 0, pk),
            RegistryLine(
                account_number=number_,
                period=period,
                document_reference=reference,
                payment_id=str(payment_id),
                booked_at=at,
                amount=amount,
                commission=commission,
            ),
        )
        for pk, at, period, payment_id, amount, commission, reference, number_ in rows.iterator(
            chunk_size=5_000
        )
    ]
    for registry in registries:
        lines += [
            ((item.at, rank, item.pk), item.line)
            for rank, item in hooks.supplier_registry_items(registry=registry)
        ]
    return RegistryDocument(
        id=number,
        day=day,
        currency=tenant.currency,
        supplier=party(supplier),
        operator=party(tenant),
        lines=tuple(line for _, line in sorted(lines, key=lambda pair: pair[0])),
    )


def registry_file(*, registry: Registry, file_format: str) -> tuple[bytes, str]:
    """The registry's lines as a file (content, file name): CSV, XLSX or the 1C registry of
    payments. Reading it books nothing: the payout's payment order is written when the payout is
    booked (`splitting.settlement.payouts`)."""
    registry = Registry.objects.select_related("tenant", "supplier").get(pk=registry.pk)
    return lines_file(
        registry_document(registry),
        file_format,
        stem=registry.number,
        created_at=registry.created_at,
        zone=ZoneInfo(registry.tenant.timezone),
    )


def lines_file(
    document: RegistryDocument,
    file_format: str,
    *,
    stem: str,
    created_at: datetime,
    zone: ZoneInfo,
    first_day: date | None = None,
    last_day: date | None = None,
) -> tuple[bytes, str]:
    """Registry lines as a file of `file_format`; a document of several days says which
    (`first_day`…`last_day`) where the format has a place for it."""
    if file_format == "csv":
        return registry_files.registry_csv(document), f"{stem}.csv"
    if file_format == "xlsx":
        return registry_files.registry_xlsx(document), f"{stem}.xlsx"
    if file_format == "1c":
        content = one_c_registry.registry_1c(
            document, created_at=created_at, tz=zone, date_from=first_day, date_to=last_day
        )
        return content, f"{stem}.txt"
    raise ApplicationError(f"unknown registry format {file_format!r}", code="bad_format")
