"""ReportLab primitives more than one app draws with: the DejaVu fonts (Cyrillic, ₽ and €),
the ink colours, and the 80 mm till roll — a receipt laid out as rows whose page is as long as
the rows need (the cash desk's receipt, the cabinet's receipt of any payment)."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
INK, SOFT, RULE = (0.1, 0.12, 0.15), (0.38, 0.42, 0.48), (0.7, 0.73, 0.77)

_fonts_registered = False


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


# --- the till roll ------------------------------------------------------------------------------

ROLL_WIDTH = 80 * mm
ROLL_MARGIN = 5 * mm
ROLL_TEXT = ROLL_WIDTH - 2 * ROLL_MARGIN
_SIZES = {"title": 10.0, "text": 8.5, "small": 7.5, "pair": 8.5, "big": 12.0}


@dataclass(frozen=True)
class RollRow:
    """One row of a roll: `kind` "title" (centred, bold), "text", "small" (muted), "pair"
    (`left` wraps, `right` is right-aligned on its first line), "big" (a bold pair), "rule"
    (a dotted line) or "gap"."""

    kind: str
    left: str = ""
    right: str = ""


def roll_wrap(row: RollRow) -> list[str]:
    """The lines `row.left` takes, beside `row.right` when there is one."""
    if row.kind in ("rule", "gap"):
        return []
    size = _SIZES[row.kind]
    font = BOLD if row.kind in ("title", "big") else REGULAR
    width = ROLL_TEXT
    if row.right:
        width -= stringWidth(row.right, font, size) + 3 * mm
    return simpleSplit(row.left, font, size, width) or [""]


def roll_height(row: RollRow, parts: list[str]) -> float:
    if row.kind == "rule":
        return 3 * mm
    if row.kind == "gap":
        return 2 * mm
    return len(parts) * _SIZES[row.kind] * 1.35 + (1.5 if row.kind in ("title", "big") else 0)


def roll_draw(canvas: Canvas, row: RollRow, parts: list[str], top: float) -> None:
    """Draws `row` (wrapped into `parts`) with its top edge at `top`."""
    if row.kind == "rule":
        canvas.setStrokeColorRGB(*RULE)
        canvas.setDash(1, 2)
        y = top - 1.5 * mm
        canvas.line(ROLL_MARGIN, y, ROLL_WIDTH - ROLL_MARGIN, y)
        canvas.setDash()
        return
    if row.kind == "gap":
        return
    size = _SIZES[row.kind]
    font = BOLD if row.kind in ("title", "big") else REGULAR
    canvas.setFillColorRGB(*(SOFT if row.kind == "small" else INK))
    y = top - size
    for index, part in enumerate(parts):
        canvas.setFont(font, size)
        if row.kind == "title":
            canvas.drawCentredString(ROLL_WIDTH / 2, y, part)
        else:
            canvas.drawString(ROLL_MARGIN, y, part)
        if index == 0 and row.right:
            canvas.setFont(BOLD if row.kind == "big" else REGULAR, size)
            canvas.drawRightString(ROLL_WIDTH - ROLL_MARGIN, y, row.right)
        y -= size * 1.35


def roll_pdf(rows: Sequence[RollRow], *, title: str, author: str) -> bytes:
    """`rows` on one 80 mm page exactly as long as they are, as a PDF."""
    register_fonts()
    laid = [(row, roll_wrap(row)) for row in rows]
    height = 2 * ROLL_MARGIN + sum(roll_height(row, parts) for row, parts in laid)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(ROLL_WIDTH, height))
    canvas.setTitle(title)
    canvas.setAuthor(author)
    top = height - ROLL_MARGIN
    for row, parts in laid:
        roll_draw(canvas, row, parts, top)
        top -= roll_height(row, parts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
