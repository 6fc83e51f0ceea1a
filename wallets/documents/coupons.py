"""Payment coupons: one A4 page each — the fee and its amount, the number with its QR (what the
clerk scans or types) and the last valid day, who pays and where to present it, the clerk's
instruction and room for the office's own record of use."""

from __future__ import annotations

import io
from collections.abc import Iterable

import segno
from django.db.models import QuerySet
from reportlab.lib.units import mm

from core.documents.pdf import BOLD, INK, RULE, SOFT
from wallets.documents.page import MARGIN, MONO_BOLD, WIDTH, Page, new_canvas
from wallets.documents.texts import labels, local_time, printed_date, printed_money
from wallets.models import Coupon
from wallets.services.coupons import identifier_format, last_valid_day

QR_SIZE = 62 * mm  # the symbol with its quiet zone
AMOUNT_WIDTH = 200


def coupon_qr(identifier: str) -> segno.QRCode:
    """Exactly the 13 digits, numeric mode at level H: still version 1 (21×21 modules, the
    largest modules for the printed size) and readable with a crease or a stain."""
    return segno.make_qr(identifier, error="h", mode="numeric", boost_error=False)


def coupon_pdf(coupon: Coupon) -> bytes:
    """One coupon as a one-page A4 PDF."""
    return coupons_pdf([coupon])


def coupons_pdf(coupons: Iterable[Coupon]) -> bytes:
    """Many coupons in one file, one page each, in the given order (the batch's download)."""
    if isinstance(coupons, QuerySet):
        coupons = coupons.select_related("tenant", "fee", "office", "wallet__payer")
    buffer = io.BytesIO()
    canvas = None
    for coupon in coupons:
        if canvas is None:
            title = f"{labels(coupon.tenant)['coupon']} {coupon.identifier}"
            canvas = new_canvas(buffer, title)
        _draw_coupon(Page(canvas), coupon)
        canvas.showPage()
    if canvas is None:
        raise ValueError("no coupons to render")
    canvas.save()
    return buffer.getvalue()


def _draw_coupon(page: Page, coupon: Coupon) -> None:
    tenant = coupon.tenant
    L = labels(tenant)
    top = page.header(tenant, L["coupon"], L["coupon_sub"]) + 14
    top = _fee_and_amount(page, coupon, L, top) + 14
    top = _number_box(page, coupon, L, top) + 18
    top = _parties(page, coupon, L, top) + 18
    top = _clerk_note(page, coupon, L, top) + 30
    _usage_record(page, L, top)
    number = identifier_format(coupon.identifier)
    page.footer(L["footer"].format(identifier=number, batch=coupon.batch_id, operator=tenant.name))


def _fee_and_amount(page: Page, coupon: Coupon, L: dict, top: float) -> float:
    """The fee (name and code) on the left, the amount big on the right."""
    fee = coupon.fee
    amount = printed_money(coupon.amount, coupon.tenant, coupon.wallet.currency)
    page.text(MARGIN, top + 8, L["fee"], 7.5, color=SOFT)
    y = page.lines(MARGIN, top + 10, fee.name, WIDTH - AMOUNT_WIDTH - 12, 16, BOLD)
    y = page.lines(MARGIN, y + 1, f"{L['code']}: {fee.code}", WIDTH - AMOUNT_WIDTH, 9, color=SOFT)
    right = MARGIN + WIDTH
    page.text(right, top + 8, L["amount"], 7.5, align="right", color=SOFT)
    size = page.fitted(amount, AMOUNT_WIDTH, 24)
    page.text(right, top + 34, amount, size, BOLD, align="right")
    return max(y, top + 40)


def _number_box(page: Page, coupon: Coupon, L: dict, top: float) -> float:
    """The number and its QR in one box: what the clerk scans or types, and until when."""
    box_h = QR_SIZE + 16
    page.rect(MARGIN, top, WIDTH, box_h, stroke=INK, width=1.2)
    page.qr(coupon_qr(coupon.identifier), MARGIN + WIDTH - QR_SIZE - 8, top + 8, QR_SIZE)
    inner_w = WIDTH - QR_SIZE - 36
    left = MARGIN + 16
    page.text(left, top + 28, L["identifier"], 9, color=SOFT)
    number = identifier_format(coupon.identifier)
    page.text(left, top + 66, number, page.fitted(number, inner_w, 30, MONO_BOLD), MONO_BOLD)
    page.text(left, top + 102, L["valid_until"], 9, color=SOFT)
    last_day = last_valid_day(coupon.expires_at, coupon.tenant)
    page.text(left, top + 124, printed_date(last_day, coupon.tenant), 18, BOLD)
    page.lines(left, top + box_h - 34, L["qr_caption"], inner_w, 7.5, color=SOFT)
    return top + box_h


def _parties(page: Page, coupon: Coupon, L: dict, top: float) -> float:
    """Who pays and where to present it; when and in which batch it was issued."""
    tenant, payer = coupon.tenant, coupon.wallet.payer
    column = (WIDTH - 20) / 2
    second = MARGIN + column + 20
    y = page.field(MARGIN, top, L["payer"], payer.name, column)
    y = page.lines(MARGIN, y, f"{L['payer_tax_id']} {payer.tax_id}", column, 9)
    z = page.field(second, top, L["office"], coupon.office.name, column)
    top = max(y, z) + 10
    issued = printed_date(local_time(coupon.issued_at, tenant).date(), tenant)
    y = page.field(MARGIN, top, L["issued"], issued, column)
    z = page.field(second, top, L["batch"], f"№ {coupon.batch_id}", column)
    return max(y, z)


def _clerk_note(page: Page, coupon: Coupon, L: dict, top: float) -> float:
    text = L["clerk_text"].format(office=coupon.office.name)
    text_h = len(page.wrap(text, WIDTH - 28, 10)) * 13
    page.rect(MARGIN, top, WIDTH, text_h + 34, fill=(1, 1, 1), stroke=RULE)
    page.text(MARGIN + 14, top + 20, L["clerk"], 10, BOLD)
    return page.lines(MARGIN + 14, top + 24, text, WIDTH - 28, 10)


def _usage_record(page: Page, L: dict, top: float) -> None:
    """Room for the office's own paper trail; the system's record is what counts."""
    page.text(MARGIN, top, L["usage"], 8, color=SOFT)
    widths = (WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.4)
    x = MARGIN
    for label, width in zip(L["usage_fields"], widths, strict=True):
        page.rule(top + 40, x, width - 12, 0.6, SOFT)
        page.text(x, top + 50, label, 7, color=SOFT)
        x += width
