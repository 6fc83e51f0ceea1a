"""Per-line reports of rejected input: every problem of a file, with line, column, value and
reason, so a user can fix the whole file in one pass."""

import csv
import io
from dataclasses import asdict, dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from core.errors import ApplicationError


@dataclass(frozen=True, order=True)
class LineError:
    line: int | None
    column: str
    value: str
    reason: str

    def __str__(self):
        where = f"line {self.line}" if self.line is not None else "file"
        value = f" {self.value!r}" if self.value else ""
        return f"{where}, {self.column}{value}: {self.reason}"


class FileRejected(ApplicationError):
    """A file was refused whole; nothing of it was written."""

    def __init__(self, errors: list[LineError], *, message: str | None = None):
        self.errors = sorted(errors, key=lambda e: (e.line or 0, e.column, e.reason))
        super().__init__(
            message or f"file rejected: {len(self.errors)} problem(s)",
            code="file_rejected",
            extra={"errors": [asdict(e) for e in self.errors]},
        )


def report_csv(errors: list[LineError]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "column", "value", "reason"])
    for e in errors:
        writer.writerow(["" if e.line is None else e.line, e.column, e.value, e.reason])
    return out.getvalue()


REPORT_COLUMNS = ("line", "column", "value", "reason")


def report_xlsx(rows) -> bytes:
    """A per-line report (`LineError`s or their dicts) as an XLSX workbook: one sheet, a bold
    header row that stays in view, a file-level problem with an empty line cell. Values are
    always text: a value from a supplier's file that starts with "=" stays a string, never a
    formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = "report"
    bold = Font(bold=True)
    for column, name in enumerate(REPORT_COLUMNS, start=1):
        sheet.cell(row=1, column=column, value=name).font = bold
    sheet.freeze_panes = "A2"
    for number, row in enumerate(rows, start=2):
        item = asdict(row) if isinstance(row, LineError) else row
        sheet.cell(row=number, column=1, value=item.get("line"))
        for column, name in enumerate(REPORT_COLUMNS[1:], start=2):
            cell = sheet.cell(row=number, column=column)
            cell.value = "" if item.get(name) is None else str(item.get(name))
            cell.data_type = "s"
    for letter, width in zip("ABCD", (8, 20, 30, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
