"""The payment document as a DOCX letter an operator can edit before sending: the same sections,
rows and numbers as the PDF (tables for the per-supplier and per-service parts), with the QR as
a PNG picture."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core.dates import format_date, format_period
from core.money import format_amount, format_currency, format_decimal
from invoicing.document_view import DocumentView
from invoicing.rendering import QR_BORDER, Sheet, build_sheet, make_qr

SOFT = RGBColor(0x5C, 0x66, 0x73)


def render_docx(view: DocumentView) -> bytes:
    sheet = build_sheet(view)
    document = Document()
    styles = _setup(document)
    letter = _Letter(document, styles)
    _header(letter, sheet)
    _section1(letter, sheet)
    _section2(letter, sheet)
    _section3(letter, sheet)
    if sheet.recalculations:
        _items(letter, sheet, sheet.labels["section5"], sheet.recalculations)
    if sheet.penalties:
        _items(letter, sheet, sheet.labels["penalties"], sheet.penalties)
        label = f"{sheet.labels['penalties_total']}: {format_currency(sheet.penalties_total, view)}"
        letter.add(label, "PD Strong")
    footer = sheet.labels["footer"].format(
        issued=format_date(view.issued_on, view), route=view.delivery_route, number=view.number
    )
    letter.fill(document.sections[0].footer.paragraphs[0], footer, "PD Note")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- building blocks --------------------------------------------------------------------------

# Paragraph styles, not direct formatting: an operator restyles the whole letter in Word, and
# python-docx writes one style reference instead of a run property per fragment.
_STYLES = {
    "PD Title": {"size": 16, "bold": True},
    "PD Strong": {"bold": True},
    "PD Note": {"size": 7.5, "color": SOFT},
    "PD Heading": {"size": 10.5, "bold": True, "shading": "E6EBF0"},
    "PD Amount": {"size": 13, "bold": True},
    "PD Column": {"size": 7.5, "bold": True, "color": SOFT},
    "PD Column Right": {"size": 7.5, "bold": True, "color": SOFT, "right": True},
    "PD Cell": {"size": 8.5},
    "PD Cell Right": {"size": 8.5, "right": True},
    "PD Total": {"size": 8.5, "bold": True},
    "PD Total Right": {"size": 8.5, "bold": True, "right": True},
    "PD Group": {"size": 8, "bold": True, "color": SOFT},
}


def _setup(document) -> dict:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(9)
    normal.paragraph_format.space_after = Pt(1)
    styles = {}
    for name, spec in _STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.bold = spec.get("bold")
        if "size" in spec:
            style.font.size = Pt(spec["size"])
        if "color" in spec:
            style.font.color.rgb = spec["color"]
        if spec.get("right"):
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if "shading" in spec:
            style.paragraph_format.space_before = Pt(8)
            style.paragraph_format.space_after = Pt(3)
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:fill"), spec["shading"])
            style.element.get_or_add_pPr().append(shading)
        styles[name] = style
    return styles


class _Letter:
    def __init__(self, document, styles):
        self.document = document
        self.styles = styles

    def fill(self, paragraph, text: str, style: str | None = None):
        if style:
            # The style id straight onto <w:pPr>: `paragraph.style = …` searches every style of
            # the document for the default first, which made styling most of the letter's time.
            paragraph._p.style = self.styles[style].style_id
        if text:
            paragraph.add_run(text)
        return paragraph

    def add(self, text: str = "", style: str | None = None, container=None):
        """A paragraph at the end of the document (or of a cell)."""
        return self.fill((container or self.document).add_paragraph(), text, style)

    def table(self, header, rows, numeric_from: int):
        """rows: (kind, cells) with kind row|group|total; columns from `numeric_from` on are
        amounts, right-aligned."""
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for index, (cell, text) in enumerate(zip(table.rows[0].cells, header, strict=True)):
            style = "PD Column Right" if index >= numeric_from else "PD Column"
            self.fill(cell.paragraphs[0], text, style)
        for kind, cells in rows:
            row = table.add_row().cells
            if kind == "group":
                self.fill(row[0].merge(row[-1]).paragraphs[0], cells[0], "PD Group")
                continue
            base = "PD Total" if kind == "total" else "PD Cell"
            for index, (cell, text) in enumerate(zip(row, cells, strict=True)):
                self.fill(
                    cell.paragraphs[0], text, f"{base} Right" if index >= numeric_from else base
                )
        return table


# --- sections ---------------------------------------------------------------------------------


def _header(letter: _Letter, sheet: Sheet) -> None:
    view, L = sheet.view, sheet.labels
    letter.add(L["title"], "PD Title")
    letter.add(sheet.number_line)
    letter.add(f"{L['period']}: {format_period(view)}", "PD Strong")
    letter.add(f"{L['account']}: {view.account_number}", "PD Strong")
    letter.add(f"{L['reference']}: {view.reference_display}", "PD Strong")


def _section1(letter: _Letter, sheet: Sheet) -> None:
    view, L = sheet.view, sheet.labels
    letter.add(L["section1"], "PD Heading")
    payer, executor = letter.document.add_table(rows=1, cols=2).rows[0].cells
    letter.fill(payer.paragraphs[0], L["payer"], "PD Note")
    letter.add(view.payer_name, "PD Amount", payer)
    letter.add(f"{L['address']}: {view.address}", container=payer)
    if sheet.payer_facts:
        letter.add(" · ".join(sheet.payer_facts), container=payer)
    letter.fill(executor.paragraphs[0], L["executor"], "PD Note")
    letter.add(view.operator.name, "PD Amount", executor)
    if view.operator.address:
        letter.add(view.operator.address, container=executor)
    if sheet.operator_tax_ids:
        letter.add(sheet.operator_tax_ids, container=executor)
    if sheet.operator_bank:
        letter.add(f"{L['bank']}: {sheet.operator_bank}", "PD Note", executor)


def _section2(letter: _Letter, sheet: Sheet) -> None:
    view, L = sheet.view, sheet.labels
    letter.add(f"{L['section2']} ({L['currency_note']})", "PD Heading")

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
    letter.table([L["recipient"], L["opening"], L["payments"], L["accrued"], L["due"]], rows, 1)

    letter.add()
    if sheet.prepaid:
        letter.add(f"{L['prepaid']}: {format_currency(sheet.prepaid, view)}")
    if sheet.in_advance:
        letter.add(f"{L['advance']}: {format_currency(view.advance, view)}", "PD Amount")
        letter.add(L["advance_note"])
    else:
        letter.add(f"{L['amount_due']}: {format_currency(view.amount_due, view)}", "PD Amount")
        letter.add(f"{L['due_date']}: {format_date(view.due_date, view)}", "PD Strong")
    if view.country.uses_iban and sheet.operator_bank:
        letter.add(f"{L['transfer']}: {view.operator.name} · {sheet.operator_bank}")
        letter.add(f"{L['remittance']}: {view.reference_display}", "PD Strong")
    letter.add(f"{L['pay_link']}: {view.pay_url}")
    if view.tan:
        letter.add(f"{L['tan']}: {view.tan}", "PD Strong")
    if view.qr_payload:
        png = io.BytesIO()
        make_qr(view.qr_payload).save(png, kind="png", scale=5, border=QR_BORDER)
        png.seek(0)
        letter.document.add_picture(png, width=Mm(46))
        letter.add(L["qr_caption"], "PD Note")


def _section3(letter: _Letter, sheet: Sheet) -> None:
    view, L = sheet.view, sheet.labels
    letter.add(f"{L['section3']} ({L['currency_note']})", "PD Heading")

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
    letter.table(header, rows, numeric_from=2)


def _items(letter: _Letter, sheet: Sheet, heading: str, items) -> None:
    view, L = sheet.view, sheet.labels
    letter.add(heading, "PD Heading")
    rows = [
        ("row", [f"{item.name} ({item.supplier})", format_amount(item.amount, view)])
        for item in items
    ]
    letter.table([L["reason"], L["amount"]], rows, numeric_from=1)
