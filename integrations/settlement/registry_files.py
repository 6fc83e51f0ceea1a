"""The supplier's daily registry as CSV (for its billing system) and XLSX (for people).

CSV layout (UTF-8 with BOM, `;`, CRLF):

    registry;<id>;<day>;<currency>;<count>;<gross>;<commission>;<net>
    account_number;period;document_reference;payment_id;booked_at;amount;commission;net;sign
    <one row per line>

Amounts are major units with a dot and two decimals ("1234.50", "-12.00"); a reversal has a
negative amount and sign `-`.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.documents.csv import escape_text, unescape_text
from core.money import format_minor

from .types import Party, Registry

HEADER_TAG = "registry"
HEADER_FIELDS = ("id", "day", "currency", "count", "gross", "commission", "net")
COLUMNS = (
    "account_number",
    "period",
    "document_reference",
    "payment_id",
    "booked_at",
    "amount",
    "commission",
    "net",
    "sign",
)
TEXT_COLUMNS = ("account_number", "period", "document_reference", "payment_id")
AMOUNT_COLUMNS = ("amount", "commission", "net")
AMOUNT_FORMAT = "#,##0.00"
# A text cell starting with = + - @ is run as a formula by spreadsheet programs (CSV
# injection): the writer prefixes it with an apostrophe, the reader removes it
# (`core.documents.csv.escape_text` / `unescape_text`).


def _minor(text: str) -> int:
    """The inverse of `format_minor`: "1234.50" → 123450; at most 2 decimals."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    minor = value * 100
    if minor != minor.to_integral_value():
        raise ValueError(f"more than 2 decimals: {text!r}")
    return int(minor)


def registry_csv(registry: Registry) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            HEADER_TAG,
            registry.id,
            registry.day.isoformat(),
            registry.currency,
            registry.count,
            format_minor(registry.gross),
            format_minor(registry.commission),
            format_minor(registry.net),
        ]
    )
    writer.writerow(COLUMNS)
    for line in registry.lines:
        writer.writerow(
            [
                escape_text(line.account_number),
                escape_text(line.period),
                escape_text(line.document_reference),
                escape_text(line.payment_id),
                line.booked_at.isoformat(),
                format_minor(line.amount),
                format_minor(line.commission),
                format_minor(line.net),
                "-" if line.amount < 0 else "+",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def read_registry_csv(data: bytes) -> tuple[dict, list[dict]]:
    """Reads a file written by `registry_csv` back: the header fields (`id`, `day` as a date,
    `currency`, `count`, `gross`, `commission`, `net` in minor units) and one dict per line
    (`booked_at` as an aware datetime, amounts in minor units). Raises ValueError on a file of
    another shape, or whose header totals disagree with its lines."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    if len(rows) < 2 or not rows[0] or rows[0][0] != HEADER_TAG:
        raise ValueError("not a registry file: the first row must start with 'registry'")
    if len(rows[0]) != 1 + len(HEADER_FIELDS):
        raise ValueError(f"registry header: {len(rows[0])} fields, expected 8")
    if tuple(rows[1]) != COLUMNS:
        raise ValueError(f"registry columns: {rows[1]!r}, expected {list(COLUMNS)!r}")
    raw = dict(zip(HEADER_FIELDS, rows[0][1:], strict=True))
    header = {
        "id": raw["id"],
        "day": date.fromisoformat(raw["day"]),
        "currency": raw["currency"],
        "count": int(raw["count"]),
        "gross": _minor(raw["gross"]),
        "commission": _minor(raw["commission"]),
        "net": _minor(raw["net"]),
    }
    lines = []
    for number, row in enumerate(rows[2:], start=3):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise ValueError(f"registry row {number}: {len(row)} fields, expected {len(COLUMNS)}")
        line: dict = dict(zip(COLUMNS, row, strict=True))
        for name in TEXT_COLUMNS:
            line[name] = unescape_text(line[name])
        line["booked_at"] = datetime.fromisoformat(line["booked_at"])
        for name in AMOUNT_COLUMNS:
            line[name] = _minor(line[name])
        lines.append(line)
    if header["count"] != len(lines):
        raise ValueError(
            f"registry header counts {header['count']} lines, the file has {len(lines)}"
        )
    for name in ("gross", "commission", "net"):
        column = "amount" if name == "gross" else name
        total = sum(line[column] for line in lines)
        if header[name] != total:
            raise ValueError(f"registry header {name} {header[name]} != sum of lines {total}")
    return header, lines


def _party_account(party: Party) -> str:
    return party.iban or party.bank_account


def registry_xlsx(registry: Registry) -> bytes:
    """One sheet "Registry": a title, a summary (labels in row 2, values in row 3: id, day,
    currency, supplier, count, gross, commission, net — the totals sit above the table's
    amount columns), then the table of lines from row 5 with its header row frozen."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Registry"
    _xlsx_summary(ws, registry)
    _xlsx_lines(ws, registry)
    _xlsx_widths(ws, registry)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_XLSX_HEADER_ROW = 5


def _xlsx_summary(ws, registry: Registry) -> None:
    """The title (row 1) and the summary: labels in row 2, values in row 3."""
    bold = Font(bold=True)
    ws["A1"] = f"Settlement registry {registry.id} of {registry.day.isoformat()}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["D1"] = f"Operator: {registry.operator.name}"

    summary = [
        ("Registry", registry.id, None),
        ("Day", registry.day, "yyyy-mm-dd"),
        ("Currency", registry.currency, None),
        ("Supplier", _supplier_label(registry), None),
        ("Payments", registry.count, "0"),
        ("Gross", _decimal(registry.gross), AMOUNT_FORMAT),
        ("Commission", _decimal(registry.commission), AMOUNT_FORMAT),
        ("Net", _decimal(registry.net), AMOUNT_FORMAT),
    ]
    for col, (label, value, number_format) in enumerate(summary, start=1):
        ws.cell(row=2, column=col, value=label).font = bold
        cell = _set(ws, 3, col, value)
        if number_format:
            cell.number_format = number_format


def _xlsx_lines(ws, registry: Registry) -> None:
    """The table: its header row (frozen, with an auto-filter over the lines), then a row per
    line."""
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    header_row = _XLSX_HEADER_ROW
    for col, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=col, value=name)
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for row, line in enumerate(registry.lines, start=header_row + 1):
        values = [
            line.account_number,
            line.period,
            line.document_reference,
            line.payment_id,
            # Excel keeps no time zone: the wall-clock time in the line's own offset.
            line.booked_at.replace(tzinfo=None),
            _decimal(line.amount),
            _decimal(line.commission),
            _decimal(line.net),
            "-" if line.amount < 0 else "+",
        ]
        for col, value in enumerate(values, start=1):
            cell = _set(ws, row, col, value)
            if col == 5:
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif col in (6, 7, 8):
                cell.number_format = AMOUNT_FORMAT
            elif col == 9:
                cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if registry.lines:
        last = header_row + len(registry.lines)
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(COLUMNS))}{last}"


def _xlsx_widths(ws, registry: Registry) -> None:
    """Each column as wide as its longest text (header, lines, summary), within 8 to 50."""
    widths = [len(name) for name in COLUMNS]
    for line in registry.lines:
        texts = [
            line.account_number,
            line.period,
            line.document_reference,
            line.payment_id,
            "2026-01-01 00:00:00",
            f"{_decimal(line.amount):,}",
            f"{_decimal(line.commission):,}",
            f"{_decimal(line.net):,}",
            "+",
        ]
        widths = [max(w, len(t)) for w, t in zip(widths, texts, strict=True)]
    summary_texts = [registry.id, "2026-01-01", "", _supplier_label(registry), "", "", "", ""]
    for i, text in enumerate(summary_texts):
        widths[i] = max(widths[i], len(text))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 50)


def _supplier_label(registry: Registry) -> str:
    account = _party_account(registry.supplier)
    return f"{registry.supplier.name} ({account})" if account else registry.supplier.name


def _decimal(minor: int) -> Decimal:
    return Decimal(format_minor(minor))


def _set(ws, row: int, column: int, value):
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would write "=…" as a formula
    return cell
