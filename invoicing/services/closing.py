"""`period_close`: freezes a period's charges and issues ONE payment document per account.

For each account and supplier, with the previous close of the tenant as the cut-off:
    amount due  = what is still open of the items of this period and earlier (authoritative)
    payments    = clearings since the previous close (payments, advances, write-offs, reversals)
    charges     = this period's charge lines, per service and kind
    opening     = amount due − charges + payments  (debt, or advance when negative)
so the lines of every document add up to its amount due to the minor unit. Recalculation
clearings are not payments: the recalculation charge that caused them is already a line.

Documents are computed set-based (a handful of grouped queries for the whole tenant) and
written in one transaction with the period's freeze."""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from core.db import copy_rows
from core.errors import ApplicationError
from invoicing import hooks
from invoicing.document_view import DocumentView, Party, ServiceLine, SupplierBlock
from invoicing.models import (
    BillingPeriod,
    DocumentLine,
    DocumentStatus,
    PaymentDocument,
    PeriodStatus,
)
from invoicing.references import format_reference
from invoicing.services import pay_links
from invoicing.services.payment_details import (
    document_qr_payload,
    document_reference,
    operator_party,
    supplier_party,
)
from warehouse.models import (
    Account,
    AuditEvent,
    BatchStatus,
    ClearingKind,
    ImportBatch,
    Service,
    SourceFormat,
    Supplier,
    Tenant,
)
from warehouse.services.legal import documents_deadline_of
from warehouse.services.periods import period_due_date, period_lock, period_parse

CHUNK_SIZE = 2000  # accounts per Celery task
_PAYMENT_KINDS = [
    ClearingKind.PAYMENT,
    ClearingKind.ADVANCE,
    ClearingKind.REVERSAL,
    ClearingKind.WRITE_OFF,
]


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
            f"{len(missing)} supplier(s) have no posted charges for {period}: "
            f"{', '.join(missing)} (close with --allow-missing to go ahead without them)",
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
        issued = _issue_documents(billing_period.tenant, billing_period, todo) if todo else 0
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


def _frame(sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def _in(values) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"


def _issue_documents(tenant: Tenant, billing_period: BillingPeriod, account_ids: list[int]) -> int:
    period = billing_period.period
    start, close = billing_period.previous_close_at, billing_period.closed_at
    accounts_sql = f"account_id IN ({_in(account_ids)})"
    # What was open at the close instant: now, plus whatever was cleared since.
    due = _frame(
        "SELECT account_id, supplier_id, SUM(open_amount) FROM warehouse_openitem "
        f"WHERE tenant_id = %s AND period <= %s AND {accounts_sql} "
        "GROUP BY account_id, supplier_id",
        [tenant.pk, period, *account_ids],
        ["account_id", "supplier_id", "due"],
    )
    cleared_since = _frame(
        "SELECT o.account_id, o.supplier_id, SUM(c.amount) FROM warehouse_clearing c "
        "JOIN warehouse_openitem o ON o.id = c.open_item_id "
        f"WHERE c.tenant_id = %s AND o.period <= %s AND c.cleared_at >= %s AND o.{accounts_sql} "
        "GROUP BY o.account_id, o.supplier_id",
        [tenant.pk, period, close, *account_ids],
        ["account_id", "supplier_id", "later"],
    )
    payments = _frame(
        "SELECT o.account_id, o.supplier_id, SUM(c.amount) FROM warehouse_clearing c "
        "JOIN warehouse_openitem o ON o.id = c.open_item_id "
        "WHERE c.tenant_id = %s AND o.period <= %s AND c.cleared_at >= %s "
        f"AND c.cleared_at < %s AND c.kind IN ({_in(_PAYMENT_KINDS)}) AND o.{accounts_sql} "
        "GROUP BY o.account_id, o.supplier_id",
        [tenant.pk, period, start, close, *_PAYMENT_KINDS, *account_ids],
        ["account_id", "supplier_id", "payments"],
    )
    batches = list(
        ImportBatch.objects.filter(
            tenant=tenant,
            period=period,
            status__in=[BatchStatus.POSTED, BatchStatus.SUPERSEDED],
        ).values_list("pk", flat=True)
    )
    lines = _frame(
        "SELECT account_id, supplier_id, service_id, kind, SUM(amount), SUM(quantity), "
        "MAX(unit), MAX(tariff) FROM warehouse_charge "
        f"WHERE batch_id IN ({_in(batches)}) AND {accounts_sql} "
        "GROUP BY account_id, supplier_id, service_id, kind",
        [*batches, *account_ids],
        ["account_id", "supplier_id", "service_id", "kind", "amount", "quantity", "unit", "tariff"],
    )

    key = ["account_id", "supplier_id"]
    charged = (
        lines.groupby(key, as_index=False)["amount"].sum().rename(columns={"amount": "charges"})
    )
    blocks = (
        due.merge(cleared_since, on=key, how="outer")
        .merge(payments, on=key, how="outer")
        .merge(charged, on=key, how="outer")
    )
    blocks = blocks.fillna(0).astype("int64")
    blocks["due"] = blocks["due"] + blocks["later"]
    blocks["opening"] = blocks["due"] - blocks["charges"] + blocks["payments"]
    blocks = blocks[(blocks[["due", "payments", "charges", "opening"]] != 0).any(axis=1)]

    accounts = Account.objects.filter(pk__in=account_ids).select_related("premises__building")
    suppliers = {s.pk: s for s in Supplier.objects.filter(tenant=tenant)}
    services = {s.pk: s for s in Service.objects.filter(tenant=tenant)}
    # Plain dicts of tuples: per-document pandas lookups would cost milliseconds each.
    by_account: dict[int, list] = {}
    for row in blocks.sort_values(["account_id", "supplier_id"]).itertuples(index=False):
        by_account.setdefault(row.account_id, []).append(row)
    lines_by_account: dict[tuple[int, int], list] = {}
    for line in lines.sort_values(["account_id", "supplier_id", "service_id", "kind"]).itertuples(
        index=False
    ):
        lines_by_account.setdefault((line.account_id, line.supplier_id), []).append(line)
    operator = operator_party(tenant)
    due_date = period_due_date(tenant, period)
    expires = timezone.make_aware(
        dt.datetime.combine(
            due_date + dt.timedelta(days=settings.PAY_LINK_DAYS_AFTER_DUE), dt.time.max
        )
    )

    documents, all_lines = [], {}
    for account in accounts.iterator(chunk_size=2000):
        view, doc_lines, totals = _document(
            tenant,
            account,
            period,
            by_account.get(account.pk, []),
            lines_by_account,
            suppliers,
            services,
            operator,
            due_date,
            close,
        )
        salt = view.pop("_salt")
        documents.append(
            {
                "tenant_id": tenant.pk,
                "billing_period_id": billing_period.pk,
                "account_id": account.pk,
                "period": period,
                "number": view["number"],
                "reference": view["reference"],
                "status": DocumentStatus.ISSUED,
                "issued_at": close,
                "due_date": due_date,
                "qr_payload": view["qr_payload"],
                "view": view,
                "pay_salt": salt,
                "pay_token_hash": pay_links.digest(pay_links.pay_token(salt)),
                "tan_hash": pay_links.digest(pay_links.tan_for(salt)),
                "tan_failures": 0,
                "pay_expires_at": expires,
                **totals,
            }
        )
        all_lines[account.pk] = doc_lines
    if not documents:
        return 0
    # COPY the documents, read their ids back by account, COPY their lines: set-based, as the
    # charge import does (Django's bulk_create would send the views as one huge array).
    copy_rows(PaymentDocument, pd.DataFrame(documents), json_columns=("view",))
    ids = dict(
        PaymentDocument.objects.filter(
            billing_period=billing_period,
            status=DocumentStatus.ISSUED,
            account_id__in=list(all_lines),
        ).values_list("account_id", "pk")
    )
    lines = pd.DataFrame(
        [
            {"document_id": ids[account_id], **line}
            for account_id, doc_lines in all_lines.items()
            for line in doc_lines
        ],
        columns=["document_id", "supplier_id", "service_id", "kind", "amount"],
    )
    if len(lines):
        lines["service_id"] = lines["service_id"].astype("Int64")
        copy_rows(DocumentLine, lines)
    return len(documents)


def _document(
    tenant, account, period, blocks, lines, suppliers, services, operator, due_date, close
):
    supplier_blocks, doc_lines = [], []
    if blocks:
        for row in blocks:
            supplier = suppliers[row.supplier_id]
            service_lines = []
            for line in lines.get((account.pk, row.supplier_id), ()):
                service = services[line.service_id]
                service_lines.append(
                    ServiceLine(
                        service.code,
                        service.name,
                        line.kind,
                        int(line.amount),
                        _text(line.unit) or service.unit,
                        _decimal(line.quantity),
                        _decimal(line.tariff, places=2),
                    )
                )
                doc_lines.append(
                    {
                        "supplier_id": supplier.pk,
                        "service_id": service.pk,
                        "kind": line.kind,
                        "amount": int(line.amount),
                    }
                )
            if row.opening:
                doc_lines.append(
                    {
                        "supplier_id": supplier.pk,
                        "service_id": None,
                        "kind": "opening",
                        "amount": int(row.opening),
                    }
                )
            if row.payments:
                doc_lines.append(
                    {
                        "supplier_id": supplier.pk,
                        "service_id": None,
                        "kind": "payment",
                        "amount": -int(row.payments),
                    }
                )
            supplier_blocks.append(
                SupplierBlock(
                    supplier.code,
                    supplier.name,
                    supplier_party(supplier, tenant.country),
                    int(row.opening),
                    tuple(service_lines),
                    int(row.payments),
                    int(row.due),
                )
            )
    total = sum(block.amount_due for block in supplier_blocks)
    amount_due, advance = max(total, 0), max(-total, 0)
    reference = document_reference(tenant, account.account_number, period)
    salt = pay_links.new_salt()
    token = pay_links.pay_token(salt)
    view = DocumentView(
        profile=tenant.profile,
        currency=tenant.currency,
        locale=tenant.locale,
        period=period,
        number=f"{account.account_number}-{period.replace('-', '')}",
        reference=reference,
        reference_display=format_reference(reference),
        issued_on=close.date(),
        due_date=due_date,
        operator=operator,
        account_number=account.account_number,
        payer_name=account.payer_name,
        address=account.premises.building.address,
        premises=account.premises.number,
        delivery_route=account.delivery_route,
        area_m2=account.area_m2,
        residents=account.residents,
        suppliers=tuple(supplier_blocks),
        amount_due=amount_due,
        advance=advance,
        qr_payload=document_qr_payload(tenant, account, period, reference, amount_due),
        pay_url=f"/pay/{token}",
        tan=pay_links.tan_for(salt),
    )
    opening = sum(b.opening for b in supplier_blocks)
    payments = sum(b.payments for b in supplier_blocks)
    totals = {
        "opening": opening,
        "payments": payments,
        "amount_due": amount_due,
        "advance": advance,
        "charges": total - opening + payments,
    }
    stored = view_to_json(view)
    stored["_salt"] = salt
    return stored, doc_lines, totals


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _decimal(value, *, places: int = 0) -> Decimal | None:
    """Quantities and tariffs as exact decimals (SQLite hands back floats; print them as the
    shortest text that round-trips, which is what the supplier sent)."""
    text = _text(value)
    if not text:
        return None
    number = Decimal(text)
    number = number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()
    exponent = number.as_tuple().exponent
    return number.quantize(Decimal(1).scaleb(-places)) if -exponent < places else number


def _text_or_none(value) -> str | None:
    return None if value is None else str(value)


def _party_json(party: Party) -> dict:
    return {
        "name": party.name,
        "address": party.address,
        "tax_ids": dict(party.tax_ids),
        "bank": dict(party.bank),
    }


def view_to_json(view: DocumentView) -> dict:
    """The frozen view as JSON, written out field by field (dataclasses.asdict deep-copies and
    was half the cost of issuing a document). The pay link and the TAN are left out: they are
    derived again when printing, never stored in clear."""
    return {
        "profile": view.profile,
        "currency": view.currency,
        "locale": view.locale,
        "period": view.period,
        "number": view.number,
        "reference": view.reference,
        "reference_display": view.reference_display,
        "issued_on": view.issued_on.isoformat(),
        "due_date": view.due_date.isoformat(),
        "operator": _party_json(view.operator),
        "account_number": view.account_number,
        "payer_name": view.payer_name,
        "address": view.address,
        "premises": view.premises,
        "delivery_route": view.delivery_route,
        "area_m2": _text_or_none(view.area_m2),
        "residents": view.residents,
        "suppliers": [
            {
                "code": block.code,
                "name": block.name,
                "party": _party_json(block.party),
                "opening": block.opening,
                "payments": block.payments,
                "amount_due": block.amount_due,
                "lines": [
                    {
                        "service_code": line.service_code,
                        "service_name": line.service_name,
                        "kind": line.kind,
                        "amount": line.amount,
                        "unit": line.unit,
                        "quantity": _text_or_none(line.quantity),
                        "tariff": _text_or_none(line.tariff),
                    }
                    for line in block.lines
                ],
            }
            for block in view.suppliers
        ],
        "amount_due": view.amount_due,
        "advance": view.advance,
        "qr_payload": view.qr_payload,
    }


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
        _issue_documents(billing_period.tenant, billing_period, [old.account_id])
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
