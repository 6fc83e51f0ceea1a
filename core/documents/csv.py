"""CSV exports: a header and rows, with text that a spreadsheet program never runs.

Formula injection (CSV injection): Excel and LibreOffice evaluate a cell whose text starts with
= + - @ (or a tab or carriage return before one) when they open a CSV file, so a payer's name
like `=HYPERLINK("http://…")` would become a live formula in the operator's spreadsheet. The
writer prefixes such text with an apostrophe, which the programs show as text and hide
(`escape_text`, `unescape_text` for files we read back, e.g. the supplier registries). Numbers
(int, Decimal) are written as they are: pass amounts as numbers, not as text, so that a
negative amount stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value: str) -> str:
    """`=1+1` → `'=1+1`; any other text unchanged."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unescape_text(value: str) -> str:
    """The inverse of `escape_text`, for a file we wrote being read back."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_text(
    header: Sequence | None,
    rows: Iterable[Sequence],
    *,
    delimiter: str = ",",
    lineterminator: str = "\r\n",
) -> str:
    """The rows (after `header`, when given) as CSV text, every text cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    if header is not None:
        writer.writerow([_cell(value) for value in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value):
    return escape_text(value) if isinstance(value, str) else value
