"""Reads of the charge-import pages that need more than a query: the line counts of a batch,
its message in the reader's language, the profile to preselect for a supplier, and the
difference between two versions of a supplier's file for a period.

The version difference is a pure function (`version_diff`) over the lines of two files, keyed
by (supplier account, service code, kind, corrected period); `batch_lines` reads a batch's
kept file through its mapping profile, so a version whose charges were replaced (and deleted)
can still be compared. Amounts in minor units."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from core.encodings import encoding_name
from warehouse.models import (
    AccountLink,
    BatchStatus,
    ChargeKind,
    ImportBatch,
    MappingProfile,
    SourceFormat,
    Supplier,
)
from warehouse.reports import FileRejected, reason_text
from warehouse.services.charge_rows import read_source, to_canonical

# --- counts and message -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportCounts:
    """A batch's lines, each counted once: `read` = `posted` + `waiting` + `rejected` +
    `unmatched`. `waiting`: lines without a problem that a rejected file did not post."""

    read: int
    posted: int
    waiting: int
    rejected: int
    unmatched: int

    @property
    def adds_up(self) -> bool:
        return self.read == self.posted + self.waiting + self.rejected + self.unmatched


def batch_counts(batch: ImportBatch) -> ImportCounts:
    """The batch page's counters, from the one set of counts the import stored."""
    valid = batch.rows_valid
    posted = batch.status in (BatchStatus.POSTED, BatchStatus.SUPERSEDED)
    read = batch.rows_total or (valid + batch.rows_rejected + batch.rows_unmatched)
    return ImportCounts(
        read=read,
        posted=valid if posted else 0,
        waiting=0 if posted else valid,
        rejected=batch.rows_rejected,
        unmatched=batch.rows_unmatched,
    )


def batch_message(batch: ImportBatch) -> str:
    """The batch's message in the active language, with how its encoding was guessed when it
    was (an older batch: its English message as stored)."""
    stored = batch.message_i18n or {}
    if not stored:
        return batch.message
    message = reason_text({**stored, "reason": batch.message})
    if batch.encoding_note and batch.encoding:
        name = encoding_name(batch.encoding)
        if "the default" in batch.encoding_note:
            note = _("read as %(name)s, the default (the file's letters read either way)") % {
                "name": name
            }
        else:
            note = _("read as %(name)s (detected)") % {"name": name}
        message = f"{message.rstrip('.')}; {note}."
    return message


def report_rows(rows: Iterable[dict]) -> list[dict]:
    """Report rows with their reason in the active language."""
    return [{**row, "reason": reason_text(row)} for row in rows]


# --- the profile to preselect -----------------------------------------------------------------


def profile_preselected(supplier: Supplier) -> MappingProfile | None:
    """The profile the supplier's last posted file came through (None: it came in the
    canonical format); with no posted file yet, the supplier's profile if it has only one."""
    last = (
        ImportBatch.objects.filter(
            supplier=supplier, status__in=[BatchStatus.POSTED, BatchStatus.SUPERSEDED]
        )
        .exclude(source_format=SourceFormat.PENALTY)
        .order_by("-posted_at", "-pk")
        .select_related("profile")
        .first()
    )
    if last is not None:
        return last.profile
    profiles = list(MappingProfile.objects.filter(supplier=supplier).order_by("pk")[:2])
    return profiles[0] if len(profiles) == 1 else None


# --- versions and their difference -----------------------------------------------------------


def own_batches(supplier_id: int, period: str):
    """The supplier's own files of the period (penalty batches are debt collection's)."""
    return ImportBatch.objects.filter(supplier_id=supplier_id, period=period).exclude(
        source_format=SourceFormat.PENALTY
    )


def previous_version(batch: ImportBatch) -> ImportBatch | None:
    """The version this batch is compared with: the one before it, or, for a file that was
    not posted, the version that stands."""
    if batch.source_format == SourceFormat.PENALTY:
        return None
    versions = own_batches(batch.supplier_id, batch.period).exclude(pk=batch.pk)
    if batch.version is not None:
        return versions.filter(version__lt=batch.version).order_by("-version").first()
    return versions.filter(status=BatchStatus.POSTED).first()


@dataclass(frozen=True)
class FileLine:
    """One line of a charges file, as the diff sees it."""

    supplier_account: str
    service_code: str
    kind: str
    corrects_period: str
    amount: int
    quantity: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.supplier_account, self.service_code, self.kind, self.corrects_period)


@dataclass(frozen=True)
class LineChange:
    supplier_account: str
    service_code: str
    kind: str
    corrects_period: str
    old_amount: int | None
    new_amount: int | None
    old_quantity: str = ""
    new_quantity: str = ""

    @property
    def difference(self) -> int:
        return (self.new_amount or 0) - (self.old_amount or 0)

    @property
    def kind_label(self) -> str:
        return ChargeKind(self.kind).label if self.kind in ChargeKind.values else self.kind


@dataclass(frozen=True)
class AccountDifference:
    supplier_account: str
    old_total: int
    new_total: int
    account_number: str = ""

    @property
    def difference(self) -> int:
        return self.new_total - self.old_total


@dataclass
class VersionDiff:
    added: list[LineChange] = field(default_factory=list)
    removed: list[LineChange] = field(default_factory=list)
    changed: list[LineChange] = field(default_factory=list)
    unchanged: int = 0
    accounts: list[AccountDifference] = field(default_factory=list)  # those that differ
    old_total: int = 0
    new_total: int = 0

    @property
    def difference(self) -> int:
        return self.new_total - self.old_total

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def version_diff(old: Iterable[FileLine], new: Iterable[FileLine]) -> VersionDiff:
    """What the new file changes against the old one: lines added, removed and changed (amount
    or quantity) by (account, service, kind, corrected period), the money difference per
    supplier account (only accounts whose total changed) and in total. Pure: lines in, the
    difference out. A key repeated within a file (a rejected file may have it) sums."""
    before, after = _by_key(old), _by_key(new)
    diff = VersionDiff()
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        change = LineChange(
            *key,
            old_amount=was.amount if was else None,
            new_amount=now.amount if now else None,
            old_quantity=was.quantity if was else "",
            new_quantity=now.quantity if now else "",
        )
        if was is None:
            diff.added.append(change)
        elif now is None:
            diff.removed.append(change)
        elif was.amount != now.amount or _quantity(was.quantity) != _quantity(now.quantity):
            diff.changed.append(change)
        else:
            diff.unchanged += 1
    totals: dict[str, list[int]] = {}
    for line in before.values():
        totals.setdefault(line.supplier_account, [0, 0])[0] += line.amount
    for line in after.values():
        totals.setdefault(line.supplier_account, [0, 0])[1] += line.amount
    diff.accounts = [
        AccountDifference(account, old_total, new_total)
        for account, (old_total, new_total) in sorted(totals.items())
        if old_total != new_total
    ]
    diff.old_total = sum(line.amount for line in before.values())
    diff.new_total = sum(line.amount for line in after.values())
    return diff


def _by_key(lines: Iterable[FileLine]) -> dict[tuple, FileLine]:
    merged: dict[tuple, FileLine] = {}
    for line in lines:
        seen = merged.get(line.key)
        if seen is None:
            merged[line.key] = line
        else:
            merged[line.key] = FileLine(
                *line.key, amount=seen.amount + line.amount, quantity=seen.quantity
            )
    return merged


def _quantity(text: str) -> Decimal | str:
    try:
        return Decimal(text) if text else ""
    except InvalidOperation:
        return text


class FileUnavailable(Exception):
    """A batch's file cannot be compared: not kept, or not readable through its profile."""


def batch_lines(batch: ImportBatch) -> list[FileLine]:
    """The lines of a batch's kept file, read through its mapping profile as the import read
    them (amounts in minor units). Lines whose amount is not a number are left out."""
    path = Path(settings.MEDIA_ROOT) / batch.stored_file if batch.stored_file else None
    if path is None or not path.is_file():
        raise FileUnavailable(batch.pk)
    try:
        table = read_source(
            path.read_bytes(),
            filename=batch.filename or path.name,
            profile=batch.profile,
            default_encoding=batch.tenant.text_encoding,
        )
        canonical, _errors = to_canonical(table, batch.profile)
    except FileRejected as exc:
        raise FileUnavailable(batch.pk) from exc
    lines = []
    for row in canonical.itertuples(index=False):
        row = row._asdict()
        try:
            amount = int((Decimal(row["amount"]) * 100).to_integral_value())
        except (InvalidOperation, TypeError):
            continue
        lines.append(
            FileLine(
                supplier_account=row["supplier_account"],
                service_code=row["service_code"],
                kind=(row["kind"] or ChargeKind.REGULAR).lower(),
                corrects_period=row["corrects_period"] or "",
                amount=amount,
                quantity=row["quantity"] or "",
            )
        )
    return lines


def batches_diff(old: ImportBatch, new: ImportBatch) -> VersionDiff:
    """The difference between two files of a supplier and period, with our account number
    beside each supplier account that a link knows."""
    diff = version_diff(batch_lines(old), batch_lines(new))
    numbers = dict(
        AccountLink.objects.filter(
            supplier_id=new.supplier_id,
            external_number__in=[a.supplier_account for a in diff.accounts],
        ).values_list("external_number", "account__account_number")
    )
    diff.accounts = [
        AccountDifference(
            a.supplier_account, a.old_total, a.new_total, numbers.get(a.supplier_account, "")
        )
        for a in diff.accounts
    ]
    return diff
