"""The printed side of wallets: payment coupons (one A4 page each), the funding instruction a
payer's accountant needs to top the wallet up, and the wallet statement as PDF and XLSX.

Drawn with ReportLab like the payment documents (`invoicing.rendering.pdf`): the same DejaVu
fonts (Cyrillic, ₽, €), the same vector QR and the same money formatting, so a coupon reads
like the operator's other papers. Coupons are A4 portrait rather than A5: every office printer
takes A4 without scaling, so the QR prints at the size it was drawn, and the page has room for
the clerk's instruction. Labels: Russian for an RU tenant, English otherwise; numbers and dates
follow the tenant's locale. Amounts stay integers in minor units until formatted here.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import segno
from django.db.models import QuerySet
from django.utils import timezone
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.dates import format_date
from core.money import format_amount, format_currency
from invoicing import qr as payment_qr
from invoicing.references import format_reference
from invoicing.rendering import QR_BORDER
from invoicing.rendering.pdf import BOLD, FONT_DIR, REGULAR, qr_operators, register_fonts
from wallets.models import Coupon, MovementKind, Wallet
from wallets.selectors import StatementLine, wallet_statement
from wallets.services import identifier_format
from warehouse.models import Tenant

logger = logging.getLogger(__name__)

MONO_BOLD = "DejaVuSansMono-Bold"
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN
CONTENT = WIDTH - 12  # a Platypus frame pads 6 pt each side
INK, SOFT, BAND, RULE = (0.1, 0.12, 0.15), (0.38, 0.42, 0.48), (0.93, 0.94, 0.96), (0.7, 0.73, 0.77)
AMOUNT_FORMAT = "#,##0.00"

# --- labels, one dict per language ------------------------------------------------------------

_EN = {
    "coupon": "Payment coupon",
    "coupon_sub": "Prepaid from the payer's wallet",
    "usage": "Record of use (office)",
    "usage_fields": ("Case reference", "Date", "Clerk, signature"),
    "fee": "Fee",
    "code": "code",
    "amount": "Amount",
    "identifier": "Coupon number",
    "payer": "Payer",
    "payer_tax_id": "Tax ID",
    "office": "Present at",
    "issued": "Issued",
    "valid_until": "Valid until (inclusive)",
    "batch": "Batch",
    "clerk": "For the clerk",
    "clerk_text": "Scan the QR code or type the number at {office}; the coupon pays once. "
    "Check it is valid before performing the service, then report its use with your case "
    "reference.",
    "qr_caption": "The QR code carries the coupon number only.",
    "footer": "Coupon {identifier} · batch {batch} · {operator}",
    "funding": "Wallet funding instruction",
    "funding_sub": "Top up your prepaid wallet by bank transfer",
    "payee": "Payee",
    "payee_name": "Name",
    "tax_ids": "Tax ID",
    "bank": "Bank",
    "bic": "BIC",
    "account": "Account",
    "corr_account": "Corr. account",
    "iban": "IBAN",
    "reference": "Funding reference",
    "quote_purpose": "Quote this reference in the payment purpose: it is how the transfer "
    "reaches your wallet.",
    "quote_scor": "Quote this reference as the structured creditor reference (RF) of the "
    "transfer: it is how the transfer reaches your wallet.",
    "purpose": "Payment purpose",
    "purpose_text": "Wallet top-up {reference}",
    "currency": "Wallet currency",
    "funding_qr": "Scan with your banking app; enter the amount yourself.",
    "funding_no_qr": "No payment QR code: the operator's bank details are incomplete.",
    "funding_note": "Transfer any amount in {currency}. The wallet is credited when the "
    "transfer appears on the operator's bank statement; a transfer without the reference "
    "cannot be matched to your wallet.",
    "generated": "Generated on {day}",
    "statement": "Wallet statement",
    "period": "Period",
    "wallet": "Wallet",
    "opening": "Opening balance",
    "closing": "Closing balance",
    "available": "Available",
    "blocked": "Blocked",
    "total": "Total",
    "date": "Date",
    "kind": "Kind",
    "description": "Description",
    "available_change": "Available ±",
    "blocked_change": "Blocked ±",
    "available_after": "Available after",
    "blocked_after": "Blocked after",
    "coupon_col": "Coupon",
    "case_col": "Case reference",
    "bank_col": "Bank reference",
    "no_movements": "No movements in this period.",
    "totals": "Totals per kind",
    "count": "Count",
    "coupons": "Coupons",
    "kinds": {
        MovementKind.FUNDING: "Funded by transfer",
        MovementKind.BLOCK: "Coupons issued",
        MovementKind.RELEASE: "Coupon released",
        MovementKind.REDEEM: "Coupon used",
    },
    "released": {"cancelled": "cancelled", "expired": "expired"},
    "bank_ref": "bank ref.",
    "case": "case",
    "page": "Page {page}",
}

_RU = {
    "coupon": "Платёжный купон",
    "coupon_sub": "Оплачен из предоплаченного кошелька плательщика",
    "usage": "Отметка об использовании (заполняет подразделение)",
    "usage_fields": ("Номер дела", "Дата", "Сотрудник, подпись"),
    "fee": "Услуга (сбор)",
    "code": "код",
    "amount": "Сумма",
    "identifier": "Номер купона",
    "payer": "Плательщик",
    "payer_tax_id": "ИНН",
    "office": "Предъявить в",
    "issued": "Дата выдачи",
    "valid_until": "Действителен по (включительно)",
    "batch": "Партия",
    "clerk": "Для сотрудника",
    "clerk_text": "Отсканируйте QR-код или введите номер купона в подразделении «{office}»; "
    "купон оплачивает услугу один раз. Проверьте, что купон действителен, до оказания "
    "услуги, затем отметьте его использование с номером вашего дела.",
    "qr_caption": "QR-код содержит только номер купона.",
    "footer": "Купон {identifier} · партия {batch} · {operator}",
    "funding": "Инструкция по пополнению кошелька",
    "funding_sub": "Пополнение предоплаченного кошелька банковским переводом",
    "payee": "Получатель",
    "payee_name": "Наименование",
    "tax_ids": "ИНН / КПП",
    "bank": "Банк получателя",
    "bic": "БИК",
    "account": "Расчётный счёт",
    "corr_account": "Корр. счёт",
    "iban": "IBAN",
    "reference": "Идентификатор пополнения",
    "quote_purpose": "Укажите этот идентификатор в назначении платежа: по нему перевод "
    "зачисляется на ваш кошелёк.",
    "quote_scor": "Укажите этот идентификатор как структурированную ссылку (RF) перевода: "
    "по нему перевод зачисляется на ваш кошелёк.",
    "purpose": "Назначение платежа",
    "purpose_text": "Пополнение кошелька {reference}",
    "currency": "Валюта кошелька",
    "funding_qr": "Оплата по QR-коду (ГОСТ\u00a0Р\u00a056042-2014): сумму укажите сами.",
    "funding_no_qr": "QR-код не сформирован: банковские реквизиты оператора неполные.",
    "funding_note": "Переведите любую сумму в валюте {currency}. Кошелёк пополняется, когда "
    "перевод поступает в банковскую выписку оператора; перевод без идентификатора не может "
    "быть зачислен на ваш кошелёк.",
    "generated": "Сформировано {day}",
    "statement": "Выписка по кошельку",
    "period": "Период",
    "wallet": "Кошелёк",
    "opening": "Остаток на начало",
    "closing": "Остаток на конец",
    "available": "Доступно",
    "blocked": "Заблокировано",
    "total": "Всего",
    "date": "Дата",
    "kind": "Операция",
    "description": "Описание",
    "available_change": "Доступно ±",
    "blocked_change": "Заблок. ±",
    "available_after": "Доступно после",
    "blocked_after": "Заблок. после",
    "coupon_col": "Купон",
    "case_col": "Номер дела",
    "bank_col": "Банковский референс",
    "no_movements": "Операций за период нет.",
    "totals": "Итоги по видам операций",
    "count": "Кол-во",
    "coupons": "Купонов",
    "kinds": {
        MovementKind.FUNDING: "Пополнение",
        MovementKind.BLOCK: "Выпуск купонов",
        MovementKind.RELEASE: "Возврат блокировки",
        MovementKind.REDEEM: "Купон использован",
    },
    "released": {"cancelled": "аннулирован", "expired": "истёк срок"},
    "bank_ref": "банк. реф.",
    "case": "дело",
    "page": "Стр. {page}",
}


def _lang(tenant: Tenant) -> str:
    return "ru" if tenant.profile == "RU" else "en"


def labels(tenant: Tenant) -> dict:
    return _RU if _lang(tenant) == "ru" else _EN


@dataclass(frozen=True)
class _Locale:
    """What `core.money`'s and `core.dates`' formatters read of an owner (`core.money.Owner`)."""

    profile: str
    locale: str
    currency: str


def _locale(tenant: Tenant, currency: str) -> _Locale:
    return _Locale(tenant.profile, tenant.locale, currency)


def _money(amount: int, tenant: Tenant, currency: str) -> str:
    return format_currency(amount, _locale(tenant, currency))


def _date(value: date, tenant: Tenant) -> str:
    return format_date(value, _locale(tenant, tenant.currency))


def _local(moment: datetime, tenant: Tenant) -> datetime:
    return moment.astimezone(ZoneInfo(tenant.timezone))


def valid_until(coupon: Coupon) -> date:
    """The last day the coupon is valid, in the tenant's time zone (`expires_at` is the first
    instant it is not)."""
    return _local(coupon.expires_at - timedelta(seconds=1), coupon.tenant).date()


def _operator_tax_ids(tenant: Tenant) -> str:
    if tenant.profile == "RU":
        parts = [f"ИНН {tenant.inn}"] if tenant.inn else []
        parts += [f"КПП {tenant.kpp}"] if tenant.kpp else []
        return ", ".join(parts)
    return f"Tax ID {tenant.tax_id}" if tenant.tax_id else ""


# --- drawing ----------------------------------------------------------------------------------

_mono_registered = False


def _register_fonts() -> None:
    global _mono_registered
    register_fonts()
    if not _mono_registered:
        pdfmetrics.registerFont(
            TTFont(MONO_BOLD, os.path.join(FONT_DIR, "DejaVuSansMono-Bold.ttf"))
        )
        _mono_registered = True


class _Page:
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
        top = MARGIN
        column = WIDTH * 0.5
        y = self.lines(MARGIN, top, tenant.name, column, 11, BOLD)
        if tenant.address:
            y = self.lines(MARGIN, y, tenant.address, column, 8.5)
        if tax_ids := _operator_tax_ids(tenant):
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


def _canvas(buffer: io.BytesIO, title: str) -> Canvas:
    _register_fonts()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=REGULAR)
    canvas.setTitle(title)
    canvas.setCreator("Unibill")
    return canvas


# --- coupons ----------------------------------------------------------------------------------


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
            canvas = _canvas(buffer, title)
        _draw_coupon(_Page(canvas), coupon)
        canvas.showPage()
    if canvas is None:
        raise ValueError("no coupons to render")
    canvas.save()
    return buffer.getvalue()


def _draw_coupon(page: _Page, coupon: Coupon) -> None:
    tenant, fee, office, payer = coupon.tenant, coupon.fee, coupon.office, coupon.wallet.payer
    L = labels(tenant)
    top = page.header(tenant, L["coupon"], L["coupon_sub"]) + 14

    amount = _money(coupon.amount, tenant, coupon.wallet.currency)
    amount_w = 200
    page.text(MARGIN, top + 8, L["fee"], 7.5, color=SOFT)
    y = page.lines(MARGIN, top + 10, fee.name, WIDTH - amount_w - 12, 16, BOLD)
    y = page.lines(MARGIN, y + 1, f"{L['code']}: {fee.code}", WIDTH - amount_w, 9, color=SOFT)
    right = MARGIN + WIDTH
    page.text(right, top + 8, L["amount"], 7.5, align="right", color=SOFT)
    page.text(right, top + 34, amount, page.fitted(amount, amount_w, 24), BOLD, align="right")
    top = max(y, top + 40) + 14

    # The number and its QR in one box: what the clerk scans or types.
    qr_size = 62 * mm
    box_h = qr_size + 16
    page.rect(MARGIN, top, WIDTH, box_h, stroke=INK, width=1.2)
    page.qr(coupon_qr(coupon.identifier), right - qr_size - 8, top + 8, qr_size)
    inner_w = WIDTH - qr_size - 36
    left = MARGIN + 16
    page.text(left, top + 28, L["identifier"], 9, color=SOFT)
    number = identifier_format(coupon.identifier)
    page.text(left, top + 66, number, page.fitted(number, inner_w, 30, MONO_BOLD), MONO_BOLD)
    page.text(left, top + 102, L["valid_until"], 9, color=SOFT)
    page.text(left, top + 124, _date(valid_until(coupon), tenant), 18, BOLD)
    page.lines(left, top + box_h - 34, L["qr_caption"], inner_w, 7.5, color=SOFT)
    top += box_h + 18

    column = (WIDTH - 20) / 2
    second = MARGIN + column + 20
    y = page.field(MARGIN, top, L["payer"], payer.name, column)
    y = page.lines(MARGIN, y, f"{L['payer_tax_id']} {payer.tax_id}", column, 9)
    z = page.field(second, top, L["office"], office.name, column)
    top = max(y, z) + 10
    issued = _date(_local(coupon.issued_at, tenant).date(), tenant)
    y = page.field(MARGIN, top, L["issued"], issued, column)
    z = page.field(second, top, L["batch"], f"№ {coupon.batch_id}", column)
    top = max(y, z) + 18

    text = L["clerk_text"].format(office=office.name)
    text_h = len(page.wrap(text, WIDTH - 28, 10)) * 13
    page.rect(MARGIN, top, WIDTH, text_h + 34, fill=(1, 1, 1), stroke=RULE)
    page.text(MARGIN + 14, top + 20, L["clerk"], 10, BOLD)
    top = page.lines(MARGIN + 14, top + 24, text, WIDTH - 28, 10) + 30

    # Room for the office's own paper trail; the system's record is what counts.
    page.text(MARGIN, top, L["usage"], 8, color=SOFT)
    widths = (WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.4)
    x = MARGIN
    for label, width in zip(L["usage_fields"], widths, strict=True):
        page.rule(top + 40, x, width - 12, 0.6, SOFT)
        page.text(x, top + 50, label, 7, color=SOFT)
        x += width

    page.footer(L["footer"].format(identifier=number, batch=coupon.batch_id, operator=tenant.name))


# --- the funding instruction ------------------------------------------------------------------


def _funding_qr(wallet: Wallet, L: dict) -> str | None:
    """The tenant's payment QR without an amount, or None when the bank details do not make
    one (logged: the operator has to complete them)."""
    tenant, reference = wallet.tenant, wallet.funding_reference
    try:
        if tenant.profile == "RU":
            payer_inn = wallet.payer.tax_id
            extra = (
                {"PayerINN": payer_inn}
                if payer_inn.isdigit() and len(payer_inn) in (10, 12)
                else {}
            )
            today = _local(timezone.now(), tenant).date()
            return payment_qr.gost_payload(
                payment_qr.GostPayee(
                    name=tenant.name,
                    personal_acc=tenant.bank_account,
                    bank_name=tenant.bank_name,
                    bic=tenant.bic,
                    corresp_acc=tenant.corr_account or "0",
                    payee_inn=tenant.inn,
                    kpp=tenant.kpp or "0",
                ),
                sum_minor=None,
                purpose=L["purpose_text"].format(reference=reference),
                # The builder requires both: the wallet's reference is its "account", and the
                # month the instruction was made is as good a period as any (banks ignore it).
                pers_acc=reference,
                paym_period=today.strftime("%m%Y"),
                extra=extra,
                tech_code="15",  # "other services": a top-up is no housing bill (02)
            )
        if tenant.profile == "SEPA" and wallet.currency == "EUR":
            return payment_qr.epc_payload(
                bic=tenant.bic,
                name=tenant.name[:70],
                iban=tenant.iban,
                amount_minor=None,
                reference=reference,
            )
        if tenant.profile == "CH" and not payment_qr.is_qr_iban(tenant.iban):
            street, _, place = tenant.address.rpartition(",")
            postcode, _, town = place.strip().partition(" ")
            return payment_qr.swiss_payload(
                iban=tenant.iban,
                creditor=payment_qr.SwissAddress(
                    name=tenant.name[:70],
                    street=street.strip()[:70],
                    postcode=postcode[:16],
                    town=town.strip()[:35] or postcode,
                    country="CH",
                ),
                amount_minor=None,
                currency=wallet.currency,
                debtor=None,
                reference_type="SCOR",
                reference=reference,
                message=None,
            )
    except ValueError as exc:
        logger.warning("no funding QR for wallet %s: %s", wallet.pk, exc)
    return None


def funding_instruction_pdf(wallet: Wallet) -> bytes:
    """One A4 page: whom to pay (the operator's bank details), the reference to quote, who pays,
    and a payment QR that leaves the amount to the payer."""
    tenant, payer = wallet.tenant, wallet.payer
    L = labels(tenant)
    buffer = io.BytesIO()
    canvas = _canvas(buffer, f"{L['funding']} {wallet.funding_reference}")
    page = _Page(canvas)
    top = page.header(tenant, L["funding"], L["funding_sub"]) + 14

    column = (WIDTH - 20) / 2
    second = MARGIN + column + 20
    y = page.field(MARGIN, top, L["payer"], payer.name, column)
    y = page.lines(MARGIN, y, f"{L['payer_tax_id']} {payer.tax_id}", column, 9)
    z = page.field(second, top, L["currency"], wallet.currency, column)
    top = max(y, z) + 16

    # The reference, big, with what to do with it; the QR beside it.
    payload = _funding_qr(wallet, L)
    qr_size = 50 * mm
    box_h = qr_size + 16
    right = MARGIN + WIDTH
    page.rect(MARGIN, top, WIDTH, box_h, stroke=INK, width=1.2)
    inner_w = WIDTH - (qr_size + 36 if payload else 28)
    left = MARGIN + 16
    page.text(left, top + 26, L["reference"], 9, color=SOFT)
    shown = format_reference(wallet.funding_reference)
    page.text(left, top + 60, shown, page.fitted(shown, inner_w, 26, MONO_BOLD), MONO_BOLD)
    quote = L["quote_purpose"] if tenant.profile == "RU" else L["quote_scor"]
    y = page.lines(left, top + 72, quote, inner_w, 10, BOLD)
    if tenant.profile == "RU":
        purpose = L["purpose_text"].format(reference=wallet.funding_reference)
        page.lines(left, y + 4, f"{L['purpose']}: «{purpose}»", inner_w, 9)
    if payload:
        page.qr(payment_qr.qr_matrix(payload), right - qr_size - 8, top + 8, qr_size)
    top += box_h + 6
    caption = L["funding_qr"] if payload else L["funding_no_qr"]
    top = page.lines(MARGIN, top, caption, WIDTH, 8, color=SOFT) + 16

    # The payee's bank details, one row each.
    page.text(MARGIN, top + 12, L["payee"], 12, BOLD)
    top += 20
    page.rule(top)
    label_w = 130
    for label, value in _payee_rows(tenant, L):
        y = page.lines(MARGIN + label_w, top + 2, value, WIDTH - label_w, 10, BOLD)
        page.text(MARGIN, top + 14, label, 9, color=SOFT)
        top = max(y, top + 18) + 4
        page.rule(top)
    top += 14
    note = L["funding_note"].format(currency=wallet.currency)
    page.lines(MARGIN, top, note, WIDTH, 9)

    day = _date(_local(timezone.now(), tenant).date(), tenant)
    page.footer(f"{L['generated'].format(day=day)} · {payer.name} · {wallet.funding_reference}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _payee_rows(tenant: Tenant, L: dict) -> list[tuple[str, str]]:
    rows = [(L["payee_name"], tenant.name)]
    if tenant.profile == "RU":
        ids = " / ".join(value for value in (tenant.inn, tenant.kpp) if value)
        rows += [
            (L["tax_ids"], ids),
            (L["bank"], tenant.bank_name),
            (L["bic"], tenant.bic),
            (L["account"], tenant.bank_account),
            (L["corr_account"], tenant.corr_account),
        ]
    else:
        iban = " ".join(tenant.iban[i : i + 4] for i in range(0, len(tenant.iban), 4))
        rows += [
            (L["tax_ids"], tenant.tax_id),
            (L["iban"], iban),
            (L["bic"], tenant.bic),
            (L["bank"], tenant.bank_name),
        ]
    return [(label, value) for label, value in rows if value]


# --- the wallet statement ---------------------------------------------------------------------


def _description(line: StatementLine, L: dict) -> str:
    m = line.movement
    if m.kind == MovementKind.FUNDING:
        parts = [f"{L['bank_ref']} {m.bank_credit.bank_reference}"] if m.bank_credit_id else []
        return " · ".join(parts + ([m.memo] if m.memo else []))
    if m.kind == MovementKind.BLOCK:
        if m.batch_id:
            return f"{m.batch.fee.name} ({m.batch.fee.code}) × {m.batch.count}"
        return m.memo
    coupon = identifier_format(m.coupon.identifier) if m.coupon_id else ""
    if m.kind == MovementKind.REDEEM:
        return f"{coupon} · {L['case']} {m.coupon.case_reference or m.memo}"
    return f"{coupon} · {L['released'].get(m.memo, m.memo)}"


def _stamp(moment: datetime, tenant: Tenant) -> str:
    pattern = "%Y-%m-%d<br/>%H:%M" if _lang(tenant) == "en" else "%d.%m.%Y<br/>%H:%M"
    return moment.strftime(pattern)


def wallet_statement_pdf(wallet: Wallet, start: date, end: date) -> bytes:
    """A4 portrait, as many pages as the movements need, the table's header on each."""
    statement = wallet_statement(wallet, start, end)
    tenant, payer = wallet.tenant, wallet.payer
    L = labels(tenant)
    fmt = _locale(tenant, wallet.currency)
    _register_fonts()

    base = ParagraphStyle("base", fontName=REGULAR, fontSize=8, leading=10, textColor=INK)
    small = ParagraphStyle("small", parent=base, fontSize=7, leading=8.6)
    title = ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20)
    heading = ParagraphStyle("heading", parent=base, fontName=BOLD, fontSize=10, leading=13)
    head = ParagraphStyle("head", parent=small, fontName=BOLD, textColor=SOFT)
    head_right = ParagraphStyle("head_right", parent=head, alignment=TA_RIGHT)

    def amount(value: int, signed: bool = False) -> str:
        if signed and value == 0:
            return ""
        text = format_amount(value, fmt)
        return f"+{text}" if signed and value > 0 else text

    period = f"{_date(start, tenant)} – {_date(end, tenant)}"
    story = [
        Paragraph(L["statement"], title),
        Paragraph(f"<b>{_escape(tenant.name)}</b>", base),
        Spacer(1, 6),
        Paragraph(
            f"{L['payer']}: <b>{_escape(payer.name)}</b>, {L['payer_tax_id']} "
            f"{_escape(payer.tax_id)}",
            base,
        ),
        Paragraph(
            f"{L['wallet']}: {wallet.currency} · {L['reference']}: "
            f"{format_reference(wallet.funding_reference)}",
            base,
        ),
        Paragraph(f"{L['period']}: <b>{period}</b>", base),
        Spacer(1, 10),
    ]

    balance_rows = [
        ["", L["available"], L["blocked"], L["total"]],
        [
            L["opening"],
            amount(statement.opening_available),
            amount(statement.opening_blocked),
            amount(statement.opening_total),
        ],
        [
            L["closing"],
            amount(statement.closing_available),
            amount(statement.closing_blocked),
            amount(statement.closing_total),
        ],
    ]
    balances = Table(balance_rows, colWidths=[120, 90, 90, 90], hAlign="LEFT")
    balances.setStyle(_table_style(numbers_from=1, header_rows=1, size=8.5))
    story += [balances, Spacer(1, 12)]

    widths = [58, 64, CONTENT - 58 - 64 - 4 * 60, 60, 60, 60, 60]
    header = [
        L["date"],
        L["kind"],
        L["description"],
        L["available_change"],
        L["blocked_change"],
        L["available_after"],
        L["blocked_after"],
    ]
    rows = [[Paragraph(cell, head_right if n >= 3 else head) for n, cell in enumerate(header)]]
    for line in statement.lines:
        rows.append(
            [
                Paragraph(_stamp(line.at, tenant), small),
                Paragraph(L["kinds"][line.kind], small),
                Paragraph(_escape(_description(line, L)), small),
                amount(line.available_change, signed=True),
                amount(line.blocked_change, signed=True),
                amount(line.available_after),
                amount(line.blocked_after),
            ]
        )
    if statement.lines:
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(_table_style(numbers_from=3, header_rows=1, size=7))
        story.append(table)
    else:
        story.append(Paragraph(L["no_movements"], base))

    story += [Spacer(1, 12), Paragraph(L["totals"], heading), Spacer(1, 4)]
    total_rows = [[L["kind"], L["count"], L["coupons"], L["amount"]]]
    for total in statement.totals:
        coupons = "" if total.kind == MovementKind.FUNDING else str(total.coupons)
        total_rows.append([L["kinds"][total.kind], str(total.count), coupons, amount(total.amount)])
    totals = Table(total_rows, colWidths=[140, 60, 60, 100], hAlign="LEFT")
    totals.setStyle(_table_style(numbers_from=1, header_rows=1, size=8.5))
    story.append(totals)

    day = _date(_local(timezone.now(), tenant).date(), tenant)
    note = f"{L['statement']} · {payer.name} · {period} · {L['generated'].format(day=day)}"

    def decorate(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColorRGB(*SOFT)
        canvas.drawString(MARGIN, MARGIN - 14, note)
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN - 14, L["page"].format(page=document.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{L['statement']} {period}",
        author=tenant.name,
        creator="Unibill",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table_style(*, numbers_from: int, header_rows: int, size: float):
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), REGULAR, size),
            ("FONT", (0, 0), (-1, header_rows - 1), BOLD, size),
            ("TEXTCOLOR", (0, 0), (-1, header_rows - 1), SOFT),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), BAND),
            ("ALIGN", (numbers_from, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
    )


def _decimal(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


def wallet_statement_xlsx(wallet: Wallet, start: date, end: date) -> bytes:
    """The same statement as a workbook: amounts are exact decimals with a number format,
    times are the tenant's wall-clock time (Excel keeps no time zone)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    statement = wallet_statement(wallet, start, end)
    tenant, payer = wallet.tenant, wallet.payer
    L = labels(tenant)
    bold = Font(bold=True)
    band = PatternFill("solid", fgColor="E8EBEF")

    book = Workbook()
    sheet = book.active
    sheet.title = L["statement"][:31]
    sheet["A1"] = L["statement"]
    sheet["A1"].font = Font(bold=True, size=14)
    info = [
        (L["payee"], tenant.name),
        (L["payer"], f"{payer.name}, {L['payer_tax_id']} {payer.tax_id}"),
        (L["wallet"], f"{wallet.currency} · {wallet.funding_reference}"),
        (L["period"], f"{start.isoformat()} – {end.isoformat()}"),
    ]
    for row, (label, value) in enumerate(info, start=2):
        sheet.cell(row=row, column=1, value=label).font = bold
        sheet.cell(row=row, column=2, value=value)

    header = [
        L["date"],
        L["kind"],
        L["description"],
        L["available_change"],
        L["blocked_change"],
        L["available_after"],
        L["blocked_after"],
        L["coupon_col"],
        L["case_col"],
        L["bank_col"],
    ]
    header_row = 7
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=header_row, column=column, value=name)
        cell.font, cell.fill = bold, band

    def money_row(row: int, values: dict[int, int]) -> None:
        for column, minor in values.items():
            cell = sheet.cell(row=row, column=column, value=_decimal(minor))
            cell.number_format = AMOUNT_FORMAT

    row = header_row + 1
    sheet.cell(row=row, column=2, value=L["opening"]).font = bold
    money_row(row, {6: statement.opening_available, 7: statement.opening_blocked})
    for line in statement.lines:
        row += 1
        m = line.movement
        stamp = sheet.cell(row=row, column=1, value=line.at.replace(tzinfo=None))
        stamp.number_format = "yyyy-mm-dd hh:mm"
        sheet.cell(row=row, column=2, value=L["kinds"][m.kind])
        sheet.cell(row=row, column=3, value=_description(line, L))
        money_row(
            row,
            {
                4: line.available_change,
                5: line.blocked_change,
                6: line.available_after,
                7: line.blocked_after,
            },
        )
        sheet.cell(row=row, column=8, value=m.coupon.identifier if m.coupon_id else None)
        case = m.coupon.case_reference if m.kind == MovementKind.REDEEM and m.coupon_id else None
        sheet.cell(row=row, column=9, value=case)
        bank = m.bank_credit.bank_reference if m.bank_credit_id else None
        sheet.cell(row=row, column=10, value=bank)
    row += 1
    sheet.cell(row=row, column=2, value=L["closing"]).font = bold
    money_row(
        row,
        {
            4: statement.closing_available - statement.opening_available,
            5: statement.closing_blocked - statement.opening_blocked,
            6: statement.closing_available,
            7: statement.closing_blocked,
        },
    )
    for column in range(1, 8):
        sheet.cell(row=row, column=column).font = bold

    row += 2
    sheet.cell(row=row, column=1, value=L["totals"]).font = Font(bold=True, size=12)
    row += 1
    for column, name in enumerate([L["kind"], L["count"], L["coupons"], L["amount"]], start=1):
        cell = sheet.cell(row=row, column=column, value=name)
        cell.font, cell.fill = bold, band
    for total in statement.totals:
        row += 1
        sheet.cell(row=row, column=1, value=L["kinds"][total.kind])
        sheet.cell(row=row, column=2, value=total.count)
        if total.kind != MovementKind.FUNDING:
            sheet.cell(row=row, column=3, value=total.coupons)
        money_row(row, {4: total.amount})

    for column, width in enumerate([18, 22, 48, 15, 15, 16, 16, 15, 18, 18], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
