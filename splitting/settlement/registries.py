"""Settling with suppliers: the daily registry of the payments in each supplier's favour and of
what else it is owed through an app above (`splitting.hooks.supplier_credits`: the corporate
payers' coupons used at its offices), the payout of its net amount, and the files both travel
in."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.errors import ApplicationError
from integrations.settlement import one_c, pain001, registry_files
from integrations.settlement.types import Party, RegistryLine
from integrations.settlement.types import Payout as PayoutOrder
from integrations.settlement.types import Registry as RegistryDocument
from splitting import hooks
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.models import (
    Allocation,
    Payout,
    Registry,
    RegistryStatus,
    TransactionKind,
)
from warehouse.models import AuditEvent, Supplier, Tenant

FORMATS = ("csv", "xlsx", "1c", "pain001")


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


@transaction.atomic(durable=True)
def payout_create(*, registry: Registry, actor=None) -> Payout:
    """Books the transfer of the registry's net amount to the supplier and marks the registry
    paid. Its EndToEndId is the registry number. Creating it again returns the same payout."""
    registry = Registry.objects.select_for_update().get(pk=registry.pk)
    existing = Payout.objects.filter(registry=registry).first()
    if existing is not None:
        return existing
    if registry.net <= 0:
        raise ApplicationError(
            f"registry {registry.number} nets {registry.net}: nothing to pay out (reversals are "
            "recovered from the next payout)",
            code="nothing_to_pay",
        )
    now = timezone.now()
    txn = ledger.transaction_post(
        tenant_id=registry.tenant_id,
        kind=TransactionKind.PAYOUT,
        legs=[
            Leg(ledger.payable(registry.supplier_id), registry.net),
            Leg(ledger.BANK, -registry.net),
        ],
        memo=f"payout of registry {registry.number}",
        at=now,
    )
    payout = Payout.objects.create(
        tenant_id=registry.tenant_id,
        supplier_id=registry.supplier_id,
        registry=registry,
        amount=registry.net,
        end_to_end_id=registry.number,
        transaction=txn,
        created_at=now,
        actor=actor,
    )
    registry.status = RegistryStatus.PAID
    registry.save(update_fields=["status"])
    AuditEvent.objects.create(
        tenant_id=registry.tenant_id,
        actor=actor,
        action="payout.created",
        detail={"registry": registry.number, "amount": registry.net},
    )
    return payout


def _party(owner) -> Party:
    return Party(
        name=owner.name,
        iban=owner.iban,
        bic=owner.bic,
        bank_name=owner.bank_name,
        bank_account=owner.bank_account,
        corr_account=owner.corr_account,
        inn=owner.inn,
        kpp=owner.kpp,
    )


def registry_document(registry: Registry) -> RegistryDocument:
    """The registry's lines in booking order: its allocations, then — at the same instant — its
    supplier credits (used coupons)."""
    rows = (
        Allocation.objects.filter(registry=registry)
        .select_related("payment__account")
        .order_by("booked_at", "pk")
    )
    lines = [
        (
            (row.booked_at, 0, row.pk),
            RegistryLine(
                account_number=row.payment.account.account_number,
                period=row.period,
                document_reference=row.payment.document_reference,
                payment_id=str(row.payment_id),
                booked_at=row.booked_at,
                amount=row.amount,
                commission=row.commission,
            ),
        )
        for row in rows
    ]
    lines += [
        ((item.at, rank, item.pk), item.line)
        for rank, item in hooks.supplier_registry_items(registry=registry)
    ]
    return RegistryDocument(
        id=registry.number,
        day=registry.day,
        currency=registry.tenant.currency,
        supplier=_party(registry.supplier),
        operator=_party(registry.tenant),
        lines=tuple(line for _, line in sorted(lines, key=lambda pair: pair[0])),
    )


def _payout_order(registry: Registry, payout: Payout) -> PayoutOrder:
    return PayoutOrder(
        end_to_end_id=payout.end_to_end_id,
        amount=payout.amount,
        currency=registry.tenant.currency,
        creditor=_party(registry.supplier),
        remittance=f"Registry {registry.number} of {registry.day:%Y-%m-%d}: "
        f"{registry.count} payments",
    )


def registry_file(*, registry: Registry, file_format: str, actor=None) -> tuple[bytes, str]:
    """The registry as a file: (content, file name). The payment orders (1c, pain001) pay the
    registry out: they book the payout first, if it is not booked yet."""
    registry = Registry.objects.select_related("tenant", "supplier").get(pk=registry.pk)
    stem = registry.number
    if file_format == "csv":
        return registry_files.registry_csv(registry_document(registry)), f"{stem}.csv"
    if file_format == "xlsx":
        return registry_files.registry_xlsx(registry_document(registry)), f"{stem}.xlsx"
    if file_format not in FORMATS:
        raise ApplicationError(f"unknown registry format {file_format!r}", code="bad_format")
    payout = payout_create(registry=registry, actor=actor)
    order = _payout_order(registry, payout)
    debtor = _party(registry.tenant)
    if file_format == "1c":
        content = one_c.payout_1c(
            payouts=[order], debtor=debtor, created_at=payout.created_at, day=registry.day
        )
        return content, f"{stem}.txt"
    content = pain001.payout_pain001(
        payouts=[order],
        debtor=debtor,
        message_id=f"MSG-{stem}"[:35],
        created_at=payout.created_at,
        execution_date=payout.created_at.astimezone(ZoneInfo(registry.tenant.timezone)).date(),
    )
    return content, f"{stem}.xml"
