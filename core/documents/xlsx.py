"""XLSX workbooks the way every export of ours writes them (openpyxl): a bold header row that
stays in view while scrolling, amounts as exact `Decimal` numbers in major units shown
"#,##0.00", set column widths — and text that is never a formula.

Formula injection: openpyxl writes a string starting with "=" as a formula, so a payer's name
or a value from a supplier's file like `=HYPERLINK(…)` would run when the sheet is opened.
`append_row` stores every text value as a string cell instead (the rule the import error
report and the supplier registries already followed): the cell shows the text as it is, and
a spreadsheet program never evaluates a string cell, whatever it starts with (= + - @).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "dd.mm.yyyy"
BOLD = Font(bold=True)


def new_workbook(*, write_only: bool = False) -> Workbook:
    """An empty workbook, without openpyxl's default sheet: add them with `add_sheet`.
    `write_only` streams rows to the file (large exports) and cannot be styled after."""
    book = Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    return book


def add_sheet(book: Workbook, title: str):
    return book.create_sheet(title)


def text_cell(sheet, value):
    """A cell for `value`: text is kept as a string cell (never a formula), numbers (int,
    Decimal) and dates as they are."""
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def append_row(sheet, values: Iterable, *, bold: bool = False) -> None:
    """Appends one row (works on write-only sheets too)."""
    cells = []
    for value in values:
        cell = text_cell(sheet, value)
        if bold:
            cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def header_row(sheet, names: Sequence[str], *, freeze: bool = True) -> None:
    """A bold header row; with `freeze` the rows above and including it stay in view."""
    append_row(sheet, names, bold=True)
    if freeze:
        sheet.freeze_panes = f"A{sheet.max_row + 1}"


def number_format(
    sheet, *, min_row: int, min_col: int, max_col: int, fmt: str = MONEY_FORMAT
) -> None:
    """Shows the numbers (or dates, with `DATE_FORMAT`) of the given columns from `min_row`
    down in `fmt` (amounts by default); text and empty cells are left alone."""
    for row in sheet.iter_rows(min_row=min_row, min_col=min_col, max_col=max_col):
        for cell in row:
            if cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = fmt


def set_widths(sheet, widths: Sequence[float], *, first: int = 1) -> None:
    """Column widths in characters, from column `first` (1 = A) on."""
    for index, width in enumerate(widths, start=first):
        sheet.column_dimensions[get_column_letter(index)].width = width


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
