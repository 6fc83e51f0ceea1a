"""The A4 page the wallet's canvas documents share (the coupon, the funding instruction): its
geometry and colours, the fonts (DejaVu, and its bold monospace for numbers a clerk types), and
`Page` — text, wrapped lines, boxes, rules, a vector QR, the operator's header and the footer,
measured from the page's top."""

from __future__ import annotations

import io
import os

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from core.documents.pdf import BOLD, FONT_DIR, INK, REGULAR, RULE, SOFT, register_fonts
from invoicing.rendering import QR_BORDER
from invoicing.rendering.pdf import qr_operators
from wallets.documents.texts import operator_tax_ids
from warehouse.models import Tenant

MONO_BOLD = "DejaVuSansMono-Bold"
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN
CONTENT = WIDTH - 12  # a Platypus frame pads 6 pt each side
BAND = (0.93, 0.94, 0.96)

_mono_registered = False


def register_document_fonts() -> None:
    """DejaVu Sans (`core.documents.pdf`) and DejaVu Sans Mono Bold; parsed once a process."""
    global _mono_registered
    register_fonts()
    if not _mono_registered:
        pdfmetrics.registerFont(
            TTFont(MONO_BOLD, os.path.join(FONT_DIR, "DejaVuSansMono-Bold.ttf"))
        )
        _mono_registered = True


def new_canvas(buffer: io.BytesIO, title: str) -> Canvas:
    register_document_fonts()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=REGULAR)
    canvas.setTitle(title)
    canvas.setCreator("Unibill")
    return canvas


class Page:
    """Text and shapes on the current page of a canvas; `top` runs down from the page's top."""

    def __init__(self, canvas: Canvas):
        self.c = canvas

    def text(self, x, top, s, size=9.0, font=REGULAR, align="left", color=INK):
        if not s:
            return
        self.c.setFont(font, size)
        self.c.setFillColorRGB(*color)
        if align == "right":
            self.c.drawRightString(x, PAGE_H - top, s)
        elif align == "center":
            self.c.drawCentredString(x, PAGE_H - top, s)
        else:
            self.c.drawString(x, PAGE_H - top, s)

    def wrap(self, s: str, width: float, size: float, font=REGULAR) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in s.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and pdfmetrics.stringWidth(candidate, font, size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return lines

    def lines(self, x, top, s, width, size=9.0, font=REGULAR, color=INK, leading=None) -> float:
        """Wrapped text whose first line sits below `top`; returns the top under the last."""
        leading = leading or size * 1.3
        for line in self.wrap(s, width, size, font):
            top += leading
            self.text(x, top - leading * 0.25, line, size, font, color=color)
        return top

    def fitted(self, s: str, width: float, size: float, font=BOLD, smallest=8.0) -> float:
        """The largest size up to `size` at which `s` fits `width` on one line."""
        while size > smallest and pdfmetrics.stringWidth(s, font, size) > width:
            size -= 0.5
        return size

    def rect(self, x, top, w, h, fill=BAND, stroke=None, width=0.8):
        self.c.setFillColorRGB(*fill)
        if stroke:
            self.c.setStrokeColorRGB(*stroke)
            self.c.setLineWidth(width)
        self.c.roundRect(x, PAGE_H - top - h, w, h, 4, stroke=1 if stroke else 0, fill=1)

    def rule(self, top, x=MARGIN, w=WIDTH, width=0.5, color=RULE):
        self.c.setStrokeColorRGB(*color)
        self.c.setLineWidth(width)
        self.c.line(x, PAGE_H - top, x + w, PAGE_H - top)

    def qr(self, symbol: segno.QRCode, x, top, size) -> None:
        """Vector modules, quiet zone included in `size` (as the payment documents draw it)."""
        unit = size / (len(symbol.matrix) + 2 * QR_BORDER)
        origin_x, origin_y = x + QR_BORDER * unit, PAGE_H - top - QR_BORDER * unit
        self.c.saveState()
        self.c.setFillColorRGB(1, 1, 1)
        self.c.rect(x, PAGE_H - top - size, size, size, stroke=0, fill=1)
        self.c.setFillColorRGB(0, 0, 0)
        transform = f"{unit:.5f} 0 0 {-unit:.5f} {origin_x:.3f} {origin_y:.3f} cm"
        self.c.addLiteral(f"{transform}\n{qr_operators(symbol.matrix)}f")
        self.c.restoreState()

    def field(self, x, top, label, value, width, size=10.5, font=BOLD) -> float:
        """A small grey label with its value below; returns the top under the value."""
        self.text(x, top + 8, label, 7.5, color=SOFT)
        return self.lines(x, top + 10, value, width, size, font)

    def header(self, tenant: Tenant, title: str, subtitle: str) -> float:
        """The operator (name, address, tax ids) on the left, the title on the right, a rule
        under both; returns the top under the rule."""
        top = MARGIN
        column = WIDTH * 0.5
        y = self.lines(MARGIN, top, tenant.name, column, 11, BOLD)
        if tenant.address:
            y = self.lines(MARGIN, y, tenant.address, column, 8.5)
        if tax_ids := operator_tax_ids(tenant):
            y = self.lines(MARGIN, y, tax_ids, column, 8, color=SOFT)
        right = MARGIN + WIDTH
        size = self.fitted(title, WIDTH - column - 10, 20)
        self.text(right, top + 20, title, size, BOLD, align="right")
        z = top + 26
        for line in self.wrap(subtitle, WIDTH - column - 10, 8.5):
            z += 11
            self.text(right, z, line, 8.5, align="right", color=SOFT)
        bottom = max(y, z) + 8
        self.rule(bottom, width=1.4, color=INK)
        return bottom

    def footer(self, note: str) -> None:
        self.rule(PAGE_H - MARGIN + 4)
        self.text(MARGIN, PAGE_H - MARGIN + 14, note, 7, color=SOFT)
