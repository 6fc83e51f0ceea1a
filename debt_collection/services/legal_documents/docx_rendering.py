"""A legal document's content laid out as a DOCX letter (python-docx): A4, the parties' blocks
on the right, the title, the body's paragraphs with the court order's debt table (and the
penalty day by day) where the template puts it, the date and the signature line.

python-docx is imported inside the functions: only the pages that make a document load it."""

from __future__ import annotations

import io

from core.dates import format_date
from core.money import format_amount, format_decimal
from debt_collection.models import DocumentKind
from debt_collection.services.legal_documents.content import (
    LABELS,
    TABLE_MARKER,
    DocumentContent,
)


def render_legal_docx(content: DocumentContent) -> bytes:
    from docx import Document

    labels, view = LABELS[content.language], content.view
    document = Document()
    _page_setup(document)
    _parties(document, content, labels)
    _title(document, content.title)
    _body(document, content, labels, view)
    _closing(document, content, labels, view)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document) -> None:
    """A4 with the margins of a Russian business letter, Arial 11."""
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(0)


def _block(document, text: str, *, bold=False, size=None, indent=True):
    """A line of the parties' block, indented to the right half of the page."""
    from docx.shared import Mm, Pt

    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.left_indent = Mm(85)
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return paragraph


def _parties(document, content: DocumentContent, labels: dict) -> None:
    """The addressee (the court), the creditor, the debtor and the amounts claimed."""
    if content.addressee:
        _block(document, content.addressee, bold=True)
        _block(document, "")
    creditor_label = (
        labels["creditor"]
        if content.kind == DocumentKind.COURT_ORDER
        else labels["creditor_pre_trial"]
    )
    _block(document, f"{creditor_label}:", bold=True)
    for line in content.creditor_lines:
        _block(document, line, size=10)
    _block(document, "")
    _block(document, f"{labels['debtor']}:", bold=True)
    for line in content.debtor_lines:
        _block(document, line, size=10)
    if content.claim_lines:
        _block(document, "")
        for line in content.claim_lines:
            _block(document, line, bold=True, size=10)


def _title(document, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(18)
    title.paragraph_format.space_after = Pt(12)
    run = title.add_run(text)
    run.bold = True
    run.font.size = Pt(14)


def _body(document, content: DocumentContent, labels: dict, view) -> None:
    """The template's paragraphs, justified, with the debt table at its marker."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    for text in content.paragraphs:
        if text == TABLE_MARKER:
            _table(document, content, labels, view)
            continue
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Mm(12.5)
        paragraph.paragraph_format.space_after = Pt(6)
        paragraph.paragraph_format.line_spacing = 1.15


def _closing(document, content: DocumentContent, labels: dict, view) -> None:
    from docx.shared import Pt

    closing = document.add_paragraph()
    closing.paragraph_format.space_before = Pt(18)
    closing.add_run(f"{labels['date']}: {format_date(content.document_date, view)}")
    document.add_paragraph().add_run(labels["signature"])


# --- the debt table ---------------------------------------------------------------------------

_NUMERIC = {2, 3, 4, 6, 7}  # the debt table's right-aligned columns


def _table(document, content: DocumentContent, labels: dict, view) -> None:
    """Charged, paid, debt, due date, days overdue and penalty per period and supplier, with a
    totals row; then the penalty day by day when there is one."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm, Pt

    table_data = content.table
    heading = document.add_paragraph()
    heading.paragraph_format.space_before = Pt(6)
    heading.paragraph_format.space_after = Pt(3)
    run = heading.add_run(
        labels["table_title"].format(date=format_date(table_data.as_of, view))
        + f" ({labels['currency_note'].format(currency=view.currency)})"
    )
    run.bold = True
    run.font.size = Pt(10)

    widths = [Mm(15), Mm(33), Mm(21), Mm(21), Mm(21), Mm(20), Mm(19), Mm(20)]  # 170 mm
    table = document.add_table(rows=1, cols=8)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice lays out by; cells get theirs in _fill()

    _header(table, labels["columns"], widths)
    for row in table_data.rows:
        cells = _debt_row_cells(row, content.language, view)
        for column, (cell, text) in enumerate(zip(table.add_row().cells, cells, strict=True)):
            _fill(cell, text, column, widths)
    totals = [
        labels["total"],
        "",
        format_amount(table_data.charged, view),
        format_amount(table_data.paid, view),
        format_amount(table_data.debt, view),
        "",
        "",
        format_amount(table_data.penalty_total, view),
    ]
    for column, (cell, text) in enumerate(zip(table.add_row().cells, totals, strict=True)):
        _fill(cell, text, column, widths, bold=True)
    document.add_paragraph().paragraph_format.space_after = Pt(6)
    if table_data.penalty_lines:
        _penalty_lines_table(document, content, labels, view)


def _fill(cell, text: str, column: int, widths: list, *, bold=False, size=8.5) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if column in _NUMERIC else None
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    cell.width = widths[column]


def _header(table, names: list, widths: list) -> None:
    """The column names, bold on a grey-blue ground."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for column, name in enumerate(names):
        cell = table.rows[0].cells[column]
        _fill(cell, name, column, widths, bold=True, size=8)
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "E6EBF0")
        cell._tc.get_or_add_tcPr().append(shading)


def _debt_row_cells(row, language: str, view) -> list[str]:
    year, month = row.period.split("-")
    period = f"{month}.{year}" if language == "ru" else row.period
    return [
        period,
        row.supplier_name,
        format_amount(row.charged, view),
        format_amount(row.paid, view),
        format_amount(row.debt, view),
        format_date(row.due_date, view) if language == "ru" else row.due_date.isoformat(),
        str(row.days_overdue),
        format_amount(row.penalty, view),
    ]


def _penalty_lines_table(document, content: DocumentContent, labels: dict, view) -> None:
    """The penalty day by day: each run of days with its base, rate, fraction and amount, and
    the act that set the rate (a key-rate decision, or the Government's resolution)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm, Pt

    heading = document.add_paragraph()
    heading.paragraph_format.space_after = Pt(3)
    run = heading.add_run(labels["lines_title"])
    run.bold = True
    run.font.size = Pt(10)
    widths = [Mm(14), Mm(24), Mm(17), Mm(17), Mm(10), Mm(18), Mm(12), Mm(12), Mm(16), Mm(30)]
    table = document.add_table(rows=1, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False

    def fill(cell, text: str, column: int, *, bold=False):
        run = cell.paragraphs[0].add_run(text)
        run.bold = bold
        run.font.size = Pt(7.5)
        cell.width = widths[column]

    for column, name in enumerate(labels["line_columns"]):
        fill(table.rows[0].cells[column], name, column, bold=True)
    for period, supplier, line in content.table.penalty_lines:
        year, month = period.split("-")
        ru = content.language == "ru"
        dates = (format_date(line.date_from, view), format_date(line.date_to, view))
        cells = [
            f"{month}.{year}" if ru else period,
            supplier,
            *(dates if ru else (line.date_from.isoformat(), line.date_to.isoformat())),
            str(line.days),
            format_amount(line.base, view),
            format_decimal(line.rate_percent, view),
            line.fraction,
            format_amount(int(line.amount_rounded), view),
            line.rate_source or line.note,
        ]
        for column, (cell, text) in enumerate(zip(table.add_row().cells, cells, strict=True)):
            fill(cell, text, column)
    document.add_paragraph().paragraph_format.space_after = Pt(6)
