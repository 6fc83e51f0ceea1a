"""Per-line reports of rejected input: every problem of a file, with line, column, value and
reason, so a user can fix the whole file in one pass."""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext

from core.documents.csv import csv_text
from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    set_widths,
    workbook_bytes,
)
from core.errors import ApplicationError


@dataclass(frozen=True, order=True)
class LineError:
    line: int | None
    column: str
    value: str
    reason: str
    # The reason as a gettext message id and its parameters (`problem()`), so a stored report
    # renders in its reader's language (`reason_text`); "" for a reason written in English only.
    msgid: str = field(default="", compare=False)
    params: tuple = field(default=(), compare=False)

    def as_row(self) -> dict:
        """The error as a stored report row."""
        row = {"line": self.line, "column": self.column, "value": self.value, "reason": self.reason}
        if self.msgid:
            row |= {"msgid": self.msgid, "params": dict(self.params)}
        return row

    def __str__(self):
        where = f"line {self.line}" if self.line is not None else "file"
        value = f" {self.value!r}" if self.value else ""
        return f"{where}, {self.column}{value}: {self.reason}"


def problem(line: int | None, column: str, value: str, msgid: str, **params) -> LineError:
    """A `LineError` whose reason is a gettext message id (mark it with `gettext_noop`) and its
    named parameters: the English reason is kept for the command line and the API, and a page
    or a report renders it in its reader's language with `reason_text`."""
    return LineError(line, column, value, msgid % params, msgid, tuple(sorted(params.items())))


def reason_text(row) -> str:
    """A report row's reason (a stored dict or a `LineError`) in the active language: its
    message id translated and filled in, or the stored English reason of an older report."""
    item = asdict(row) if isinstance(row, LineError) else row
    msgid, params = item.get("msgid"), item.get("params")
    if not msgid:
        return item.get("reason", "")
    try:
        return gettext(msgid) % dict(params or ())
    except (KeyError, TypeError, ValueError):
        return item.get("reason", "")


class FileRejected(ApplicationError):
    """A file was refused whole; nothing of it was written."""

    def __init__(self, errors: list[LineError], *, message: str | None = None):
        self.errors = sorted(errors, key=lambda e: (e.line or 0, e.column, e.reason))
        super().__init__(
            message or f"file rejected: {len(self.errors)} problem(s)",
            code="file_rejected",
            extra={
                "errors": [
                    {"line": e.line, "column": e.column, "value": e.value, "reason": e.reason}
                    for e in self.errors
                ]
            },
        )


REPORT_COLUMNS = ("line", "column", "value", "reason")


def report_csv(errors: list[LineError]) -> str:
    """The report as CSV; a value that would run as a formula is written as text."""
    rows = (["" if e.line is None else e.line, e.column, e.value, e.reason] for e in errors)
    return csv_text(REPORT_COLUMNS, rows)


def report_xlsx(rows) -> bytes:
    """A per-line report (`LineError`s or their dicts) as an XLSX workbook: one sheet, a bold
    header row that stays in view, a file-level problem with an empty line cell. Values are
    always text: a value from a supplier's file that starts with "=" stays a string, never a
    formula."""
    book = new_workbook()
    sheet = add_sheet(book, "report")
    header_row(sheet, REPORT_COLUMNS)
    for row in rows:
        item = asdict(row) if isinstance(row, LineError) else row
        item = {**item, "reason": reason_text(item)}
        texts = (
            "" if item.get(name) is None else str(item.get(name)) for name in REPORT_COLUMNS[1:]
        )
        append_row(sheet, [item.get("line"), *texts])
    set_widths(sheet, (8, 20, 30, 80))
    return workbook_bytes(book)
