"""`documents_issue`: the payment documents of a chunk of accounts, computed and written.

For each account and supplier, with the previous close of the tenant as the cut-off:
    amount due  = what is still open of the items of this period and earlier (authoritative)
    payments    = clearings since the previous close (payments, advances, write-offs, reversals)
    charges     = this period's charge lines, per service and kind
    opening     = amount due − charges + payments  (debt, or advance when negative)
so the lines of every document add up to its amount due to the minor unit. Recalculation
clearings are not payments: the recalculation charge that caused them is already a line — a
recalculation of an earlier period included (a line of its own, naming that period). The
account's unused advance at the close (`hooks.unused_advances`: payments not yet applied to
any charge) is the account's, not a supplier's: the document takes it off the total,
    amount due − advance carried forward = Σ suppliers' amounts due − unused advance,
never below zero (the `document_lines_add_up` constraint).

The sums come from a handful of grouped queries for the whole chunk; each document is then
built from plain dicts (a per-document pandas lookup would cost milliseconds), and documents
and their lines are written with COPY. The caller (`closing.issue_chunk`,
`closing.document_reissue`) owns the transaction."""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
from django.conf import settings
from django.db import connection

from core.db import copy_rows
from invoicing import hooks
from invoicing.document_view import DocumentView, Party, ServiceLine, SupplierBlock
from invoicing.models import BillingPeriod, DocumentLine, DocumentStatus, PaymentDocument
from invoicing.references import format_reference
from invoicing.services import pay_links
from invoicing.services.payment_details import (
    document_qr_payload,
    document_reference,
    operator_party,
    supplier_party,
)
from warehouse import account_keys
from warehouse.models import (
    Account,
    BatchStatus,
    ClearingKind,
    ImportBatch,
    Service,
    Supplier,
    Tenant,
)
from warehouse.services.periods import period_due_date

_PAYMENT_KINDS = [
    ClearingKind.PAYMENT,
    ClearingKind.ADVANCE,
    ClearingKind.REVERSAL,
    ClearingKind.WRITE_OFF,
]


@dataclass(frozen=True)
class _Chunk:
    """What every document of a chunk is built from, read once for the chunk."""

    tenant: Tenant
    period: str
    lines: dict[tuple[int, int], list]  # (account id, supplier id) -> charge line rows
    prepaid: dict[int, int]  # account id -> unused advance at the close (`hooks.unused_advances`)
    suppliers: dict[int, Supplier]
    services: dict[int, Service]
    operator: Party
    due_date: dt.date
    close: dt.datetime


def documents_issue(tenant: Tenant, billing_period: BillingPeriod, account_ids: list[int]) -> int:
    """Issues the documents of `account_ids` for the billing period (cut off at its previous
    close and its close); how many were issued."""
    period = billing_period.period
    blocks, lines = _sums(tenant, billing_period, account_ids)
    accounts = Account.objects.filter(pk__in=account_ids).select_related("premises__building")
    suppliers = {s.pk: s for s in Supplier.objects.filter(tenant=tenant)}
    services = {s.pk: s for s in Service.objects.filter(tenant=tenant)}
    by_account, lines_by_account = _by_account(blocks, lines)
    operator = operator_party(tenant)
    due_date = period_due_date(tenant, period)
    # The end of that day in the tenant's zone, in UTC: never the zone of whoever runs the close
    # (a page activates the user's tenant time, a worker has none).
    expires = dt.datetime.combine(
        due_date + dt.timedelta(days=settings.PAY_LINK_DAYS_AFTER_DUE),
        dt.time.max,
        tzinfo=ZoneInfo(tenant.timezone or "UTC"),
    ).astimezone(dt.UTC)
    chunk = _Chunk(
        tenant,
        period,
        lines_by_account,
        hooks.advances_of(tenant=tenant, account_ids=account_ids, as_of=billing_period.closed_at),
        suppliers,
        services,
        operator,
        due_date,
        billing_period.closed_at,
    )

    documents, all_lines = [], {}
    for account in accounts.iterator(chunk_size=2000):
        view, doc_lines, totals = _document(chunk, account, by_account.get(account.pk, []))
        documents.append(_document_row(chunk, billing_period, account, view, totals, expires))
        all_lines[account.pk] = doc_lines
    if not documents:
        return 0
    _write(billing_period, documents, all_lines)
    return len(documents)


def _sums(
    tenant: Tenant, billing_period: BillingPeriod, account_ids: list[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per account and supplier: amount due, payments, charges and opening (the rows where
    any is not zero); and the period's charge lines per account, supplier, service and kind."""
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
    lines = _charge_lines(tenant, period, accounts_sql, account_ids)
    return _blocks(due, cleared_since, payments, lines), lines


def _charge_lines(tenant: Tenant, period: str, accounts_sql: str, account_ids) -> pd.DataFrame:
    """The period's charges (of posted and superseded batches: a superseded version's rows
    stand when payments had cleared them) summed per account, supplier, service, kind and
    corrected period ("" for the period's own charges)."""
    batches = list(
        ImportBatch.objects.filter(
            tenant=tenant,
            period=period,
            status__in=[BatchStatus.POSTED, BatchStatus.SUPERSEDED],
        ).values_list("pk", flat=True)
    )
    return _frame(
        "SELECT account_id, supplier_id, service_id, kind, COALESCE(corrects_period, ''), "
        "SUM(amount), SUM(quantity), MAX(unit), MAX(tariff) FROM warehouse_charge "
        f"WHERE batch_id IN ({_in(batches)}) AND {accounts_sql} "
        "GROUP BY account_id, supplier_id, service_id, kind, COALESCE(corrects_period, '')",
        [*batches, *account_ids],
        [
            "account_id",
            "supplier_id",
            "service_id",
            "kind",
            "corrects_period",
            "amount",
            "quantity",
            "unit",
            "tariff",
        ],
    )


def _blocks(due, cleared_since, payments, lines) -> pd.DataFrame:
    """One row per account and supplier with something to show: due (as at the close), later,
    payments, charges and opening = due − charges + payments."""
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
    return blocks[(blocks[["due", "payments", "charges", "opening"]] != 0).any(axis=1)]


def _by_account(blocks: pd.DataFrame, lines: pd.DataFrame) -> tuple[dict, dict]:
    """The supplier rows by account id and the charge lines by (account id, supplier id), in
    print order. Plain dicts of tuples: per-document pandas lookups would cost milliseconds
    each."""
    by_account: dict[int, list] = {}
    for row in blocks.sort_values(["account_id", "supplier_id"]).itertuples(index=False):
        by_account.setdefault(row.account_id, []).append(row)
    lines_by_account: dict[tuple[int, int], list] = {}
    order = ["account_id", "supplier_id", "service_id", "kind", "corrects_period"]
    for line in lines.sort_values(order).itertuples(index=False):
        lines_by_account.setdefault((line.account_id, line.supplier_id), []).append(line)
    return by_account, lines_by_account


def _document_row(
    chunk: _Chunk, billing_period: BillingPeriod, account, view: dict, totals: dict, expires
) -> dict:
    """The `PaymentDocument` row of one account: its stored view, totals, and the hashes of the
    pay link and TAN derived from its salt (which `view` carries and gives up here)."""
    salt = view.pop("_salt")
    return {
        "tenant_id": chunk.tenant.pk,
        "billing_period_id": billing_period.pk,
        "account_id": account.pk,
        "period": chunk.period,
        "number": view["number"],
        "reference": view["reference"],
        "status": DocumentStatus.ISSUED,
        "issued_at": chunk.close,
        "due_date": chunk.due_date,
        "qr_payload": view["qr_payload"],
        "view": view,
        "pay_salt": salt,
        "pay_token_hash": pay_links.digest(pay_links.pay_token(salt)),
        "tan_hash": pay_links.digest(pay_links.tan_for(salt)),
        "tan_failures": 0,
        "pay_expires_at": expires,
        **totals,
    }


def _write(billing_period: BillingPeriod, documents: list[dict], all_lines: dict) -> None:
    """COPY the documents, read their ids back by account, COPY their lines: set-based, as the
    charge import does (Django's bulk_create would send the views as one huge array)."""
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
        columns=["document_id", "supplier_id", "service_id", "kind", "amount", "corrects_period"],
    )
    if len(lines):
        lines["service_id"] = lines["service_id"].astype("Int64")
        lines["corrects_period"] = lines["corrects_period"].fillna("").astype(object)
        copy_rows(DocumentLine, lines, blank_is_null=("corrects_period",))


def _document(chunk: _Chunk, account, blocks: list) -> tuple[dict, list[dict], dict]:
    """One account's document: its view as stored (with the new pay-link salt under
    `_salt`), its lines for `DocumentLine`, and its totals."""
    doc_lines: list[dict] = []
    supplier_blocks = [_supplier_block(chunk, account, row, doc_lines) for row in blocks]
    total = sum(block.amount_due for block in supplier_blocks)
    # The account's unused advance pays what it can of the total; the rest of it, with any
    # credit of the suppliers' blocks, is carried forward.
    prepaid = max(int(chunk.prepaid.get(account.pk, 0)), 0)
    amount_due, advance = max(total - prepaid, 0), max(prepaid - total, 0)
    view, salt = _view(chunk, account, supplier_blocks, amount_due, advance, prepaid)
    opening = sum(b.opening for b in supplier_blocks)
    payments = sum(b.payments for b in supplier_blocks)
    totals = {
        "opening": opening,
        "payments": payments,
        "amount_due": amount_due,
        "advance": advance,
        "prepaid": prepaid,
        "charges": total - opening + payments,
    }
    stored = view_to_json(view)
    stored["_salt"] = salt
    return stored, doc_lines, totals


def _supplier_block(chunk: _Chunk, account, row, doc_lines: list[dict]) -> SupplierBlock:
    """What the account owes one supplier; its service, opening and payment lines are added to
    `doc_lines`."""
    supplier = chunk.suppliers[row.supplier_id]
    service_lines = []
    for line in chunk.lines.get((account.pk, row.supplier_id), ()):
        service = chunk.services[line.service_id]
        service_lines.append(
            ServiceLine(
                service.code,
                service.name,
                line.kind,
                int(line.amount),
                _text(line.unit) or service.unit,
                _decimal(line.quantity),
                _decimal(line.tariff, places=2),
                line.corrects_period or "",
            )
        )
        doc_lines.append(
            {
                "supplier_id": supplier.pk,
                "service_id": service.pk,
                "kind": line.kind,
                "amount": int(line.amount),
                "corrects_period": line.corrects_period or "",
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
    return SupplierBlock(
        supplier.code,
        supplier.name,
        supplier_party(supplier, chunk.tenant.country),
        int(row.opening),
        tuple(service_lines),
        int(row.payments),
        int(row.due),
    )


def _view(
    chunk: _Chunk,
    account,
    supplier_blocks: list[SupplierBlock],
    amount_due: int,
    advance: int,
    prepaid: int,
) -> tuple[DocumentView, str]:
    """The document's view, with a new pay link and TAN; and the salt they derive from."""
    tenant, period = chunk.tenant, chunk.period
    key = account.reference_key or account_keys.reference_key(
        account_keys.key_kind(tenant), account.account_number
    )  # an account written without its key (not through the import) gets it here
    reference = document_reference(tenant, key, period)
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
        issued_on=chunk.close.date(),
        due_date=chunk.due_date,
        operator=chunk.operator,
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
        prepaid=prepaid,
    )
    return view, salt


def _frame(sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def _in(values) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"


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
                        "corrects_period": line.corrects_period,
                    }
                    for line in block.lines
                ],
            }
            for block in view.suppliers
        ],
        "amount_due": view.amount_due,
        "advance": view.advance,
        "prepaid": view.prepaid,
        "qr_payload": view.qr_payload,
    }
