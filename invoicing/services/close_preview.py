"""What closing a period will do, read before it is done: `close_preview` gathers, for the
confirmation page, each supplier of the tenant with the charge file it posted for the period
(or none), the accounts that will get a document, the total to be billed and the month-end
steps that still refuse the close (`invoicing.hooks.close_refusals`, e.g. the penalty run).
Reads only; the close itself is `invoicing.services.closing.period_close`."""

from __future__ import annotations

from dataclasses import dataclass

from invoicing import hooks
from invoicing.models import BillingPeriod, PeriodStatus
from warehouse.models import Account, BatchStatus, ImportBatch, SourceFormat, Supplier, Tenant
from warehouse.services.periods import period_parse


@dataclass(frozen=True)
class SupplierFile:
    """One supplier and the charge file it posted for the period (None: it sent nothing)."""

    code: str
    name: str
    batch: ImportBatch | None

    @property
    def sent(self) -> bool:
        return self.batch is not None


@dataclass(frozen=True)
class ClosePreview:
    tenant: Tenant
    period: str
    status: str  # a PeriodStatus
    suppliers: list[SupplierFile]
    accounts: int  # the accounts that will get a document
    supplier_total: int  # minor units: the posted suppliers' files
    penalties_total: int  # minor units: the period's posted penalty charges
    refusals: list[str]  # month-end steps still missing; the close is refused while any

    @property
    def total(self) -> int:
        return self.supplier_total + self.penalties_total

    @property
    def missing(self) -> list[SupplierFile]:
        return [s for s in self.suppliers if not s.sent]

    @property
    def sent(self) -> list[SupplierFile]:
        return [s for s in self.suppliers if s.sent]

    @property
    def closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED

    @property
    def resumable(self) -> bool:
        """An interrupted close: the period is frozen already, the close only finishes it."""
        return self.status == PeriodStatus.CLOSING


def close_preview(*, tenant: Tenant, period: str) -> ClosePreview:
    period_parse(period)
    existing = BillingPeriod.objects.filter(tenant=tenant, period=period).first()
    status = existing.status if existing else PeriodStatus.OPEN
    posted = ImportBatch.objects.filter(tenant=tenant, period=period, status=BatchStatus.POSTED)
    files = {
        b.supplier_id: b
        for b in posted.exclude(source_format=SourceFormat.PENALTY).order_by("supplier_id", "pk")
    }
    penalties_total = sum(
        posted.filter(source_format=SourceFormat.PENALTY).values_list("amount_total", flat=True)
    )
    suppliers = [
        SupplierFile(code=s.code, name=s.name, batch=files.get(s.pk))
        for s in Supplier.objects.filter(tenant=tenant).order_by("code")
    ]
    refusals = (
        hooks.close_refusals(tenant=tenant, period=period) if status == PeriodStatus.OPEN else []
    )
    return ClosePreview(
        tenant=tenant,
        period=period,
        status=status,
        suppliers=suppliers,
        accounts=Account.objects.filter(tenant=tenant, is_active=True).count(),
        supplier_total=sum(f.batch.amount_total for f in suppliers if f.batch),
        penalties_total=penalties_total,
        refusals=refusals,
    )
