"""core.documents: CSV and XLSX exports keep amounts exact and never hand a spreadsheet program
text it would run as a formula; the till-roll PDF is as long as its rows."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.documents.csv import csv_text, escape_text, unescape_text
from core.documents.pdf import RollRow, roll_pdf
from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    workbook_bytes,
)
from warehouse.reports import LineError, report_csv

INJECTIONS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_csv_text_that_starts_a_formula_is_written_as_text(text):
    data = csv_text(["name"], [[text]])

    (_, [cell]) = list(csv.reader(io.StringIO(data)))
    assert cell == "'" + text
    assert unescape_text(cell) == text


def test_csv_leaves_plain_text_and_numbers_alone():
    data = csv_text(["a", "b", "c", "d"], [["Иванов", Decimal("-12.50"), -3, "a=b"]])

    assert data.splitlines()[1] == "Иванов,-12.50,-3,a=b"
    assert escape_text("'=x") == "'=x"  # an apostrophe before it already keeps it text
    assert unescape_text("'plain") == "'plain"  # not ours to take off


def test_import_error_report_csv_escapes_a_supplier_value():
    data = report_csv([LineError(3, "payer", "=cmd|' /C calc'!A0", "unknown account")])

    assert list(csv.reader(io.StringIO(data)))[1] == [
        "3",
        "payer",
        "'=cmd|' /C calc'!A0",
        "unknown account",
    ]


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_text_is_never_a_formula_and_amounts_stay_exact(write_only):
    book = new_workbook(write_only=write_only)
    sheet = add_sheet(book, "export")
    if write_only:
        append_row(sheet, ["payer", "amount"], bold=True)
    else:
        header_row(sheet, ["payer", "amount"])
    for text in INJECTIONS[:4]:
        append_row(sheet, [text, Decimal("1234.56")])
    if not write_only:
        number_format(sheet, min_row=2, min_col=2, max_col=2)

    read = load_workbook(io.BytesIO(workbook_bytes(book)))["export"]

    assert [c.value for c in read["A"][1:]] == INJECTIONS[:4]
    assert {c.data_type for c in read["A"][1:]} == {"s"}
    assert read["B2"].value == 1234.56 and read["B2"].data_type == "n"
    assert read["A1"].font.b is True
    if not write_only:
        assert read.freeze_panes == "A2"
        assert read["B2"].number_format == "#,##0.00"


def test_xlsx_stores_the_decimal_digits_as_given():
    book = new_workbook()
    append_row(add_sheet(book, "s"), [Decimal("0.10"), Decimal("12345678901234.57")])

    raw = workbook_bytes(book)
    xml = zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>12345678901234.57</v>" in xml  # a float would have lost the last digits


def test_roll_pdf_is_one_page_as_long_as_its_rows():
    short = roll_pdf([RollRow("title", "Receipt")], title="r", author="a")
    rows = [RollRow("pair", f"line {n}", "1,00") for n in range(40)]
    long = roll_pdf([RollRow("title", "Receipt"), RollRow("rule"), *rows], title="r", author="a")

    assert short.startswith(b"%PDF") and long.count(b"/Type /Page\n") <= 1
    assert _height(long) > _height(short) + 40 * 8


def _height(pdf: bytes) -> float:
    box = re.search(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)
    return float(box.group(2))
