"""The payment document as one A4 page, drawn straight on a ReportLab canvas (no Platypus: the
layout is fixed, and mass printing wants speed). `render_pdfs` puts many documents in one print
file, one page each, on a single canvas, so fonts are embedded once per file.

RU follows the ЕПД's sections (payment-standards.md §6.2): header, 1 payer and executor,
2 payment details per recipient with the QR, 3 the per-service calculation, 5 recalculations,
then penalties with their own total. SEPA and CH print the same structure in German or English.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

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

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
WIDTH = PAGE_W - 2 * MARGIN
QR_SIZE = 46 * mm  # the symbol with its quiet zone
GAP = 10
COMPACT_ABOVE = 16  # table rows (services, supplier groups, recalculations, penalties)
INK, SOFT, BAND, RULE = (0.1, 0.12, 0.15), (0.38, 0.42, 0.48), (0.9, 0.92, 0.94), (0.7, 0.73, 0.77)

_fonts_registered = False
_DARK_RUN = re.compile(rb"\x01+")  # segno's matrix rows are bytearrays of 0/1

# Streams as Flate-compressed binary, not ASCII85 on top (25 % larger, and slower to write).
rl_config.useA85 = 0


def register_fonts() -> None:
    """DejaVu Sans (Debian's fonts-dejavu-core) shows Cyrillic, ₽ and €; parsed once a process."""
    global _fonts_registered
    if _fonts_registered:
        return
    for name, filename in _FONT_FILES.items():
        path = os.path.join(FONT_DIR, filename)
        if not os.path.exists(path):
            raise RuntimeError(f"{path} is missing: install the Debian package fonts-dejavu-core")
        pdfmetrics.registerFont(TTFont(name, path))
    _fonts_registered = True


def render_pdf(view: DocumentView) -> bytes:
    """One payment document as a one-page A4 PDF."""
    return render_pdfs([view])


def render_pdfs(views: Iterable[DocumentView]) -> bytes:
    """Many documents merged into one print file: one page each, in the given order, on one
    canvas (each font's subset is embedded once for the whole file)."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=REGULAR, initialFontSize=8)
    pages = 0
    for view in views:
        sheet = build_sheet(view)
        if not pages:
            canvas.setTitle(f"{sheet.labels['title']} {format_period(view)}")
        PagePainter(canvas, sheet).draw()
        canvas.showPage()
        pages += 1
    if not pages:
        raise ValueError("no payment documents to render")
    canvas.save()
    return buffer.getvalue()


class PagePainter:
    """Draws one document on the current page of `canvas` (anything with the Canvas methods it
    calls: the benchmark passes a recorder). `top` coordinates run down from the page's top."""

    def __init__(self, canvas: Canvas, sheet: Sheet):
        self.c = canvas
        self.sheet = sheet
        self.view = sheet.view
        self.L = sheet.labels
        self.t = canvas.beginText()
        self._font: tuple[bool, float] | None = None
        self._color = None
        self.compact = False

    # primitives ------------------------------------------------------------------------------

    def text(self, x, top, s, size=8.0, bold=False, align="left", color=INK):
        """All text goes into one text object (drawn last, over the fills): one BT…ET per page
        instead of one per string."""
        if not s:
            return
        t = self.t
        if self._font != (bold, size):
            t.setFont(BOLD if bold else REGULAR, size)
            self._font = (bold, size)
        if self._color != color:
            t.setFillColorRGB(*color)
            self._color = color
        if align == "right":
            x -= self.width(s, size, bold)
        elif align == "center":
            x -= self.width(s, size, bold) / 2
        t.setTextOrigin(x, PAGE_H - top)
        t.textOut(s)

    def width(self, s: str, size: float, bold: bool = False) -> float:
        return pdfmetrics.stringWidth(s, BOLD if bold else REGULAR, size)

    def wrap(self, s: str, width: float, size: float, bold: bool = False) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in s.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and self.width(candidate, size, bold) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return lines or [""]

    def lines(self, x, top, s, width, size=8.0, bold=False, leading=None, color=INK) -> float:
        """Wrapped text from `top` (the first baseline is `size` below it); returns the top
        below the last line."""
        leading = leading or size * 1.25
        for line in self.wrap(s, width, size, bold):
            top += leading
            self.text(x, top - (leading - size) / 2 - size * 0.2, line, size, bold, color=color)
        return top

    def rect(self, x, top, w, h, fill=BAND):
        self.c.setFillColorRGB(*fill)
        self.c.rect(x, PAGE_H - top - h, w, h, stroke=0, fill=1)
        self.c.setFillColorRGB(*INK)

    def rule(self, top, x=MARGIN, w=WIDTH, width=0.4, color=RULE):
        self.c.setStrokeColorRGB(*color)
        self.c.setLineWidth(width)
        self.c.line(x, PAGE_H - top, x + w, PAGE_H - top)

    def heading(self, top, s, note="", x=MARGIN, w=WIDTH) -> float:
        self.rect(x, top, w, 15)
        self.text(x + 4, top + 10.5, s, 9, bold=True)
        self.text(x + w - 4, top + 10.5, note, 7, align="right", color=SOFT)
        return top + 19

    def table(self, top, x, columns, header, rows) -> float:
        """columns: [(width, align)]; rows: (kind, cells, note) with kind row|group|total;
        a note is a small grey line wrapped under the first cell. Returns the top below."""
        size, pad, extra = (7.0, 1.3, 2.0) if self.compact else (8.0, 3.5, 2.5)
        header_size = 6.8
        cells = []  # (lines, size): a word wider than its column gets a smaller size
        for h, (w, _) in zip(header, columns, strict=True):
            size_h = header_size
            lines = self.wrap(h, w - 6, size_h, True)
            while size_h > 5 and max(self.width(line, size_h, True) for line in lines) > w - 5:
                size_h -= 0.4
                lines = self.wrap(h, w - 6, size_h, True)
            cells.append((lines, size_h))
        header_h = max(len(lines) for lines, _ in cells) * 8.5 + 5
        total_w = sum(w for w, _ in columns)
        self.rect(x, top, total_w, header_h)
        cx = x
        for (lines, size_h), (w, align) in zip(cells, columns, strict=True):
            for n, line in enumerate(lines):
                tx = cx + w - 3 if align == "right" else cx + 3
                self.text(tx, top + 9 + n * 8.5, line, size_h, True, align, SOFT)
            cx += w
        top += header_h
        for kind, cells, note in rows:
            if kind == "group":
                step = 10 if self.compact else 14
                self.text(x + 3, top + step - 3, cells[0], 7.5, bold=True, color=SOFT)
                top += step
                self.rule(top, x, total_w, 0.3)
                continue
            bold = kind == "total"
            first_size = size
            if self.compact:  # a long name shrinks a little to stay on one line
                while first_size > 6 and self.width(cells[0], first_size, bold) > columns[0][0] - 6:
                    first_size -= 0.25
            first = self.wrap(cells[0], columns[0][0] - 6, first_size, bold)
            note_lines = self.wrap(note, columns[0][0] - 6, 6) if note else []
            height = 2 * pad + len(first) * (first_size + extra) + len(note_lines) * 7.5
            if kind == "total":
                self.rule(top, x, total_w, 0.8, INK)
            baseline = top + pad + size + 0.5
            for n, line in enumerate(first):
                self.text(x + 3, baseline + n * (first_size + extra), line, first_size, bold)
            for n, line in enumerate(note_lines):
                nb = baseline + len(first) * (first_size + extra) - 1.5 + n * 7.5
                self.text(x + 3, nb, line, 6, color=SOFT)
            cx = x + columns[0][0]
            for cell, (w, align) in zip(cells[1:], columns[1:], strict=True):
                tx = cx + w - 3 if align == "right" else cx + 3
                self.text(tx, baseline, cell, size, bold, align)
                cx += w
            top += height
            self.rule(top, x, total_w, 0.3)
        return top

    def qr(self, x, top, size) -> None:
        """The QR as vector rectangles, one per horizontal run of dark modules, in module units
        under one transformation: a few kB of `re` operators, no per-rectangle float formatting.
        """
        qr = make_qr(self.view.qr_payload)
        unit = size / (len(qr.matrix) + 2 * QR_BORDER)
        origin_x, origin_y = x + QR_BORDER * unit, PAGE_H - top - QR_BORDER * unit
        self.c.saveState()
        self.c.setFillColorRGB(0, 0, 0)
        transform = f"{unit:.5f} 0 0 {-unit:.5f} {origin_x:.3f} {origin_y:.3f} cm"
        self.c.addLiteral(f"{transform}\n{qr_operators(qr.matrix)}f")
        self.c.restoreState()

    # the page --------------------------------------------------------------------------------

    def draw(self) -> None:
        self.c.setFillColorRGB(*INK)
        sheet = self.sheet
        rows = sum(len(group.rows) + 1 for group in sheet.services)
        rows += len(sheet.recalculations) + len(sheet.penalties)
        # Tighter tables when the sample's 11 rows, or its five recipients (each with its bank
        # details in section 2), grow past what the normal spacing fits.
        self.compact = rows > COMPACT_ABOVE or len(self.view.suppliers) > 5
        top = self.header(MARGIN)
        top = self.section1(top + 6)
        top = self.section2(top + 8)
        top = self.section3(top + 8)
        if sheet.recalculations and sheet.penalties:  # side by side: one block's height
            half = (WIDTH - GAP) / 2
            top = max(
                self.section5(top + 8, MARGIN, half),
                self.penalties(top + 8, MARGIN + half + GAP, half),
            )
        elif sheet.recalculations:
            top = self.section5(top + 8)
        elif sheet.penalties:
            top = self.penalties(top + 8)
        if top > PAGE_H - MARGIN - 2:
            raise ValueError(
                f"payment document {self.view.number} does not fit one A4 page ({rows} rows)"
            )
        self.footer()
        self.c.drawText(self.t)

    def header(self, top) -> float:
        v, L = self.view, self.L
        self.text(MARGIN, top + 14, L["title"], 15, bold=True)
        right = MARGIN + WIDTH
        self.text(MARGIN, top + 32, self.sheet.number_line, 8.5)
        self.text(right, top + 32, f"{L['period']}: {format_period(v)}", 10, True, "right")
        self.text(MARGIN, top + 46, f"{L['reference']}: {v.reference_display}", 9, True)
        self.text(right, top + 46, f"{L['account']}: {v.account_number}", 10, True, "right")
        self.rule(top + 53, width=1.2, color=INK)
        return top + 55

    def section1(self, top) -> float:
        v, L, sheet = self.view, self.L, self.sheet
        top = self.heading(top, L["section1"])
        column = (WIDTH - 2 * GAP) / 2
        left, right = MARGIN + 4, MARGIN + column + 2 * GAP
        self.text(left, top + 7, L["payer"], 6.5, color=SOFT)
        y = self.lines(left, top + 8, v.payer_name, column, 9.5, bold=True)
        y = self.lines(left, y, f"{L['address']}: {v.address}", column, 8)
        y = self.lines(left, y, " · ".join(sheet.payer_facts), column, 8)
        self.text(right, top + 7, L["executor"], 6.5, color=SOFT)
        op = v.operator
        z = self.lines(right, top + 8, op.name, column, 9.5, bold=True)
        z = self.lines(right, z, op.address, column, 8) if op.address else z
        z = self.lines(right, z, sheet.operator_tax_ids, column, 8) if op.tax_ids else z
        if sheet.operator_bank:
            z = self.lines(right, z, f"{L['bank']}: {sheet.operator_bank}", column, 7, color=SOFT)
        return max(y, z) + 2

    def section2(self, top) -> float:
        v, L, sheet = self.view, self.L, self.sheet
        top = self.heading(top, L["section2"], L["currency_note"])
        table_w = WIDTH - QR_SIZE - GAP
        amount_w = 58
        columns = [(table_w - 4 * amount_w, "left")] + [(amount_w, "right")] * 4
        header = [L["recipient"], L["opening"], L["payments"], L["accrued"], L["due"]]

        def cells(row):
            return [
                format_amount(row.opening, v),
                format_amount(row.payments, v),
                format_amount(row.accrued, v),
                format_amount(row.amount_due, v),
            ]

        rows = [("row", [row.name, *cells(row)], row.bank) for row in sheet.suppliers]
        rows.append(("total", [L["total"], *cells(sheet.supplier_totals)], ""))
        y = self.table(top, MARGIN, columns, header, rows)
        y += 6
        if sheet.in_advance:
            y = self.lines(
                MARGIN + 3, y, f"{L['advance']}: {format_money(v.advance, v)}", table_w, 12, True
            )
            y = self.lines(MARGIN + 3, y, L["advance_note"], table_w - 6, 8)
        else:
            due = f"{L['amount_due']}: {format_money(v.amount_due, v)}"
            y = self.lines(MARGIN + 3, y, due, table_w, 12, True)
            y = self.lines(
                MARGIN + 3, y, f"{L['due_date']}: {format_date(v.due_date, v)}", table_w, 9, True
            )
        if v.profile != "RU" and sheet.operator_bank:
            y += 2
            transfer = f"{L['transfer']}: {v.operator.name} · {sheet.operator_bank}"
            y = self.lines(MARGIN + 3, y, transfer, table_w - 6, 8)
            remittance = f"{L['remittance']}: {v.reference_display}"
            y = self.lines(MARGIN + 3, y, remittance, table_w - 6, 8.5, True)
        y += 2
        y = self.lines(MARGIN + 3, y, f"{L['pay_link']}: {v.pay_url}", table_w - 6, 7.5)
        if v.tan:
            y = self.lines(MARGIN + 3, y, f"{L['tan']}: {v.tan}", table_w, 8.5, True)
        qr_x = MARGIN + WIDTH - QR_SIZE
        z = top
        if v.qr_payload:
            self.qr(qr_x, top, QR_SIZE)
            z = self.lines(qr_x, top + QR_SIZE - 4, L["qr_caption"], QR_SIZE, 6.5, color=SOFT)
        return max(y, z)

    def section3(self, top) -> float:
        v, L, sheet = self.view, self.L, self.sheet
        top = self.heading(top, L["section3"], L["currency_note"])
        amount_w = 56
        columns = [
            (WIDTH - 40 - 52 - 56 - 4 * amount_w, "left"),
            (40, "left"),
            (52, "right"),
            (56, "right"),
        ] + [(amount_w, "right")] * 4
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

        def amounts(row):
            return [
                format_amount(row.accrued, v),
                format_amount(row.recalculation, v),
                format_amount(row.privileges, v),
                format_amount(row.total, v),
            ]

        rows = []
        for group in sheet.services:
            rows.append(("group", [group.supplier], ""))
            for row in group.rows:
                rows.append(
                    (
                        "row",
                        [
                            row.name,
                            row.unit,
                            format_decimal(row.quantity, v),
                            format_decimal(row.tariff, v),
                            *amounts(row),
                        ],
                        "",
                    )
                )
        total = sheet.services_total
        rows.append(("total", [L["services_total"], "", "", "", *amounts(total)], ""))
        return self.table(top, MARGIN, columns, header, rows)

    def _items(self, top, x, w, heading, items) -> float:
        v, L = self.view, self.L
        top = self.heading(top, heading, x=x, w=w)
        columns = [(w - 70, "left"), (70, "right")]
        rows = [
            ("row", [f"{item.name} ({item.supplier})", format_amount(item.amount, v)], "")
            for item in items
        ]
        return self.table(top, x, columns, [L["reason"], L["amount"]], rows)

    def section5(self, top, x=MARGIN, w=WIDTH) -> float:
        return self._items(top, x, w, self.L["section5"], self.sheet.recalculations)

    def penalties(self, top, x=MARGIN, w=WIDTH) -> float:
        sheet = self.sheet
        top = self._items(top, x, w, self.L["penalties"], sheet.penalties)
        label = f"{self.L['penalties_total']}: {format_money(sheet.penalties_total, self.view)}"
        return self.lines(x + 3, top + 3, label, w - 6, 9, True)

    def footer(self) -> None:
        v, L = self.view, self.L
        note = L["footer"].format(
            issued=format_date(v.issued_on, v), route=v.delivery_route, number=v.number
        )
        self.rule(PAGE_H - MARGIN + 2)
        self.text(MARGIN, PAGE_H - MARGIN + 11, note, 6.5, color=SOFT)


def qr_operators(matrix) -> str:
    """PDF path operators for a QR matrix in module units (row 0 at the top: the caller flips
    y): `col row width 1 re` per run of dark modules."""
    return "".join(
        f"{run.start()} {r} {run.end() - run.start()} 1 re\n"
        for r, row in enumerate(matrix)
        for run in _DARK_RUN.finditer(row)
    )
