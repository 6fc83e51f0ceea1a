"""Reads the tabular files suppliers and operators send (CSV or XLSX) into a frame of strings,
with the file's line numbers kept, and detects what the formats allow: the encoding (UTF-8 with
or without BOM, UTF-16, or the legacy code page whose reading is cleanest, the tenant's default
on a tie: `core.encodings`), `,` or `;` as separator (import-formats.md "Common rules").

Nothing is converted here: every cell stays the text the file held, so validation can report
the value exactly as the user sees it."""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

import pandas as pd
from django.utils.translation import gettext_noop

from core.encodings import Decoded, EncodingError, decode_text
from warehouse.reports import FileRejected, LineError, problem

LINE = "_line"
# Arrow-backed strings: pandas runs .str operations in C++ instead of a Python loop per cell.
TEXT = pd.StringDtype("pyarrow")


@dataclass
class Table:
    """Cells as strings, one row per non-empty data line; `frame[LINE]` is the file's line."""

    frame: pd.DataFrame
    columns: list[str]
    errors: list[LineError] = field(default_factory=list)
    encoding: str | None = None
    separator: str | None = None
    encoding_note: str = ""  # "read as Windows-1252 (detected)" when a code page was guessed


def normalise_header(name) -> str:
    return str(name if name is not None else "").strip().lower()


def decode(data: bytes, encoding: str | None = None, default: str | None = None) -> Decoded:
    """The text and how it was read (`core.encodings`): the named encoding, else UTF-8 or
    UTF-16, else the legacy code page whose reading is cleanest, `default` on a tie. A file
    that is not text is refused as unreadable."""
    try:
        return decode_text(data, encoding=encoding, default=default)
    except EncodingError as exc:
        raise FileRejected(
            [
                problem(
                    None,
                    "file",
                    "",
                    gettext_noop("the file cannot be read as text: %(detail)s"),
                    detail=str(exc),
                )
            ]
        ) from exc


def detect_separator(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def read_csv(
    data: bytes,
    *,
    encoding=None,
    default_encoding=None,
    separator=None,
    skip_rows=0,
    header=True,
) -> Table:
    decoded = decode(data, encoding, default_encoding)
    text = decoded.text
    separator = separator or detect_separator(text)
    meta = {"encoding": decoded.encoding, "separator": separator, "encoding_note": decoded.note}
    fast = _read_plain_csv(text, separator, skip_rows, header)
    if fast is not None:
        return _frame_table(*fast, **meta)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    names, rows, lines, errors = None, [], [], []
    previous_end = 0
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if start <= skip_rows or not any(cell.strip() for cell in record):
                continue
            if names is None:
                names = _header(record, header)
                if header:
                    continue
            if len(record) != len(names):
                errors.append(
                    problem(
                        start,
                        "line",
                        separator.join(record)[:80],
                        gettext_noop("has %(fields)s fields, the header has %(columns)s"),
                        fields=len(record),
                        columns=len(names),
                    )
                )
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        errors.append(
            problem(
                previous_end + 1,
                "line",
                "",
                gettext_noop("malformed CSV: %(detail)s"),
                detail=str(exc),
            )
        )
    return _table(names, rows, lines, errors, **meta)


def _header(first_row: list[str], header: bool) -> list[str]:
    """The normalised column names, or 1, 2, 3… for a file without a header row."""
    if header:
        return [normalise_header(c) for c in first_row]
    return [str(i) for i in range(1, len(first_row) + 1)]


def _read_plain_csv(text: str, separator: str, skip_rows: int, header: bool):
    """The fast path for the common file: no quotes, no blank lines, every line with the same
    number of fields. pandas' C parser reads it and line numbers follow from row positions.
    Anything else returns None and takes the careful, line-by-line path."""
    body = text[:-1] if text.endswith("\n") else text
    if (
        '"' in text
        or not body
        or "\n\n" in body
        or "\n\r\n" in body
        or body.startswith(("\n", "\r"))
    ):
        return None
    physical = body.split("\n")
    if skip_rows >= len(physical):
        return None
    physical = physical[skip_rows:]
    fields = physical[0].count(separator)
    if any(line.count(separator) != fields for line in physical) or any(
        not line.strip() for line in physical
    ):
        return None
    names = _header(physical[0].rstrip("\r").split(separator), header)
    frame = pd.read_csv(
        io.StringIO("\n".join(physical)),
        sep=separator,
        header=None,
        names=names,
        skiprows=1 if header else 0,
        dtype=TEXT,
        keep_default_na=False,
        na_filter=False,
        engine="c",
        skip_blank_lines=False,
    )
    first_data_line = skip_rows + (2 if header else 1)
    lines = range(first_data_line, first_data_line + len(frame))
    return names, frame, lines


def _frame_table(names, frame, lines, **meta) -> Table:
    _check_header(names)
    frame = frame.apply(lambda s: s.str.strip()) if len(frame) else frame
    frame[LINE] = pd.Series(lines, dtype="int64", index=frame.index)
    return Table(frame=frame, columns=names, errors=[], **meta)


def read_xlsx(data: bytes, *, sheet: str | None = None, skip_rows=0) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRejected(
            [
                problem(
                    None,
                    "file",
                    "",
                    gettext_noop("not a readable XLSX workbook: %(detail)s"),
                    detail=str(exc),
                )
            ]
        ) from exc
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise FileRejected(
                [problem(None, "sheet", sheet, gettext_noop("no such sheet in the workbook"))]
            )
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        header, rows, lines, errors = None, [], [], []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if number <= skip_rows or not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [normalise_header(c) for c in cells]
                while header and not header[-1]:
                    header.pop()
                continue
            extra = [c for c in cells[len(header) :] if c.strip()]
            if extra:
                errors.append(
                    problem(
                        number,
                        "line",
                        " | ".join(cells)[:80],
                        gettext_noop("has values beyond the %(columns)s header columns"),
                        columns=len(header),
                    )
                )
                continue
            rows.append((cells + [""] * len(header))[: len(header)])
            lines.append(number)
    finally:
        workbook.close()
    return _table(header, rows, lines, errors)


def read_table(data: bytes, *, filename: str, **options) -> Table:
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    if is_xlsx:
        return read_xlsx(data, sheet=options.get("sheet"), skip_rows=options.get("skip_rows", 0))
    return read_csv(
        data,
        encoding=options.get("encoding"),
        default_encoding=options.get("default_encoding"),
        separator=options.get("separator"),
        skip_rows=options.get("skip_rows", 0),
        header=options.get("header", True),
    )


def require_columns(table: Table, required: list[str]) -> None:
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise FileRejected(
            [
                problem(1, column, "", gettext_noop("required column is missing from the header"))
                for column in missing
            ]
        )


def _check_header(header) -> None:
    if header is None:
        raise FileRejected(
            [problem(None, "file", "", gettext_noop("the file is empty: no header row"))]
        )
    duplicates = {c for c in header if c and header.count(c) > 1}
    if duplicates:
        raise FileRejected(
            [
                problem(1, c, "", gettext_noop("column appears twice in the header"))
                for c in sorted(duplicates)
            ]
        )


def _table(header, rows, lines, errors, **meta) -> Table:
    _check_header(header)
    frame = (
        pd.DataFrame(rows, columns=header, dtype=TEXT)
        if rows
        else pd.DataFrame({c: pd.Series([], dtype=TEXT) for c in header})
    )
    frame = frame.apply(lambda s: s.str.strip()) if len(frame) else frame
    frame[LINE] = pd.Series(lines, dtype="int64")
    return Table(frame=frame, columns=header, errors=errors, **meta)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
