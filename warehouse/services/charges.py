"""`charges_import`: one supplier's charges for one period, from a file or a SQL pull, through
a mapping profile, into charges and open items.

The life of a batch: received → validated → posted (or rejected, or later superseded).
- The same bytes already posted for the supplier and period change nothing.
- A bad file is rejected whole: its report is kept on the batch, nothing is posted.
- A new version for an open period replaces the posted one in one transaction. When payments
  have already cleared some of the old open items, the old rows stay (they carry the
  allocations) and the new version posts only the difference, as recalculation lines.
- A closed period refuses new versions.
- A recalculation line may name the earlier period it corrects (`corrects_period`). Its charge
  keeps the file's period (it is billed now, on this period's document) and records the
  corrected one. Its open item belongs to the file's period too, due on this period's due date
  (nobody can be late with what was not billed yet), with one exception that puts the money
  where it belongs: a net negative correction of an account first reduces what is still open
  of the account's items of the corrected period for this supplier (newest first, a
  recalculation clearing, so aging, penalties and allocation no longer see a debt that was
  corrected away); only what is left nets into the file period's item, a credit item when the
  account's net is negative. A new version that replaces an earlier one reopens what the
  earlier version's corrections had reduced (a negative recalculation clearing) before it
  applies its own.

Posting is set-based: on PostgreSQL the rows are streamed with COPY straight into the charge
table and the open items are built by one INSERT … SELECT … GROUP BY; SQLite takes a bulk
insert. One transaction writes everything, so an interrupted import leaves no trace but its
unposted batch record, and running it again gives exactly the rows of an uninterrupted one."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.db import copy_rows
from core.errors import ApplicationError
from warehouse import hooks
from warehouse.models import (
    Account,
    AuditEvent,
    BatchStatus,
    Charge,
    ChargeKind,
    Clearing,
    ClearingKind,
    ImportBatch,
    MappingProfile,
    OpenItem,
    OpenItemKind,
    SourceFormat,
    Supplier,
    Tenant,
    UnmatchedLine,
)
from warehouse.reports import FileRejected, LineError, problem
from warehouse.services.charge_rows import (
    UNKNOWN_ACCOUNT,
    ChargeRows,
    read_source,
    to_canonical,
    validate,
)
from warehouse.services.periods import period_due_date, period_is_locked, period_parse

REPORT_LIMIT = 10_000  # lines kept on the batch; the count says how many there were


@dataclass(frozen=True)
class ImportOutcome:
    batch: ImportBatch
    status: str  # "posted" | "already_posted" | "rejected"
    message: str

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


def charges_import(
    *,
    tenant: Tenant,
    supplier: Supplier,
    period: str,
    data: bytes,
    filename: str,
    profile: MappingProfile | None = None,
    actor=None,
    source_format: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportOutcome:
    """Records the file as a batch, validates it whole and posts it (the batch's life is in
    the module docstring); `progress` hears each stage: reading, validating, posting."""
    progress = progress or (lambda stage: None)
    _check_arguments(tenant=tenant, supplier=supplier, period=period, profile=profile)
    sha = hashlib.sha256(data).hexdigest()
    posted = _posted_batch(supplier, period)
    if posted is not None and posted.sha256 == sha:
        return ImportOutcome(
            posted,
            "already_posted",
            f"identical to version {posted.version}, already posted: nothing changed",
        )

    batch = _batch_open(
        tenant=tenant,
        supplier=supplier,
        period=period,
        profile=profile,
        sha=sha,
        filename=filename,
        data=data,
        actor=actor,
        source_format=source_format or _format_of(filename, data),
    )
    if period_is_locked(tenant, period):
        return _reject(
            batch,
            [
                problem(
                    None,
                    "period",
                    period,
                    gettext_noop(
                        "the period is closed: corrections go into an open period as recalculations"
                    ),
                )
            ],
        )
    progress("reading")
    try:
        rows = _read_and_validate(
            data,
            batch=batch,
            filename=filename,
            profile=profile,
            supplier=supplier,
            period=period,
            progress=progress,
        )
    except FileRejected as exc:
        return _reject(batch, exc.errors, summary=getattr(exc, "summary", None))
    refused = _refusal(batch, rows)
    if refused is not None:
        return refused
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.VALIDATED, rows_total=rows.total_lines, rows_valid=rows.total_lines
    )
    progress("posting")
    try:
        outcome = _post(batch.pk, rows, actor=actor)
    except FileRejected as exc:
        return _reject(batch, exc.errors)
    _resolve_queue(supplier, rows)
    return outcome


def _check_arguments(
    *, tenant: Tenant, supplier: Supplier, period: str, profile: MappingProfile | None
) -> None:
    """A well-formed period, a supplier of the tenant and a profile of the supplier."""
    period_parse(period)
    if supplier.tenant_id != tenant.pk:
        raise ApplicationError(
            f"supplier {supplier.code} is not a supplier of {tenant.code}", code="wrong_supplier"
        )
    if profile is not None and profile.supplier_id != supplier.pk:
        raise ApplicationError(
            f"profile {profile.name} belongs to another supplier", code="wrong_profile"
        )


def _read_and_validate(
    data: bytes,
    *,
    batch: ImportBatch,
    filename: str,
    profile: MappingProfile | None,
    supplier: Supplier,
    period: str,
    progress: Callable[[str], None],
) -> ChargeRows:
    """The file's lines as validated rows; a file that cannot be read raises `FileRejected`."""
    table = read_source(
        data, filename=filename, profile=profile, default_encoding=supplier.tenant.text_encoding
    )
    batch.encoding, batch.encoding_note = table.encoding or "", table.encoding_note
    ImportBatch.objects.filter(pk=batch.pk).update(
        encoding=batch.encoding, encoding_note=batch.encoding_note
    )
    canonical, mark_errors = to_canonical(table, profile)
    progress("validating")
    rows = validate(
        canonical, supplier=supplier, period=period, extra_errors=[*table.errors, *mark_errors]
    )
    # Lines the reader skipped (a wrong number of fields) were read too: counted, not posted.
    rows.total_lines += len({e.line for e in table.errors if e.line is not None})
    return rows


def _refusal(batch: ImportBatch, rows: ChargeRows) -> ImportOutcome | None:
    """The rejection of a batch whose lines failed or that has no lines at all; None when the
    rows may be posted. Only a file whose one problem is unknown supplier accounts sends them
    to the mapping queue (to be linked, then the batch runs again); a file with any other
    problem is rejected whole and leaves the queue as it was — it will come again corrected,
    and its account column may be the very thing that is wrong."""
    if rows.errors:
        counts = line_counts(rows.errors, rows.total_lines)
        if counts.unmatched:
            _queue_unmatched(batch, rows)
        return _reject(batch, rows.errors, rows)
    if rows.total_lines == 0:
        # An empty export is far more often a supplier's mistake than a month without charges;
        # posting it would erase the period's charges.
        return _reject(
            batch,
            [
                problem(
                    None,
                    "file",
                    "",
                    gettext_noop(
                        "the file has no charge lines: nothing to post (an earlier version stays)"
                    ),
                )
            ],
            rows,
        )
    return None


def batch_rerun(*, batch: ImportBatch, actor=None) -> ImportOutcome:
    """Runs a batch's file again, e.g. after its unknown accounts were linked."""
    path = Path(settings.MEDIA_ROOT) / batch.stored_file if batch.stored_file else None
    if path is None or not path.is_file():
        raise ApplicationError(
            "this batch's file is no longer kept: upload it again", code="file_missing"
        )
    data = path.read_bytes()
    return charges_import(
        tenant=batch.tenant,
        supplier=batch.supplier,
        period=batch.period,
        data=data,
        filename=batch.filename,
        profile=batch.profile,
        actor=actor,
        source_format=batch.source_format,
    )


def _posted_batch(supplier: Supplier, period: str) -> ImportBatch | None:
    return _own_batches(supplier, period).filter(status=BatchStatus.POSTED).first()


def _own_batches(supplier: Supplier, period: str):
    """The supplier's own imports of the period: not the penalty batches debt collection posts
    at period close (those are never superseded nor replaced by an import)."""
    return ImportBatch.objects.filter(supplier=supplier, period=period).exclude(
        source_format=SourceFormat.PENALTY
    )


def _format_of(filename: str, data: bytes) -> str:
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    return SourceFormat.XLSX if is_xlsx else SourceFormat.CSV


def _store(data: bytes, sha: str, filename: str, tenant: Tenant) -> str:
    """Keeps the received bytes, content-addressed, so a batch can be run again."""
    suffix = Path(filename).suffix.lower()[:8] or ".dat"
    relative = Path("imports") / tenant.code / f"{sha}{suffix}"
    path = Path(settings.MEDIA_ROOT) / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    return str(relative)


@transaction.atomic(durable=True)
def _batch_open(
    *, tenant, supplier, period, profile, sha, filename, data, actor, source_format
) -> ImportBatch:
    """Records the received file. An earlier run of the same file that never finished (its
    process died) is closed as interrupted: nothing of it was posted."""
    ImportBatch.objects.filter(
        supplier=supplier,
        period=period,
        sha256=sha,
        status__in=[BatchStatus.RECEIVED, BatchStatus.VALIDATED],
    ).update(
        status=BatchStatus.REJECTED,
        message=_INTERRUPTED,
        message_i18n={"msgid": _INTERRUPTED, "params": {}},
    )
    return ImportBatch.objects.create(
        tenant=tenant,
        supplier=supplier,
        period=period,
        profile=profile,
        sha256=sha,
        filename=filename[:255],
        stored_file=_store(data, sha, filename, tenant),
        source_format=source_format,
        created_by=actor,
    )


def _with_encoding(batch: ImportBatch, message: str) -> str:
    """The message, with how the file's encoding was guessed when it was (a legacy code page)."""
    return f"{message}; {batch.encoding_note}" if batch.encoding_note else message


@dataclass(frozen=True)
class LineCounts:
    """How a file's lines came out, each line counted once: `read` = `valid` + `rejected` +
    `unmatched`. A rejected line has a problem other than an unknown supplier account;
    `unmatched` lines have no problem but their unknown account, and count only when they
    are the file's only problem (then they go to the mapping queue); otherwise they count as
    rejected. `valid` lines had no problem (posted, unless the file was rejected)."""

    read: int
    valid: int
    rejected: int
    unmatched: int


def line_counts(errors: list[LineError], total_lines: int) -> LineCounts:
    """The line counts of a file from its problems (`LineCounts`). A problem of the whole file
    (no line, or a header that does not fit) rejects it with no line read as valid."""
    if total_lines == 0 or any(e.line is None for e in errors):
        lines = {e.line for e in errors if e.line is not None}
        return LineCounts(total_lines, 0, total_lines if lines else 0, 0)
    reasons: dict[int, set[str]] = {}
    for e in errors:
        reasons.setdefault(e.line, set()).add(e.msgid or e.reason)
    only_unknown = {line for line, found in reasons.items() if found == {UNKNOWN_ACCOUNT}}
    unmatched = len(only_unknown) if len(only_unknown) == len(reasons) else 0
    rejected = len(reasons) - unmatched
    return LineCounts(total_lines, max(total_lines - rejected - unmatched, 0), rejected, unmatched)


_INTERRUPTED = gettext_noop("interrupted before posting; run again")
_IDENTICAL = gettext_noop("identical to the posted version: nothing changed")
_REJECTED = gettext_noop(
    "Rejected, nothing posted. Problems: %(problems)s; lines with problems: %(lines)s."
)
_AWAITING_MAPPING = gettext_noop(
    "Not posted: %(unmatched)s line(s) name supplier accounts no account link knows; they are "
    "in the mapping queue. Link them, then run the batch again."
)
_POSTED = gettext_noop("Posted as version %(version)s.")
_POSTED_REPLACING = gettext_noop("Posted as version %(version)s, replacing version %(previous)s.")
_POSTED_RECALCULATION = gettext_noop(
    "Posted as version %(version)s, replacing version %(previous)s as recalculation lines: "
    "payments had already cleared the earlier version."
)


def _message(batch: ImportBatch, msgid: str, **params) -> None:
    """Sets the batch's message: English in `message` (the command line, the API), the message
    id and parameters in `message_i18n`, which the pages render in their reader's language."""
    batch.message = _with_encoding(batch, msgid % params)
    batch.message_i18n = {"msgid": msgid, "params": params}


def _reject(
    batch: ImportBatch,
    errors: list[LineError],
    rows: ChargeRows | None = None,
    *,
    summary: LineError | None = None,
) -> ImportOutcome:
    """Rejects the batch whole, its report and line counts kept; `summary` (a layout that does
    not fit the profile) is its message when given."""
    counts = line_counts(errors, rows.total_lines if rows else 0)
    batch.status = BatchStatus.REJECTED
    batch.report = [e.as_row() for e in errors[:REPORT_LIMIT]]
    batch.rows_total = counts.read
    batch.rows_rejected = counts.rejected
    batch.rows_valid = counts.valid
    batch.rows_unmatched = counts.unmatched
    if summary is not None:
        _message(batch, summary.msgid, **dict(summary.params))
    elif counts.unmatched and not counts.rejected:
        _message(batch, _AWAITING_MAPPING, unmatched=counts.unmatched)
    else:
        lines = len({e.line for e in errors if e.line is not None})
        _message(batch, _REJECTED, problems=len(errors), lines=lines)
    batch.save(
        update_fields=[
            "status",
            "report",
            "rows_total",
            "rows_rejected",
            "rows_valid",
            "rows_unmatched",
            "message",
            "message_i18n",
        ]
    )
    return ImportOutcome(batch, "rejected", batch.message)


def _queue_unmatched(batch: ImportBatch, rows: ChargeRows) -> None:
    if rows.unmatched:
        UnmatchedLine.objects.bulk_create(
            [
                UnmatchedLine(
                    tenant_id=batch.tenant_id,
                    supplier_id=batch.supplier_id,
                    supplier_account=number[:50],
                    batch=batch,
                    lines=lines[:100],
                )
                for number, lines in rows.unmatched.items()
            ],
            ignore_conflicts=True,
        )


def _resolve_queue(supplier: Supplier, rows: ChargeRows) -> None:
    """Once a batch posts, queue entries of the same supplier that now match are done."""
    links = dict(
        supplier.account_links.filter(
            external_number__in=UnmatchedLine.objects.filter(
                supplier=supplier, resolved_at__isnull=True
            ).values("supplier_account"),
        ).values_list("external_number", "account_id")
    )
    now = timezone.now()
    for number, account_id in links.items():
        UnmatchedLine.objects.filter(
            supplier=supplier, supplier_account=number, resolved_at__isnull=True
        ).update(resolved_at=now, resolved_account_id=account_id)


@transaction.atomic(durable=True)
def _post(batch_id: int, rows: ChargeRows, *, actor) -> ImportOutcome:
    batch = ImportBatch.objects.select_related("tenant", "supplier").get(pk=batch_id)
    # Lock order: the supplier row serialises imports of one supplier (and, later, payments
    # that clear its open items lock open items after it).
    Supplier.objects.select_for_update().filter(pk=batch.supplier_id).get()
    if period_is_locked(batch.tenant, batch.period):
        raise FileRejected(
            [problem(None, "period", batch.period, gettext_noop("the period is closed"))]
        )
    previous = _posted_batch(batch.supplier, batch.period)
    if previous is not None and previous.sha256 == batch.sha256:
        batch.status = BatchStatus.REJECTED
        _message(batch, _IDENTICAL)
        batch.save(update_fields=["status", "message", "message_i18n"])
        return ImportOutcome(
            previous, "already_posted", f"identical to version {previous.version}: nothing changed"
        )

    standing = list(
        _own_batches(batch.supplier, batch.period)
        .filter(status__in=[BatchStatus.POSTED, BatchStatus.SUPERSEDED])
        .values_list("pk", flat=True)
    )
    allocated = (
        bool(standing) and Clearing.objects.filter(open_item__batch_id__in=standing).exists()
    )
    frame = rows.frame
    if allocated:
        frame = _difference(frame, batch, standing)
    elif standing:
        _reopen_corrections(batch, standing)
        _delete_rows(standing)

    _insert_charges(batch, frame)
    due = period_due_date(batch.tenant, batch.period)
    items = _correct_earlier_periods(batch, frame)
    if allocated:
        _post_difference_items(batch, items, due)
    else:
        _insert_open_items(batch, items, due)

    hooks.charges_posted(batch=batch)

    if previous is not None:
        previous.status, previous.superseded_by = BatchStatus.SUPERSEDED, batch
        previous.save(update_fields=["status", "superseded_by"])
    version = (_own_batches(batch.supplier, batch.period).aggregate(v=Max("version"))["v"] or 0) + 1
    batch.status, batch.version, batch.posted_at = BatchStatus.POSTED, version, timezone.now()
    batch.amount_total = int(frame["amount"].sum()) if len(frame) else 0
    if previous is None:
        _message(batch, _POSTED, version=version)
    else:
        msgid = _POSTED_RECALCULATION if allocated else _POSTED_REPLACING
        _message(batch, msgid, version=version, previous=previous.version)
    batch.save(
        update_fields=[
            "status",
            "version",
            "posted_at",
            "amount_total",
            "message",
            "message_i18n",
        ]
    )
    AuditEvent.objects.create(
        tenant=batch.tenant,
        actor=actor,
        action="charges.posted",
        detail={
            "batch": batch.pk,
            "supplier": batch.supplier.code,
            "period": batch.period,
            "version": version,
            "lines": rows.total_lines,
            "amount": batch.amount_total,
            "replaced": previous.pk if previous else None,
            "recalculation": allocated,
            "corrections": int((frame["corrects_period"] != "").sum()) if len(frame) else 0,
        },
    )
    return ImportOutcome(batch, "posted", batch.message)


def _delete_rows(batch_ids: list[int]) -> None:
    """The standing rows of earlier versions, none of them cleared by a payment."""
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(batch_ids))
        cursor.execute(f"DELETE FROM warehouse_charge WHERE batch_id IN ({marks})", batch_ids)
        cursor.execute(f"DELETE FROM warehouse_openitem WHERE batch_id IN ({marks})", batch_ids)


_CHARGE_COLUMNS = [
    "tenant_id",
    "batch_id",
    "account_id",
    "supplier_id",
    "service_id",
    "period",
    "kind",
    "quantity",
    "unit",
    "tariff",
    "amount",
    "line",
    "corrects_period",
]


def _insert_charges(batch: ImportBatch, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    table = pd.DataFrame(
        {
            "tenant_id": batch.tenant_id,
            "batch_id": batch.pk,
            "account_id": frame["account_id"].astype("int64"),
            "supplier_id": batch.supplier_id,
            "service_id": frame["service_id"].astype("int64"),
            "period": batch.period,
            "kind": frame["kind"],
            "quantity": frame["quantity"].astype(object),
            "unit": frame["unit"].astype(object),
            "tariff": frame["tariff"].astype(object),
            "amount": frame["amount"].astype("int64"),
            "line": frame["line"].astype("int64"),
            "corrects_period": frame["corrects_period"].astype(object),
        }
    )
    copy_rows(Charge, table, blank_is_null=("quantity", "tariff", "corrects_period"))


_ITEM_KIND = "CASE WHEN kind = 'penalty' THEN 'penalty' ELSE 'charges' END"


def _insert_open_items(batch: ImportBatch, frame: pd.DataFrame, due) -> None:
    """One open item per account and kind (charges or penalties) from the batch's rows."""
    if frame.empty:
        return
    items = (
        frame.assign(item=_item_kind(frame["kind"]))
        .groupby(["account_id", "item"], as_index=False, sort=True)["amount"]
        .sum()
    )
    items = items[items["amount"] != 0]
    table = pd.DataFrame(
        {
            "tenant_id": batch.tenant_id,
            "batch_id": batch.pk,
            "account_id": items["account_id"].astype("int64"),
            "supplier_id": batch.supplier_id,
            "period": batch.period,
            "kind": items["item"].astype(str),
            "due_date": due.isoformat(),
            "amount": items["amount"].astype("int64"),
            "open_amount": items["amount"].astype("int64"),
        }
    )
    copy_rows(OpenItem, table)


def _item_kind(kinds: pd.Series) -> pd.Series:
    return kinds.where(kinds == ChargeKind.PENALTY, OpenItemKind.CHARGES)


def _correct_earlier_periods(batch: ImportBatch, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows the batch's open items are built from, after each account's net negative
    correction of an earlier period has reduced what is still open of that period's charge
    items for the supplier (newest first, a recalculation clearing per item); the amount so
    taken is added back as a row, so only the rest nets into the file period's item (the
    module docstring has why). Lock order: the supplier (taken by `_post`), then each account
    by primary key, then its open items."""
    if frame.empty or not (frame["corrects_period"] != "").any():
        return frame
    corrections = (
        frame[frame["corrects_period"] != ""]
        .assign(account_id=lambda f: f["account_id"].astype("int64"))
        .groupby(["account_id", "corrects_period"], sort=True)["amount"]
        .sum()
    )
    now = timezone.now()
    taken_rows = []
    for (account_id, corrected), amount in corrections.items():
        wanted = -int(amount)
        if wanted <= 0:
            continue
        list(Account.objects.select_for_update().filter(pk=account_id).values_list("pk"))
        items = (
            OpenItem.objects.select_for_update()
            .filter(
                account_id=account_id,
                supplier_id=batch.supplier_id,
                kind=OpenItemKind.CHARGES,
                period=corrected,
                open_amount__gt=0,
            )
            .order_by("-pk")
        )
        taken = _reduce_newest(items, wanted, batch=batch, now=now)
        if taken:
            taken_rows.append(
                {"account_id": account_id, "kind": ChargeKind.RECALCULATION, "amount": taken}
            )
    if not taken_rows:
        return frame
    rows = frame[["account_id", "kind", "amount"]].assign(
        account_id=lambda f: f["account_id"].astype("int64")
    )
    return pd.concat([rows, pd.DataFrame(taken_rows)], ignore_index=True)


def _reopen_corrections(batch: ImportBatch, standing: list[int]) -> None:
    """Before the rows of earlier versions are deleted: what their corrections had taken off
    open items of earlier periods is reopened, as a negative recalculation clearing of the new
    batch (never past the item's amount: payments only ever lowered it further)."""
    taken = (
        Clearing.objects.filter(
            source_id__in=[f"batch:{pk}" for pk in standing],
            kind=ClearingKind.RECALCULATION,
        )
        .exclude(open_item__batch_id__in=standing)
        .values("open_item_id")
        .annotate(total=Sum("amount"))
        .order_by("open_item_id")
    )
    totals = {row["open_item_id"]: int(row["total"]) for row in taken if row["total"]}
    if not totals:
        return
    now = timezone.now()
    items = OpenItem.objects.filter(pk__in=list(totals)).order_by("account_id", "pk")
    for account_id in sorted(set(items.values_list("account_id", flat=True))):
        list(Account.objects.select_for_update().filter(pk=account_id).values_list("pk"))
    for open_item in items.select_for_update():
        total = totals[open_item.pk]
        open_item.open_amount += total
        open_item.save(update_fields=["open_amount"])
        Clearing.objects.create(
            tenant_id=batch.tenant_id,
            open_item=open_item,
            amount=-total,
            kind=ClearingKind.RECALCULATION,
            source_id=f"batch:{batch.pk}",
            cleared_at=now,
        )


def _difference(new: pd.DataFrame, batch: ImportBatch, standing: list[int]) -> pd.DataFrame:
    """What the new version changes against the rows that stand, per account, service and
    item kind, as recalculation lines (penalty lines stay penalties)."""
    old = pd.DataFrame.from_records(
        Charge.objects.filter(batch_id__in=standing)
        .values("account_id", "service_id", "kind", "corrects_period")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "service_id", "kind", "corrects_period", "total"),
        columns=["account_id", "service_id", "kind", "corrects_period", "total"],
    )
    key = ["account_id", "service_id", "item", "corrects_period"]
    old = (
        old.assign(item=_item_kind(old["kind"]), corrects_period=old["corrects_period"].fillna(""))
        .groupby(key, as_index=False)["total"]
        .sum()
        if len(old)
        else pd.DataFrame(columns=[*key, "total"])
    )
    fresh = new.assign(
        item=_item_kind(new["kind"]),
        account_id=new["account_id"].astype("int64"),
        service_id=new["service_id"].astype("int64"),
        corrects_period=new["corrects_period"].astype(object).fillna(""),
    )
    fresh = fresh.groupby(key, as_index=False).agg(amount=("amount", "sum"), line=("line", "min"))
    merged = fresh.merge(old, on=key, how="outer")
    merged["amount"] = merged["amount"].fillna(0).astype("int64") - merged["total"].fillna(
        0
    ).astype("int64")
    merged = merged[merged["amount"] != 0]
    return pd.DataFrame(
        {
            "line": merged["line"].fillna(0).astype("int64"),
            "account_id": merged["account_id"].astype("int64"),
            "service_id": merged["service_id"].astype("int64"),
            "kind": merged["item"]
            .map({OpenItemKind.PENALTY: ChargeKind.PENALTY})
            .fillna(ChargeKind.RECALCULATION),
            "quantity": "",
            "unit": "",
            "tariff": "",
            "amount": merged["amount"],
            "corrects_period": merged["corrects_period"].fillna("").astype(object),
        }
    ).reset_index(drop=True)


def _post_difference_items(
    batch: ImportBatch, diff: pd.DataFrame, due, *, any_period: bool = False
) -> None:
    """A positive difference is a new open item. A negative one first reduces what is still
    open of the account's earlier items for this supplier and period (of any period with
    `any_period`, newest first: a penalty recalculation), as a recalculation clearing, and only
    the rest becomes a credit item."""
    if diff.empty:
        return
    totals = (
        diff.assign(item=_item_kind(diff["kind"])).groupby(["account_id", "item"])["amount"].sum()
    )
    now = timezone.now()
    for (account_id, item), amount in totals.items():
        amount = int(amount)
        if amount < 0:
            # Lock order: the account before its open items, as payments take them.
            list(Account.objects.select_for_update().filter(pk=account_id).values_list("pk"))
            items = (
                OpenItem.objects.select_for_update()
                .filter(
                    account_id=account_id,
                    supplier_id=batch.supplier_id,
                    kind=item,
                    open_amount__gt=0,
                    **({} if any_period else {"period": batch.period}),
                )
                .order_by("-pk")
            )
            amount += _reduce_newest(items, -amount, batch=batch, now=now)
        if amount != 0:
            OpenItem.objects.create(
                tenant_id=batch.tenant_id,
                batch=batch,
                account_id=int(account_id),
                supplier_id=batch.supplier_id,
                period=batch.period,
                kind=item,
                due_date=due,
                amount=amount,
                open_amount=amount,
            )


def _reduce_newest(items, wanted: int, *, batch: ImportBatch, now) -> int:
    """Takes up to `wanted` off the open `items` (locked, in the order given: newest first),
    each taking a recalculation clearing named for the batch; returns what was taken."""
    taken = 0
    for open_item in items:
        if taken == wanted:
            break
        take = min(open_item.open_amount, wanted - taken)
        open_item.open_amount -= take
        open_item.save(update_fields=["open_amount"])
        Clearing.objects.create(
            tenant_id=batch.tenant_id,
            open_item=open_item,
            amount=take,
            kind=ClearingKind.RECALCULATION,
            source_id=f"batch:{batch.pk}",
            cleared_at=now,
        )
        taken += take
    return taken
