"""Per-line reports of rejected input: every problem of a file, with line, column, value and
reason, so a user can fix the whole file in one pass."""

import csv
import io
from dataclasses import asdict, dataclass

from config.errors import ApplicationError


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
