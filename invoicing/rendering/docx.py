"""The payment document as a DOCX letter an operator can edit before sending: the same sections,
rows and numbers as the PDF (tables for the per-supplier and per-service parts), with the QR as
a PNG picture."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from invoicing.document_view import DocumentView
from invoicing.rendering import (
    QR_BORDER,
    Sheet,
    build_sheet,
    format_amount,
    format_date,
    format_decimal,
    format_money,
    format_period,
    make_qr,
)

SOFT = RGBColor(0x5C, 0x66, 0x73)


def render_docx(view: DocumentView) -> bytes:
    sheet = build_sheet(view)
    document = Document()
    _page_setup(document)
    _header(document, sheet)
    _section1(document, sheet)
    _section2(document, sheet)
    _section3(document, sheet)
    if sheet.recalculations:
        _items(document, sheet, sheet.labels["section5"], sheet.recalculations)
    if sheet.penalties:
        _items(document, sheet, sheet.labels["penalties"], sheet.penalties)
        label = f"{sheet.labels['penalties_total']}: {format_money(sheet.penalties_total, view)}"
        _paragraph(document, label, bold=True)
    footer = sheet.labels["footer"].format(
        issued=format_date(view.issued_on, view), route=view.delivery_route, number=view.number
    )
    _paragraph(document.sections[0].footer.paragraphs[0], footer, size=7, color=SOFT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- building blocks --------------------------------------------------------------------------


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(9)
    style.paragraph_format.space_after = Pt(1)


def _paragraph(target, text="", *, bold=False, size=None, color=None, align=None):
    """Adds a paragraph to a document or cell (or fills an existing paragraph)."""
    paragraph = target if hasattr(target, "add_run") else target.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
    if align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return paragraph


def _heading(document, text: str) -> None:
    paragraph = _paragraph(document, text, bold=True, size=10.5)
    paragraph.paragraph_format.space_before = Pt(8)
    paragraph.paragraph_format.space_after = Pt(3)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), "E6EBF0")
    paragraph._p.get_or_add_pPr().append(shading)


def _table(document, header, rows, numeric_from: int):
    """rows: (kind, cells) with kind row|group|total; columns from `numeric_from` align right."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, (cell, text) in enumerate(zip(table.rows[0].cells, header, strict=True)):
        align = "right" if index >= numeric_from else None
        _paragraph(cell.paragraphs[0], text, bold=True, size=7.5, color=SOFT, align=align)
    for kind, cells in rows:
        row = table.add_row().cells
        if kind == "group":
            merged = row[0].merge(row[-1])
            _paragraph(merged.paragraphs[0], cells[0], bold=True, size=8, color=SOFT)
            continue
        for index, (cell, text) in enumerate(zip(row, cells, strict=True)):
            align = "right" if index >= numeric_from else None
            _paragraph(cell.paragraphs[0], text, bold=kind == "total", size=8.5, align=align)
    return table


# --- sections ---------------------------------------------------------------------------------


def _header(document, sheet: Sheet) -> None:
    view, L = sheet.view, sheet.labels
    _paragraph(document, L["title"], bold=True, size=16)
    _paragraph(document, sheet.number_line)
    _paragraph(document, f"{L['period']}: {format_period(view)}", bold=True)
    _paragraph(document, f"{L['account']}: {view.account_number}", bold=True)
    _paragraph(document, f"{L['reference']}: {view.reference_display}", bold=True)


def _section1(document, sheet: Sheet) -> None:
    view, L = sheet.view, sheet.labels
    _heading(document, L["section1"])
    table = document.add_table(rows=1, cols=2)
    payer, executor = table.rows[0].cells
    _paragraph(payer.paragraphs[0], L["payer"], size=7.5, color=SOFT)
    _paragraph(payer, view.payer_name, bold=True, size=10)
    _paragraph(payer, f"{L['address']}: {view.address}")
    if sheet.payer_facts:
        _paragraph(payer, " · ".join(sheet.payer_facts))
    _paragraph(executor.paragraphs[0], L["executor"], size=7.5, color=SOFT)
    _paragraph(executor, view.operator.name, bold=True, size=10)
    if view.operator.address:
        _paragraph(executor, view.operator.address)
    if sheet.operator_tax_ids:
        _paragraph(executor, sheet.operator_tax_ids)
    if sheet.operator_bank:
        _paragraph(executor, f"{L['bank']}: {sheet.operator_bank}", size=7.5, color=SOFT)


def _section2(document, sheet: Sheet) -> None:
    view, L = sheet.view, sheet.labels
    _heading(document, f"{L['section2']} ({L['currency_note']})")

    def amounts(row):
        return [
            format_amount(row.opening, view),
            format_amount(row.payments, view),
            format_amount(row.accrued, view),
            format_amount(row.amount_due, view),
        ]

    rows = []
    for row in sheet.suppliers:
        name = f"{row.name}\n{row.bank}" if row.bank else row.name
        rows.append(("row", [name, *amounts(row)]))
    rows.append(("total", [L["total"], *amounts(sheet.supplier_totals)]))
    header = [L["recipient"], L["opening"], L["payments"], L["accrued"], L["due"]]
    _table(document, header, rows, numeric_from=1)

    _paragraph(document)
    if sheet.in_advance:
        _paragraph(
            document, f"{L['advance']}: {format_money(view.advance, view)}", bold=True, size=13
        )
        _paragraph(document, L["advance_note"])
    else:
        due = f"{L['amount_due']}: {format_money(view.amount_due, view)}"
        _paragraph(document, due, bold=True, size=13)
        _paragraph(document, f"{L['due_date']}: {format_date(view.due_date, view)}", bold=True)
    if view.profile != "RU" and sheet.operator_bank:
        _paragraph(document, f"{L['transfer']}: {view.operator.name} · {sheet.operator_bank}")
        _paragraph(document, f"{L['remittance']}: {view.reference_display}", bold=True)
    _paragraph(document, f"{L['pay_link']}: {view.pay_url}")
    if view.tan:
        _paragraph(document, f"{L['tan']}: {view.tan}", bold=True)
    if view.qr_payload:
        png = io.BytesIO()
        make_qr(view.qr_payload).save(png, kind="png", scale=6, border=QR_BORDER)
        png.seek(0)
        document.add_picture(png, width=Mm(46))
        _paragraph(document, L["qr_caption"], size=7.5, color=SOFT)


def _section3(document, sheet: Sheet) -> None:
    view, L = sheet.view, sheet.labels
    _heading(document, f"{L['section3']} ({L['currency_note']})")

    def amounts(row):
        return [
            format_amount(row.accrued, view),
            format_amount(row.recalculation, view),
            format_amount(row.privileges, view),
            format_amount(row.total, view),
        ]

    rows = []
    for group in sheet.services:
        rows.append(("group", [group.supplier]))
        for row in group.rows:
            quantity = format_decimal(row.quantity, view)
            tariff = format_decimal(row.tariff, view)
            rows.append(("row", [row.name, row.unit, quantity, tariff, *amounts(row)]))
    rows.append(("total", [L["services_total"], "", "", "", *amounts(sheet.services_total)]))
    header = [
        L["service"],
        L["unit"],
        L["quantity"],
        L["tariff"],
        L["row_accrued"],
        L["recalculation"],
        L["privileges"],
        L["row_total"],
    ]
    _table(document, header, rows, numeric_from=2)


def _items(document, sheet: Sheet, heading: str, items) -> None:
    view, L = sheet.view, sheet.labels
    _heading(document, heading)
    rows = [
        ("row", [f"{item.name} ({item.supplier})", format_amount(item.amount, view)])
        for item in items
    ]
    _table(document, [L["reason"], L["amount"]], rows, numeric_from=1)
