"""The Swiss QR-bill's payment part with receipt, drawn on the bottom 105 mm of a bill's first
page, laid out per the SIX "Swiss Implementation Guidelines for the QR-bill" (2.3): the receipt
(62 mm) on the left, the payment part (148 mm) on the right, the Swiss QR Code (46 × 46 mm) with
the Swiss cross at its centre, the dashed separation lines with scissors, and the headings in
the bill's language (German, French, Italian or English).

What it prints is read back from the document's own SPC payload (`invoicing.qr.swiss_parse`),
so the text and the QR cannot disagree; the `qrbill` package checks the data (IBAN, reference,
addresses) and gives the headings in the four languages, the grouped IBAN and reference and the
address lines; the QR is the document's payload drawn as vector runs, the same symbol the rest of
the bill would print. Text is Helvetica (one of the guidelines' fonts); a value outside its
Latin-1 repertoire falls back to DejaVu Sans."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import segno
from qrbill import QRBill
from qrbill.bill import format_ref_number
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from stdnum import iban as stdnum_iban

from core.documents.pdf import REGULAR
from invoicing.qr import SwissAddress, SwissBill, swiss_parse
from invoicing.rendering import make_qr

HEIGHT = 105 * mm
WIDTH = 210 * mm
RECEIPT_WIDTH = 62 * mm
PART_X = RECEIPT_WIDTH  # where the payment part starts
QUIET = 5 * mm  # the margin inside each part
QR_TOP, QR_SIZE, CROSS = 17 * mm, 46 * mm, 7 * mm
INFO_X = PART_X + QUIET + QR_SIZE + QUIET  # the payment part's information column
AMOUNT_TOP, ACCEPTANCE_TOP = 68 * mm, 82 * mm
FONT, FONT_BOLD = "Helvetica", "Helvetica-Bold"
LANGUAGES = ("de", "fr", "it", "en")
MIN_VERSION = 14  # of the QR symbol: see `swiss_qr`

# (heading size, value size, line pitch, width) of the receipt and of the payment part.
RECEIPT = (6.0, 8.0, 9.0, RECEIPT_WIDTH - 2 * QUIET)
PAYMENT = (8.0, 10.0, 11.0, WIDTH - INFO_X - QUIET)


@lru_cache(maxsize=8)
def swiss_qr(payload: str) -> segno.QRCode:
    """The bill's QR (`make_qr`: level M, UTF-8, no ECI), at least of version 14. The Swiss
    cross covers the symbol's centre, where versions 7–13 have an alignment pattern; from 14 to
    20 the centre holds only data, which error correction restores, so decoders that need that
    pattern (zbar) still read the code. Modules stay above the guidelines' 0.4 mm."""
    symbol = make_qr(payload)
    if symbol.version < MIN_VERSION:
        symbol = segno.make_qr(
            payload,
            error="m",
            boost_error=False,
            mask=0,
            encoding="utf-8",
            eci=False,
            version=MIN_VERSION,
        )
    return symbol


def payment_part_language(locale: str) -> str:
    """The guidelines' languages: the tenant's when it is one of them, else English."""
    language = locale.split("-")[0].split("_")[0].lower()
    return language if language in LANGUAGES else "en"


def _address(address: SwissAddress) -> dict[str, str]:
    return {
        "name": address.name,
        "street": address.street,
        "house_num": address.building_number,
        "pcode": address.postcode,
        "city": address.town,
        "country": address.country,
    }


def qrbill_of(bill: SwissBill, language: str) -> QRBill:
    """The `qrbill` bill of the same data: it validates it, and its `qr_data()` is the payload
    the document carries (tests/invoicing/test_swiss_payment_part.py holds them equal)."""
    amount = None if bill.amount_minor is None else _decimal_text(bill.amount_minor)
    return QRBill(
        account=bill.iban,
        creditor=_address(bill.creditor),
        amount=amount,
        currency=bill.currency,
        debtor=_address(bill.debtor) if bill.debtor else None,
        reference_number=bill.reference or None,
        additional_information=bill.message,
        language=language,
    )


def _decimal_text(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def amount_text(minor: int) -> str:
    """The guidelines' notation: a space between thousands, a point before the cents."""
    return f"{minor // 100:,}".replace(",", " ") + f".{minor % 100:02d}"


class PaymentPart:
    """Draws the payment part with receipt on `canvas` from y = 0 (the page's bottom) to
    105 mm. `qr_operators(matrix)` gives the PDF path of the QR's dark modules in module units
    (the bill's own QR drawing)."""

    def __init__(self, canvas, payload: str, locale: str, qr_operators: Callable):
        self.c = canvas
        self.bill = swiss_parse(payload)
        self.qrbill = qrbill_of(self.bill, payment_part_language(locale))
        self.qr_operators = qr_operators
        self.matrix = swiss_qr(payload).matrix

    def draw(self) -> None:
        self.c.saveState()
        self.c.setFillColorRGB(0, 0, 0)
        self.c.setStrokeColorRGB(0, 0, 0)
        self.separation_lines()
        self.receipt()
        self.payment_part()
        self.c.restoreState()

    # primitives --------------------------------------------------------------------------------

    def text(self, x, top, s, size, bold=False, align="left") -> None:
        """`top`: the baseline's distance below the payment part's upper edge."""
        font = FONT_BOLD if bold else FONT
        if not _latin1(s):
            font = REGULAR  # DejaVu Sans, registered with the bill's fonts
        self.c.setFont(font, size)
        if align == "right":
            self.c.drawRightString(x, HEIGHT - top, s)
        else:
            self.c.drawString(x, HEIGHT - top, s)

    def wrapped(self, s: str, width: float, size: float) -> list[str]:
        lines, current = [], ""
        for word in s.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and pdfmetrics.stringWidth(candidate, FONT, size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        return [*lines, current] if current else lines

    def corners(self, x, top, width, height) -> None:
        """A field to fill in by hand: its corner marks (0.75 pt, 3 mm long)."""
        c, y0, y1, x1, arm = self.c, HEIGHT - top, HEIGHT - top - height, x + width, 3 * mm
        c.setLineWidth(0.75)
        c.setDash()
        for cx, cy, dx, dy in ((x, y0, 1, -1), (x1, y0, -1, -1), (x, y1, 1, 1), (x1, y1, -1, 1)):
            c.line(cx, cy, cx + dx * arm, cy)
            c.line(cx, cy, cx, cy + dy * arm)

    # the parts ---------------------------------------------------------------------------------

    def separation_lines(self) -> None:
        """Dashed lines above the slip and between receipt and payment part, each with the
        scissors symbol: where to cut when the bill is printed on plain paper."""
        c = self.c
        c.setLineWidth(0.5)
        c.setDash(3, 2)
        c.line(0, HEIGHT, WIDTH, HEIGHT)
        c.line(RECEIPT_WIDTH, 0, RECEIPT_WIDTH, HEIGHT)
        c.setDash()
        c.setFont(REGULAR, 11)
        c.drawCentredString(12 * mm, HEIGHT - 3.8, "\u2702")
        c.saveState()
        c.translate(RECEIPT_WIDTH, HEIGHT - 12 * mm)
        c.rotate(-90)
        c.drawCentredString(0, -3.8, "\u2702")
        c.restoreState()

    def information(self, x, top, sizes, receipt: bool) -> None:
        """Account / payable to, reference, additional information (payment part only) and
        payable by, from `top` down; a field's heading is its values' size less 2 pt, and
        three quarters of a line separate the fields."""
        heading, value, pitch, width = sizes
        bill, q = self.bill, self.qrbill
        chars = 38 if receipt else 70
        baseline = top + heading * 0.72 - 1.75 * pitch  # so that the first heading sits at top

        def field(title, lines):
            nonlocal baseline
            baseline += 1.75 * pitch
            self.text(x, baseline, q.label(title), heading, bold=True)
            for line in lines:
                for part in self.wrapped(line, width, value):
                    baseline += pitch
                    self.text(x, baseline, part, value)

        field("Account / Payable to", [stdnum_iban.format(q.account), *_lines(q.creditor, chars)])
        if bill.reference:
            field("Reference", [format_ref_number(q)])
        if not receipt and bill.message:
            field("Additional information", [bill.message])
        if q.debtor:
            field("Payable by", _lines(q.debtor, chars))
        else:
            field("Payable by (name/address)", [])
            box = (52 * mm, 20 * mm) if receipt else (65 * mm, 25 * mm)
            self.corners(x, baseline + 1.5 * mm, *box)

    def amount(self, x, sizes, amount_x, box) -> None:
        heading, value, pitch, _ = sizes
        q = self.qrbill
        top = AMOUNT_TOP + heading * 0.72
        self.text(x, top, q.label("Currency"), heading, bold=True)
        self.text(amount_x, top, q.label("Amount"), heading, bold=True)
        self.text(x, top + pitch, self.bill.currency, value)
        if self.bill.amount_minor is not None:
            self.text(amount_x, top + pitch, amount_text(self.bill.amount_minor), value)
        else:
            self.corners(*box)

    def receipt(self) -> None:
        x = QUIET
        self.text(x, QUIET + 11 * 0.72, self.qrbill.label("Receipt"), 11, bold=True)
        self.information(x, 12 * mm, RECEIPT, receipt=True)
        box = (RECEIPT_WIDTH - QUIET - 30 * mm, AMOUNT_TOP + 2.5 * mm, 30 * mm, 10 * mm)
        self.amount(x, RECEIPT, x + 12 * mm, box)
        top = ACCEPTANCE_TOP + RECEIPT[0] * 0.72
        label = self.qrbill.label("Acceptance point")
        self.text(RECEIPT_WIDTH - QUIET, top, label, RECEIPT[0], bold=True, align="right")

    def payment_part(self) -> None:
        x = PART_X + QUIET
        self.text(x, QUIET + 11 * 0.72, self.qrbill.label("Payment part"), 11, bold=True)
        self.qr(x, QR_TOP)
        # Right-aligned with the QR, under the currency: the 5 mm before the information stay free.
        box = (x + QR_SIZE - 40 * mm, AMOUNT_TOP + 7 * mm, 40 * mm, 15 * mm)
        self.amount(x, PAYMENT, x + 14 * mm, box)
        self.information(INFO_X, QUIET, PAYMENT, receipt=False)

    def qr(self, x, top) -> None:
        """The symbol itself 46 mm wide (the 5 mm around it is the quiet zone), the Swiss cross
        7 mm wide at its centre."""
        unit = QR_SIZE / len(self.matrix)
        origin_y = HEIGHT - top
        self.c.saveState()
        transform = f"{unit:.5f} 0 0 {-unit:.5f} {x:.3f} {origin_y:.3f} cm"
        self.c.addLiteral(f"{transform}\n{self.qr_operators(self.matrix)}f")
        self.c.restoreState()
        self.cross(x + QR_SIZE / 2, origin_y - QR_SIZE / 2)

    def cross(self, cx, cy) -> None:
        """The Swiss cross 7 mm wide: a black square in a thin white border, and the white
        cross (arms a sixth longer than wide), in units of the guidelines' 20-unit graphic."""
        c, s = self.c, CROSS / 19.8
        c.saveState()
        c.translate(cx - 9.9 * s, cy + 9.9 * s)
        c.scale(s, -s)  # units run right and down, as in the graphic
        c.setFillColorRGB(1, 1, 1)
        c.rect(0, 0, 19.8, 19.8, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.rect(0.7, 0.7, 18.4, 18.4, stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        c.rect(8.25, 4.4, 3.3, 11, stroke=0, fill=1)
        c.rect(4.4, 8.25, 11, 3.3, stroke=0, fill=1)
        c.restoreState()


def _lines(address, chars: int) -> list[str]:
    return list(address.as_paragraph(max_chars=chars))


def _latin1(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
