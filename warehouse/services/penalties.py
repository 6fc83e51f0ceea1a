"""`penalties_post`: posts penalties that debt collection computed, as charges and open items
of kind penalty, one batch per supplier (penalties go to the supplier that owns the debt).

A penalty batch (source format `pen`) has no file and no version: it stands beside the
supplier's own import of the period and is never superseded by it (the importer leaves `pen`
batches out). The caller owns the transaction — debt collection's penalty run
(`debt_collection.services.penalty_runs`) or its recalculation."""

import hashlib

import pandas as pd
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from core.db import copy_rows
from core.errors import ApplicationError
from core.money import display_language
from warehouse import hooks
from warehouse.models import (
    AuditEvent,
    BatchStatus,
    Charge,
    ChargeKind,
    ImportBatch,
    OpenItem,
    OpenItemKind,
    Service,
    SourceFormat,
    Supplier,
    Tenant,
)
from warehouse.services.charges import _post_difference_items
from warehouse.services.periods import period_due_date, period_parse

PENALTY_SERVICE = "penalty"


def penalty_service(tenant: Tenant) -> Service:
    """The tenant's penalty service, made on first use with its country's name for it in the
    language of the tenant's documents ("Verzugszinsen" on a German tenant's bill)."""
    with translation.override(display_language(tenant)):
        name = str(tenant.country.penalty_service_name)
    service, _ = Service.objects.get_or_create(
        tenant=tenant, code=PENALTY_SERVICE, defaults={"name": name, "unit": ""}
    )
    return service


def penalties_post(
    *,
    tenant: Tenant,
    period: str,
    rows: list[tuple[int, int, int]],
    actor=None,
    recalculation: bool = False,
) -> list[ImportBatch]:
    """Posts `rows` of (account_id, supplier_id, amount in minor units, positive): a Charge of
    kind penalty per row and an open item of kind penalty per account and supplier, due on the
    period's due date; then the `charges_posted` hooks book them (splitting: the ledger).

    `recalculation` (penalties put right under the rules in force, `penalties_recalculate`):
    amounts may be negative; a negative one first reduces the account's open penalty items of
    that supplier, newest first, and only the rest becomes a credit item."""
    period_parse(period)
    if not transaction.get_connection().in_atomic_block:
        raise ApplicationError("penalties_post runs inside the caller's transaction")
    if any(amount == 0 or (amount < 0 and not recalculation) for _, _, amount in rows):
        raise ApplicationError("penalty amounts are positive", code="bad_penalty")
    if not rows:
        return []
    frame = pd.DataFrame(rows, columns=["account_id", "supplier_id", "amount"])
    suppliers = _suppliers(tenant, frame)
    service = penalty_service(tenant)
    due = period_due_date(tenant, period)
    now = timezone.now()
    batches = []
    for supplier_id, part in frame.groupby("supplier_id", sort=True):
        supplier = suppliers[int(supplier_id)]
        part = part.groupby("account_id", as_index=False, sort=True)["amount"].sum()
        batch = _batch_create(
            tenant, supplier, period, part, actor=actor, now=now, recalculation=recalculation
        )
        accounts = part["account_id"].astype("int64")
        amounts = part["amount"].astype("int64")
        _insert_charges(batch, service, accounts, amounts)
        if recalculation:
            _post_difference_items(
                batch,
                pd.DataFrame(
                    {"account_id": accounts, "kind": ChargeKind.PENALTY.value, "amount": amounts}
                ),
                due,
                any_period=True,
            )
        else:
            _insert_open_items(batch, accounts, amounts, due)
        hooks.charges_posted(batch=batch)
        AuditEvent.objects.create(
            tenant=tenant,
            actor=actor,
            action="penalties.recalculated" if recalculation else "penalties.posted",
            detail={
                "batch": batch.pk,
                "supplier": supplier.code,
                "period": period,
                "accounts": len(part),
                "amount": batch.amount_total,
            },
        )
        batches.append(batch)
    return batches


def _suppliers(tenant: Tenant, frame: pd.DataFrame) -> dict[int, Supplier]:
    """The rows' suppliers by id, every one of them the tenant's."""
    suppliers = {
        s.pk: s
        for s in Supplier.objects.filter(
            tenant=tenant, pk__in=frame["supplier_id"].unique().tolist()
        )
    }
    if len(suppliers) != frame["supplier_id"].nunique():
        raise ApplicationError("a supplier is not the tenant's", code="wrong_supplier")
    return suppliers


def _batch_create(
    tenant: Tenant,
    supplier: Supplier,
    period: str,
    part: pd.DataFrame,
    *,
    actor,
    now,
    recalculation: bool,
) -> ImportBatch:
    """The posted `pen` batch of one supplier's penalties (`part`: one row per account); its
    checksum is of the run, not of a file, so every run has its own batch."""
    sha = hashlib.sha256(
        f"penalties:{tenant.pk}:{supplier.pk}:{period}:{now.isoformat()}".encode()
    ).hexdigest()
    msgid = (
        gettext_noop("penalties of %(count)s account(s) recalculated under the rules in force")
        if recalculation
        else gettext_noop("penalties of %(count)s account(s) charged at the close of %(period)s")
    )
    params = {"count": len(part), "period": period}
    return ImportBatch.objects.create(
        tenant=tenant,
        supplier=supplier,
        period=period,
        source_format=SourceFormat.PENALTY,
        filename="",
        sha256=sha,
        status=BatchStatus.POSTED,
        rows_total=len(part),
        rows_valid=len(part),
        amount_total=int(part["amount"].sum()),
        # English as stored, and its message id for the pages' reader (`batch_message`)
        message=msgid % params,
        message_i18n={"msgid": msgid, "params": params},
        created_by=actor,
        posted_at=now,
    )


def _insert_charges(
    batch: ImportBatch, service: Service, accounts: pd.Series, amounts: pd.Series
) -> None:
    """One penalty charge per account, in one COPY (a bulk insert on SQLite)."""
    copy_rows(
        Charge,
        pd.DataFrame(
            {
                "tenant_id": batch.tenant_id,
                "batch_id": batch.pk,
                "account_id": accounts,
                "supplier_id": batch.supplier_id,
                "service_id": service.pk,
                "period": batch.period,
                "kind": ChargeKind.PENALTY.value,
                "quantity": "",
                "unit": "",
                "tariff": "",
                "amount": amounts,
                "line": range(1, len(accounts) + 1),
            }
        ),
        blank_is_null=("quantity", "tariff"),
    )


def _insert_open_items(batch: ImportBatch, accounts: pd.Series, amounts: pd.Series, due) -> None:
    """One open penalty item per account, due on the period's due date, in one COPY."""
    copy_rows(
        OpenItem,
        pd.DataFrame(
            {
                "tenant_id": batch.tenant_id,
                "batch_id": batch.pk,
                "account_id": accounts,
                "supplier_id": batch.supplier_id,
                "period": batch.period,
                "kind": OpenItemKind.PENALTY.value,
                "due_date": due.isoformat(),
                "amount": amounts,
                "open_amount": amounts,
            }
        ),
    )
