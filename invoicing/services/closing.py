"""`period_close`: freezes a period's charges and issues ONE payment document per account.

The close runs in steps, each its own transaction: `_begin` freezes the period and fixes the
cut-off instants (the previous close and this one); the accounts are then issued in chunks, one
Celery task each (`issue_chunk`; what a document says and how the chunk's documents are computed
is `invoicing.services.issuing`); the chunk that issues the last document marks the period
closed. An interrupted close resumes, and a retried chunk issues nothing twice.
`document_reissue` computes one account's document again under the same cut-offs."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import ngettext

from core.errors import ApplicationError
from invoicing import hooks
from invoicing.models import (
    BillingPeriod,
    DocumentStatus,
    PaymentDocument,
    PeriodStatus,
)
from invoicing.services.issuing import documents_issue
from warehouse.models import (
    Account,
    AuditEvent,
    BatchStatus,
    ImportBatch,
    SourceFormat,
    Supplier,
    Tenant,
)
from warehouse.services.legal import documents_deadline_of
from warehouse.services.periods import period_lock, period_parse

CHUNK_SIZE = 2000  # accounts per Celery task


@dataclass(frozen=True)
class CloseResult:
    billing_period: BillingPeriod
    issued: int
    already_closed: bool
    missing: list[str]

    @property
    def documents_due_by(self) -> dt.date | None:
        """The day by which the law wants the period's documents out (RU: the 5th of the next
        month from 01.03.2026, 177-ФЗ; `DueDateRule.documents_by_day`), if it says."""
        year, month = period_parse(self.billing_period.period)
        return documents_deadline_of(self.billing_period.tenant, year, month)

    @property
    def documents_late(self) -> bool:
        """Whether the documents went out after that day (the tenant's local date of the close)."""
        due_by, closed_at = self.documents_due_by, self.billing_period.closed_at
        if due_by is None or closed_at is None:
            return False
        zone = ZoneInfo(self.billing_period.tenant.timezone or "UTC")
        return closed_at.astimezone(zone).date() > due_by


def suppliers_missing(tenant: Tenant, period: str) -> list[str]:
    posted = ImportBatch.objects.filter(
        tenant=tenant, period=period, status=BatchStatus.POSTED
    ).exclude(source_format=SourceFormat.PENALTY)  # penalties are not a supplier's charges
    return list(
        Supplier.objects.filter(tenant=tenant)
        .exclude(pk__in=posted.values("supplier_id"))
        .order_by("code")
        .values_list("code", flat=True)
    )


def period_close(
    *,
    tenant: Tenant,
    period: str,
    actor=None,
    allow_missing: bool = False,
) -> CloseResult:
    period_parse(period)
    existing = BillingPeriod.objects.filter(tenant=tenant, period=period).first()
    if existing and existing.status == PeriodStatus.CLOSED:
        return CloseResult(existing, 0, True, existing.missing_suppliers)
    if existing is None or existing.status == PeriodStatus.OPEN:
        refusals = hooks.close_refusals(tenant=tenant, period=period)
        if refusals:
            raise ApplicationError(" ".join(refusals), code="month_end_step_missing")
    missing = suppliers_missing(tenant, period)
    if missing and not allow_missing:
        raise ApplicationError(
            ngettext(
                "%(n)d supplier has no posted charges for %(period)s: %(suppliers)s. Import its "
                "file first, or tick “Close without the suppliers that sent nothing” on the "
                "confirmation page to go ahead without it.",
                "%(n)d suppliers have no posted charges for %(period)s: %(suppliers)s. Import "
                "their files first, or tick “Close without the suppliers that sent nothing” on "
                "the confirmation page to go ahead without them.",
                len(missing),
            )
            % {"n": len(missing), "period": period, "suppliers": ", ".join(missing)},
            code="suppliers_missing",
            extra={"missing": missing},
        )
    billing_period = _begin(tenant, period, actor=actor, missing=missing)
    if billing_period.status == PeriodStatus.CLOSED:
        return CloseResult(billing_period, 0, True, billing_period.missing_suppliers)
    _dispatch(billing_period)
    billing_period.refresh_from_db()
    return CloseResult(billing_period, billing_period.documents_issued, False, missing)


@transaction.atomic(durable=True)
def _begin(tenant, period, *, actor, missing) -> BillingPeriod:
    """Freezes the period and fixes the cut-off instants; the documents follow in chunks. A
    close that was interrupted (status closing) resumes where it stopped."""
    billing_period, _ = BillingPeriod.objects.get_or_create(tenant=tenant, period=period)
    billing_period = BillingPeriod.objects.select_for_update().get(pk=billing_period.pk)
    if billing_period.status == PeriodStatus.OPEN:
        period_lock(tenant=tenant, period=period, actor=actor)
        billing_period.status = PeriodStatus.CLOSING
        billing_period.previous_close_at = _previous_close(tenant, period)
        billing_period.closed_at, billing_period.closed_by = timezone.now(), actor
        billing_period.documents_total = Account.objects.filter(
            tenant=tenant, is_active=True
        ).count()
        billing_period.missing_suppliers = missing
        billing_period.save()
    return billing_period


def chunks_of(billing_period: BillingPeriod) -> list[list[int]]:
    ids = list(
        Account.objects.filter(tenant_id=billing_period.tenant_id, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]


def _dispatch(billing_period: BillingPeriod) -> None:
    """One Celery task per chunk of accounts (eager in the demo: they run here and now)."""
    from invoicing.tasks import issue_documents_chunk

    chunks = chunks_of(billing_period)
    for ids in chunks:
        issue_documents_chunk.delay(billing_period.pk, ids)
    if not chunks:
        period_close_finish(billing_period.pk)


def issue_chunk(billing_period_id: int, account_ids: list[int]) -> int:
    """Issues the documents of these accounts that are not issued yet — so a retried chunk
    never duplicates one — in one transaction, then closes the period if this was the last."""
    with transaction.atomic(durable=True):
        billing_period = BillingPeriod.objects.select_related("tenant").get(pk=billing_period_id)
        done = set(
            PaymentDocument.objects.filter(
                billing_period=billing_period,
                account_id__in=account_ids,
                status=DocumentStatus.ISSUED,
            ).values_list("account_id", flat=True)
        )
        todo = [pk for pk in account_ids if pk not in done]
        issued = documents_issue(billing_period.tenant, billing_period, todo) if todo else 0
        BillingPeriod.objects.filter(pk=billing_period_id).update(
            documents_issued=F("documents_issued") + issued
        )
    period_close_finish(billing_period_id)
    return issued


@transaction.atomic(durable=True)
def period_close_finish(billing_period_id: int) -> bool:
    billing_period = BillingPeriod.objects.select_for_update().get(pk=billing_period_id)
    if billing_period.status != PeriodStatus.CLOSING:
        return billing_period.status == PeriodStatus.CLOSED
    issued = PaymentDocument.objects.filter(
        billing_period=billing_period, status=DocumentStatus.ISSUED
    ).count()
    if issued < billing_period.documents_total:
        return False
    billing_period.status, billing_period.documents_issued = PeriodStatus.CLOSED, issued
    billing_period.save(update_fields=["status", "documents_issued"])
    AuditEvent.objects.create(
        tenant_id=billing_period.tenant_id,
        actor=billing_period.closed_by,
        action="period.closed",
        detail={
            "period": billing_period.period,
            "documents": issued,
            "missing_suppliers": billing_period.missing_suppliers,
        },
    )
    return True


def _previous_close(tenant: Tenant, period: str) -> dt.datetime:
    closed = BillingPeriod.objects.filter(
        tenant=tenant, period__lt=period, status=PeriodStatus.CLOSED
    ).aggregate(at=Max("closed_at"))
    return closed["at"] or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def document_reissue(*, document: PaymentDocument, actor=None) -> PaymentDocument:
    """A correction is a new document that supersedes the old one (which stays, unchanged but
    for its status): computed again for the same period and cut-offs, with a new pay link and
    TAN — e.g. when a printed TAN was exposed."""
    with transaction.atomic(durable=True):
        old = PaymentDocument.objects.select_for_update().get(pk=document.pk)
        if old.status != DocumentStatus.ISSUED:
            raise ApplicationError(
                "only an issued document can be corrected", code="document_superseded"
            )
        old.status = DocumentStatus.SUPERSEDED
        old.save(update_fields=["status"])
        billing_period = BillingPeriod.objects.select_related("tenant").get(
            pk=old.billing_period_id
        )
        documents_issue(billing_period.tenant, billing_period, [old.account_id])
        new = PaymentDocument.objects.get(
            account_id=old.account_id, period=old.period, status=DocumentStatus.ISSUED
        )
        new.supersedes = old
        new.save(update_fields=["supersedes"])
        AuditEvent.objects.create(
            tenant_id=old.tenant_id,
            actor=actor,
            action="document.reissued",
            detail={"old": old.pk, "new": new.pk, "number": old.number},
        )
    return new
