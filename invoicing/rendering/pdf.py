"""The payment document on A4 pages, drawn straight on a ReportLab canvas (no Platypus: the
layout is fixed, and mass printing wants speed). `render_pdfs` puts many documents in one print
file on a single canvas, each starting on a new page, so fonts are embedded once per file.

A document is one page as long as it fits. Past that, the tables of sections 3 and 5 and the
penalties flow on to continuation pages, each with a compact repeated header (title, number,
period, account, "page N (continued)") and the table's heading and column header again; the
payment details and the QR always stay on page 1.

RU follows the ЕПД's sections (payment-standards.md §6.2): header, 1 payer and executor,
2 payment details per recipient with the QR, 3 the per-service calculation, 5 recalculations,
then penalties with their own total. SEPA and CH print the same structure in German or English.

Why this file is about 600 lines: it is one layout. `PagePainter`'s page flow (page turns,
repeated headers, rows kept together, the compact spacing measured by `pages_of`) and the
sections it flows share one cursor and are tuned against each other; split across modules,
neither half would read on its own.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from core.dates import format_date, format_period
from core.documents.pdf import (
    BOLD,
    INK,
    REGULAR,
    RULE,
    SOFT,
    register_fonts,
)
from core.money import format_amount, format_currency, format_decimal
from invoicing.document_view import DocumentView
from invoicing.rendering import QR_BORDER, Sheet, build_sheet, make_qr
from invoicing.rendering.payment_part import HEIGHT as PAYMENT_PART_HEIGHT
from invoicing.rendering.payment_part import PaymentPart

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
WIDTH = PAGE_W - 2 * MARGIN
QR_SIZE = 46 * mm  # the symbol with its quiet zone
GAP = 10
COMPACT_ABOVE = 16  # table rows (services, supplier groups, recalculations, penalties)
MEASURE_ABOVE = 10  # from this many rows, measure whether the compact spacing saves a page
BOTTOM = PAGE_H - MARGIN - 2  # the lowest `top` content may reach: the footer sits below it
SLIP_FOOTER = PAGE_H - PAYMENT_PART_HEIGHT - 7 * mm  # the footer's top above a payment part
BAND = (0.9, 0.92, 0.94)

_DARK_RUN = re.compile(rb"\x01+")  # segno's matrix rows are bytearrays of 0/1

# Streams as Flate-compressed binary, not ASCII85 on top (25 % larger, and slower to write).
rl_config.useA85 = 0


def render_pdf(view: DocumentView) -> bytes:
    """One payment document as an A4 PDF: one page when it fits, else continuation pages."""
    return render_pdfs([view])


def render_pdfs(views: Iterable[DocumentView]) -> bytes:
    """Many documents merged into one print file, in the given order, each starting on a new
    page (a long one takes several), on one canvas: each font's subset is embedded once for the
    whole file."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=REGULAR, initialFontSize=8)
    pages = 0
    for view in views:
        sheet = build_sheet(view)
        if not pages:
            canvas.setTitle(f"{sheet.labels['title']} {format_period(view)}")
        PagePainter(canvas, sheet).draw()
        canvas.showPage()  # the document's last page
        pages += 1
    if not pages:
        raise ValueError("no payment documents to render")
    canvas.save()
    return buffer.getvalue()


class _Blank:
    """A canvas (and its text object) that draws nothing: for measuring a layout."""

    def beginText(self):  # noqa: N802 (ReportLab's names)
        return self

    def __getattr__(self, name):
        return _nothing


def _nothing(*args, **kwargs):
    return None


def pages_of(sheet: Sheet, *, compact: bool) -> int:
    """How many pages the document takes in the normal or the compact spacing."""
    register_fonts()
    painter = PagePainter(_Blank(), sheet, compact=compact)
    painter.draw()
    return painter.page


class PagePainter:
    """Draws one document from the current page of `canvas` on (anything with the Canvas
    methods it calls: the benchmark passes a recorder), turning to continuation pages with
    `showPage` when the tables run past the bottom; the caller shows the last page. `top`
    coordinates run down from the page's top."""

    def __init__(self, canvas: Canvas, sheet: Sheet, compact: bool | None = None):
        self.c = canvas
        self.sheet = sheet
        self.view = sheet.view
        self.L = sheet.labels
        self.t = canvas.beginText()
        self._font: tuple[bool, float] | None = None
        self._color = None
        self.compact = False
        self._compact_forced = compact
        self.page = 1
        self.page_top = MARGIN  # where this page's body starts: nothing to gain by turning
        # A Swiss bill's first page ends with the QR-bill payment part, which carries its QR:
        # the body and the footer of that page stop above it.
        self.slip = self.view.country.prints_payment_part and bool(self.view.qr_payload)
        self.footer_top = SLIP_FOOTER if self.slip else PAGE_H - MARGIN

    @property
    def bottom(self) -> float:
        """The lowest `top` content may reach on this page: the footer sits below it."""
        return self.footer_top - 2

    # primitives ------------------------------------------------------------------------------

    def text(self, x, top, s, size=8.0, bold=False, align="left", color=INK):
        """All text goes into one text object per page (drawn last, over the fills): one BT…ET
        per page instead of one per string."""
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

    def lines_height(self, s, width, size=8.0, bold=False) -> float:
        """How far `lines` with the same arguments moves down."""
        return len(self.wrap(s, width, size, bold)) * size * 1.25

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

    # pages -----------------------------------------------------------------------------------

    def room(self, top, height) -> float:
        """`top` when `height` more fits above the footer (or nothing is on this page's body yet:
        a new page would not fit it either), else the top of a continuation page's body."""
        if top + height <= self.bottom or top <= self.page_top:
            return top
        return self.turn_page()

    def turn_page(self) -> float:
        """Finishes this page (footer saying the document goes on, its text object) and starts
        the next with the compact header; returns the top below that header."""
        self.footer(continued=True)
        self.c.drawText(self.t)
        self.c.showPage()
        self.page += 1
        self.footer_top = PAGE_H - MARGIN
        self.t = self.c.beginText()
        self._font = self._color = None  # the new text object starts from the canvas defaults
        self.c.setFillColorRGB(*INK)
        self.page_top = self.continuation_header(MARGIN)
        return self.page_top

    def continuation_header(self, top) -> float:
        """Title and "page N (continued)"; number and period; payment reference and account."""
        v, L = self.view, self.L
        right = MARGIN + WIDTH
        page = f"{L['page'].format(page=self.page)} ({L['continued']})"
        self.text(MARGIN, top + 12, L["title"], 12, bold=True)
        self.text(right, top + 12, page, 9, True, "right")
        self.text(MARGIN, top + 25, self.sheet.number_line, 8)
        self.text(right, top + 25, f"{L['period']}: {format_period(v)}", 8.5, True, "right")
        self.text(MARGIN, top + 37, f"{L['reference']}: {v.reference_display}", 8)
        self.text(right, top + 37, f"{L['account']}: {v.account_number}", 8.5, True, "right")
        self.rule(top + 43, width=1.2, color=INK)
        return top + 51

    # tables ----------------------------------------------------------------------------------

    def column_header(self, columns, header) -> tuple[list, float]:
        """The header cells as (lines, size) — a word wider than its column gets a smaller
        size — and the header row's height."""
        cells = []
        for h, (w, _) in zip(header, columns, strict=True):
            size_h = 6.8
            lines = self.wrap(h, w - 6, size_h, True)
            while size_h > 5 and max(self.width(line, size_h, True) for line in lines) > w - 5:
                size_h -= 0.4
                lines = self.wrap(h, w - 6, size_h, True)
            cells.append((lines, size_h))
        return cells, max(len(lines) for lines, _ in cells) * 8.5 + 5

    def metrics(self) -> tuple[float, float, float]:
        """A table row's font size, padding above and below, and extra leading per line."""
        return (7.0, 1.3, 2.0) if self.compact else (8.0, 3.5, 2.5)

    def row_layout(self, kind, cells, note, columns) -> tuple[float, tuple]:
        """A row's height and what `table` needs to draw it: the first cell's size and lines,
        the note's lines."""
        size, pad, extra = self.metrics()
        if kind == "group":
            return (10 if self.compact else 14), ()
        bold = kind == "total"
        first_size = size
        if self.compact:  # a long name shrinks a little to stay on one line
            while first_size > 6 and self.width(cells[0], first_size, bold) > columns[0][0] - 6:
                first_size -= 0.25
        first = self.wrap(cells[0], columns[0][0] - 6, first_size, bold)
        note_lines = self.wrap(note, columns[0][0] - 6, 6) if note else []
        height = 2 * pad + len(first) * (first_size + extra) + len(note_lines) * 7.5
        return height, (first_size, first, note_lines)

    def table_height(self, columns, header, rows) -> float:
        """The height `table` with a heading takes when it does not turn the page."""
        height = 19 + self.column_header(columns, header)[1]
        return height + sum(self.row_layout(*row, columns)[0] for row in rows)

    def table(self, top, x, columns, header, rows, heading=None, tail=0.0) -> float:
        """columns: [(width, align)]; rows: (kind, cells, note) with kind row|group|total;
        a note is a small grey line wrapped under the first cell. heading: (text, note) of the
        band above the table, or None. Rows flow on to continuation pages, which repeat the
        heading and the column header; a group stays with its first row, a total with the row
        above it, and the last row with `tail` (the height of what the caller prints after the
        table). Returns the top below."""
        size, pad, extra = self.metrics()
        head, header_h = self.column_header(columns, header)
        total_w = sum(w for w, _ in columns)
        kinds = [kind for kind, _, _ in rows]
        layouts = [self.row_layout(*row, columns) for row in rows]
        last = len(rows) - 1

        def needs(i) -> float:  # row i with the rows that must stay with it
            height = layouts[i][0]
            while i < last and (kinds[i] == "group" or (i + 1 == last and kinds[last] == "total")):
                i += 1
                height += layouts[i][0]
            return height + (tail if i == last else 0)

        def start(top, continued=False) -> float:
            if heading:
                text, note = heading
                text = f"{text} ({self.L['continued']})" if continued else text
                top = self.heading(top, text, note, x, total_w)
            self.rect(x, top, total_w, header_h)
            cx = x
            for (lines, size_h), (w, align) in zip(head, columns, strict=True):
                for n, line in enumerate(lines):
                    tx = cx + w - 3 if align == "right" else cx + 3
                    self.text(tx, top + 9 + n * 8.5, line, size_h, True, align, SOFT)
                cx += w
            return top + header_h

        # Never a heading alone at the bottom of a page: it goes over with the first row.
        first = needs(0) if rows else tail
        top = start(self.room(top, (19 if heading else 0) + header_h + first))
        fresh = True  # no row under this header yet: turning the page would not help
        for i, (kind, cells, _) in enumerate(rows):
            height, layout = layouts[i]
            if not fresh and top + needs(i) > self.bottom:
                top = start(self.turn_page(), continued=True)
            fresh = False
            if kind == "group":
                self.text(x + 3, top + height - 3, cells[0], 7.5, bold=True, color=SOFT)
                top += height
                self.rule(top, x, total_w, 0.3)
                continue
            bold = kind == "total"
            first_size, first_lines, note_lines = layout
            if bold:
                self.rule(top, x, total_w, 0.8, INK)
            baseline = top + pad + size + 0.5
            for n, line in enumerate(first_lines):
                self.text(x + 3, baseline + n * (first_size + extra), line, first_size, bold)
            for n, line in enumerate(note_lines):
                nb = baseline + len(first_lines) * (first_size + extra) - 1.5 + n * 7.5
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
        if isinstance(self.c, _Blank):
            return
        qr = make_qr(self.view.qr_payload)
        unit = size / (len(qr.matrix) + 2 * QR_BORDER)
        origin_x, origin_y = x + QR_BORDER * unit, PAGE_H - top - QR_BORDER * unit
        self.c.saveState()
        self.c.setFillColorRGB(0, 0, 0)
        transform = f"{unit:.5f} 0 0 {-unit:.5f} {origin_x:.3f} {origin_y:.3f} cm"
        self.c.addLiteral(f"{transform}\n{qr_operators(qr.matrix)}f")
        self.c.restoreState()

    # the document ----------------------------------------------------------------------------

    def draw(self) -> None:
        if self.slip and not isinstance(self.c, _Blank):
            PaymentPart(self.c, self.view.qr_payload, self.view.locale, qr_operators).draw()
        self.c.setFillColorRGB(*INK)
        sheet = self.sheet
        rows = sum(len(group.rows) + 1 for group in sheet.services)
        rows += len(sheet.recalculations) + len(sheet.penalties)
        # Tighter tables when the sample's 11 rows, or its five recipients (each with its bank
        # details in section 2), grow past what the normal spacing fits — or, from a few rows
        # on, when the normal spacing would run onto a second page (measured by laying it out
        # on a canvas that draws nothing): a penalty block in the second month must not turn
        # every bill of a print run into two sheets.
        if self._compact_forced is not None:
            self.compact = self._compact_forced
        elif rows > COMPACT_ABOVE or len(self.view.suppliers) > 5:
            self.compact = True
        elif rows >= MEASURE_ABOVE or self.slip:  # a payment part leaves less room
            self.compact = pages_of(sheet, compact=False) > 1
        top = self.page_top = self.header(MARGIN)
        top = self.section1(top + 6)
        top = self.section2(top + 8)
        top = self.section3(top + 8)
        if sheet.recalculations and sheet.penalties:
            half = (WIDTH - GAP) / 2
            recalculations = self.table_height(*self.items_table(half, sheet.recalculations))
            penalties = self.table_height(*self.items_table(half, sheet.penalties))
            penalties += self.penalties_total_height(half)
            if top + 8 + max(recalculations, penalties) <= self.bottom:  # side by side: both fit
                top = max(
                    self.section5(top + 8, MARGIN, half),
                    self.penalties(top + 8, MARGIN + half + GAP, half),
                )
            else:  # one after the other, each flowing on
                top = self.penalties(self.section5(top + 8) + 8)
        elif sheet.recalculations:
            top = self.section5(top + 8)
        elif sheet.penalties:
            top = self.penalties(top + 8)
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
        table_w = WIDTH if self.slip else WIDTH - QR_SIZE - GAP
        # The QR first, at the top right of section 2 on page 1, whatever follows (a Swiss
        # bill's is on its payment part).
        qr_x = MARGIN + WIDTH - QR_SIZE
        z = top
        if v.qr_payload and not self.slip:
            self.qr(qr_x, top, QR_SIZE)
            z = self.lines(qr_x, top + QR_SIZE - 4, L["qr_caption"], QR_SIZE, 6.5, color=SOFT)
        header = [L["recipient"], L["opening"], L["payments"], L["accrued"], L["due"]]

        def cells(row):
            return [
                format_amount(row.opening, v),
                format_amount(row.payments, v),
                format_amount(row.accrued, v),
                format_amount(row.amount_due, v),
            ]

        def note(row):  # a supplier that owes the payer back says so under its name
            credit = f"{L['credit']}: {format_currency(row.credit, v)}" if row.credit else ""
            return " · ".join(part for part in (credit, row.bank) if part)

        rows = [("row", [row.name, *cells(row)], note(row)) for row in sheet.suppliers]
        rows.append(("total", [L["total"], *cells(sheet.supplier_totals)], ""))
        # Compact: amount columns as narrow as their widest amount allows (at least 50), so the
        # recipients' bank details wrap less — six recipients then leave room on page 1.
        amount_w = 58
        if self.compact:
            size = self.metrics()[0]
            widest = max(self.width(text, size, True) for _, row, _ in rows for text in row[1:])
            amount_w = min(58, max(50, widest + 8))
        columns = [(table_w - 4 * amount_w, "left")] + [(amount_w, "right")] * 4
        # The payment details under the table: (space above, text, width, size, bold).
        details: list[tuple[float, str, float, float, bool]] = []
        if sheet.prepaid:
            prepaid = f"{L['prepaid']}: {format_currency(sheet.prepaid, v)}"
            details.append((0, prepaid, table_w, 9.5, True))
        if sheet.in_advance:
            details.append(
                (0, f"{L['advance']}: {format_currency(v.advance, v)}", table_w, 12, True)
            )
            details.append((0, L["advance_note"], table_w - 6, 8, False))
        else:
            label = L["to_pay_after_advance"] if sheet.prepaid else L["amount_due"]
            due = f"{label}: {format_currency(v.amount_due, v)}"
            details.append((0, due, table_w, 12, True))
            due_date = f"{L['due_date']}: {format_date(v.due_date, v)}"
            details.append((0, due_date, table_w, 9, True))
        if v.country.uses_iban and sheet.operator_bank:
            transfer = f"{L['transfer']}: {v.operator.name} · {sheet.operator_bank}"
            details.append((2, transfer, table_w - 6, 8, False))
            remittance = f"{L['remittance']}: {v.reference_display}"
            details.append((0, remittance, table_w - 6, 8.5, True))
        details.append((2, f"{L['pay_link']}: {v.pay_url}", table_w - 6, 7.5, False))
        if v.tan:
            details.append((0, f"{L['tan']}: {v.tan}", table_w, 8.5, True))
        height = 6 + sum(
            gap + self.lines_height(s, w, size, bold) for gap, s, w, size, bold in details
        )
        y = self.table(top, MARGIN, columns, header, rows, tail=height)
        y += 6
        for gap, s, w, size, bold in details:
            y = self.lines(MARGIN + 3, y + gap, s, w, size, bold)
        return max(y, z) if self.page == 1 else y

    def section3(self, top) -> float:
        v, L, sheet = self.view, self.L, self.sheet
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
        heading = (L["section3"], L["currency_note"])
        return self.table(top, MARGIN, columns, header, rows, heading)

    def items_table(self, w, items) -> tuple[list, list, list]:
        """Section 5's or the penalties' columns, column header and rows at width `w`."""
        v, L = self.view, self.L
        columns = [(w - 70, "left"), (70, "right")]
        rows = [
            ("row", [f"{item.name} ({item.supplier})", format_amount(item.amount, v)], "")
            for item in items
        ]
        return columns, [L["reason"], L["amount"]], rows

    def section5(self, top, x=MARGIN, w=WIDTH) -> float:
        columns, header, rows = self.items_table(w, self.sheet.recalculations)
        return self.table(top, x, columns, header, rows, (self.L["section5"], ""))

    def penalties_label(self) -> str:
        return (
            f"{self.L['penalties_total']}: {format_currency(self.sheet.penalties_total, self.view)}"
        )

    def penalties_total_height(self, w) -> float:
        return 3 + self.lines_height(self.penalties_label(), w - 6, 9, True)

    def penalties(self, top, x=MARGIN, w=WIDTH) -> float:
        """The penalty lines and, always right under the last of them, their own total."""
        columns, header, rows = self.items_table(w, self.sheet.penalties)
        heading = (self.L["penalties"], "")
        tail = self.penalties_total_height(w)
        top = self.table(top, x, columns, header, rows, heading, tail)
        return self.lines(x + 3, top + 3, self.penalties_label(), w - 6, 9, True)

    def footer(self, continued: bool = False) -> None:
        """The issue note; on a document of several pages also "page N", and on every page but
        the last that the document continues."""
        v, L = self.view, self.L
        note = L["footer"].format(
            issued=format_date(v.issued_on, v), route=v.delivery_route, number=v.number
        )
        self.rule(self.footer_top + 2)
        self.text(MARGIN, self.footer_top + 11, note, 6.5, color=SOFT)
        if continued or self.page > 1:
            page = L["page"].format(page=self.page)
            mark = f"{L['continued_next']} · {page}" if continued else page
            self.text(MARGIN + WIDTH, self.footer_top + 11, mark, 7, continued, "right")


def qr_operators(matrix) -> str:
    """PDF path operators for a QR matrix in module units (row 0 at the top: the caller flips
    y): `col row width 1 re` per run of dark modules."""
    return "".join(
        f"{run.start()} {r} {run.end() - run.start()} 1 re\n"
        for r, row in enumerate(matrix)
        for run in _DARK_RUN.finditer(row)
    )
