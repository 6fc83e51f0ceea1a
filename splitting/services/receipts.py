"""The cash desk's printouts, drawn with ReportLab in the tenant's language (Russian for the RU
profile, German or English otherwise) with the DejaVu fonts the payment documents register:

- `receipt_pdf`: the payer's receipt, on an 80 mm roll (the page is as long as the receipt):
  the operator, the payment's number and time, the cashier, the account, the amount, how it
  was paid (tendered and change for cash) and what it paid per supplier and period;
- `shift_report_pdf`: the hand-over report of a shift, on A4: opening cash, cash and card
  taken, the cash expected in the drawer, the cash counted, the difference, every payment.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from invoicing.rendering import format_money, language
from invoicing.rendering.pdf import BOLD, REGULAR, register_fonts
from splitting.cashdesk_selectors import ShiftTotals
from splitting.models import CashDeskPayment, CashShift, DeskMethod, PaymentStatus
from splitting.selectors import AllocationLine
from warehouse.models import Supplier, Tenant

INK, SOFT, RULE = (0.1, 0.12, 0.15), (0.38, 0.42, 0.48), (0.7, 0.73, 0.77)
DANGER = (0.71, 0.14, 0.09)

LABELS = {
    "ru": {
        "receipt": "Квитанция об оплате",
        "payment": "Платёж №",
        "date": "Дата и время",
        "cashier": "Кассир",
        "shift": "Смена №",
        "account": "Лицевой счёт",
        "payer": "Плательщик",
        "address": "Адрес",
        "reference": "Платёжный документ",
        "method": "Способ оплаты",
        "cash": "Наличные",
        "card": "Банковская карта",
        "amount": "Сумма",
        "tendered": "Получено",
        "change": "Сдача",
        "paid_to": "Распределение по поставщикам",
        "advance": "Аванс (в счёт будущих начислений)",
        "thanks": "Спасибо за оплату!",
        "inn": "ИНН",
        "kpp": "КПП",
        "report": "Отчёт о закрытии смены №",
        "opened": "Открыта",
        "closed": "Закрыта",
        "still_open": "открыта",
        "opening": "Наличные на начало смены",
        "cash_in": "Принято наличными",
        "returned": "Возвращено при сторно",
        "card_in": "Принято картой",
        "expected": "Наличные в кассе по расчёту",
        "counted": "Наличные в кассе фактически",
        "difference": "Расхождение",
        "payments": "Платежи смены",
        "count": "платежей",  # "(платежей: 2)": no plural forms needed
        "total_in": "Принято всего",
        "time": "Время",
        "status": "Статус",
        "reversed": "сторнирован",
        "none": "За смену платежей не было.",
        "handed": "Сдал",
        "received": "Принял",
        "page": "стр.",
    },
    "en": {
        "receipt": "Payment receipt",
        "payment": "Payment no.",
        "date": "Date and time",
        "cashier": "Cashier",
        "shift": "Shift no.",
        "account": "Account",
        "payer": "Payer",
        "address": "Address",
        "reference": "Payment document",
        "method": "Paid by",
        "cash": "Cash",
        "card": "Card",
        "amount": "Amount",
        "tendered": "Tendered",
        "change": "Change",
        "paid_to": "Paid to suppliers",
        "advance": "Advance (for future charges)",
        "thanks": "Thank you for your payment.",
        "inn": "Tax id",
        "kpp": "KPP",
        "report": "Cash shift hand-over report no.",
        "opened": "Opened",
        "closed": "Closed",
        "still_open": "open",
        "opening": "Opening cash",
        "cash_in": "Taken in cash",
        "returned": "Handed back for reversals",
        "card_in": "Taken by card",
        "expected": "Cash expected in the drawer",
        "counted": "Cash counted",
        "difference": "Difference",
        "payments": "Payments of the shift",
        "count": "payments",
        "total_in": "Taken in all",
        "time": "Time",
        "status": "Status",
        "reversed": "reversed",
        "none": "No payment was taken in this shift.",
        "handed": "Handed over by",
        "received": "Received by",
        "page": "page",
    },
    "de": {
        "receipt": "Zahlungsquittung",
        "payment": "Zahlung Nr.",
        "date": "Datum und Uhrzeit",
        "cashier": "Kassierer",
        "shift": "Schicht Nr.",
        "account": "Kundenkonto",
        "payer": "Zahler",
        "address": "Adresse",
        "reference": "Rechnung",
        "method": "Zahlungsart",
        "cash": "Bar",
        "card": "Karte",
        "amount": "Betrag",
        "tendered": "Gegeben",
        "change": "Rückgeld",
        "paid_to": "Aufteilung auf die Versorger",
        "advance": "Vorauszahlung",
        "thanks": "Vielen Dank für Ihre Zahlung.",
        "inn": "USt-IdNr.",
        "kpp": "KPP",
        "report": "Kassenabschluss der Schicht Nr.",
        "opened": "Eröffnet",
        "closed": "Geschlossen",
        "still_open": "offen",
        "opening": "Anfangsbestand",
        "cash_in": "Bar eingenommen",
        "returned": "Bei Storno zurückgegeben",
        "card_in": "Mit Karte eingenommen",
        "expected": "Sollbestand der Kasse",
        "counted": "Gezählter Bestand",
        "difference": "Differenz",
        "payments": "Zahlungen der Schicht",
        "count": "Zahlungen",
        "total_in": "Eingenommen insgesamt",
        "time": "Zeit",
        "status": "Status",
        "reversed": "storniert",
        "none": "In dieser Schicht wurde nichts kassiert.",
        "handed": "Übergeben von",
        "received": "Übernommen von",
        "page": "Seite",
    },
}


def _labels(tenant: Tenant) -> dict[str, str]:
    return LABELS[language(tenant)]


def person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _local(tenant: Tenant, moment) -> str:
    return moment.astimezone(ZoneInfo(tenant.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def _tax_line(tenant: Tenant, labels: dict[str, str]) -> str:
    if tenant.inn:
        kpp = f", {labels['kpp']} {tenant.kpp}" if tenant.kpp else ""
        return f"{labels['inn']} {tenant.inn}{kpp}"
    return f"{labels['inn']} {tenant.tax_id}" if tenant.tax_id else ""


# --- the receipt --------------------------------------------------------------------------------

ROLL_WIDTH = 80 * mm
ROLL_MARGIN = 5 * mm
ROLL_TEXT = ROLL_WIDTH - 2 * ROLL_MARGIN


@dataclass(frozen=True)
class _Row:
    kind: str  # "title", "text", "small", "pair", "big", "rule", "gap"
    left: str = ""
    right: str = ""


def _receipt_rows(
    desk: CashDeskPayment, lines: list[AllocationLine], names: dict[str, str]
) -> list[_Row]:
    payment, shift = desk.payment, desk.shift
    tenant, account = shift.tenant, payment.account
    labels = _labels(tenant)
    money = lambda amount: format_money(amount, tenant)  # noqa: E731
    rows = [_Row("title", tenant.name)]
    rows += [_Row("small", text) for text in (_tax_line(tenant, labels), tenant.address) if text]
    rows += [_Row("rule"), _Row("title", labels["receipt"])]
    rows += [
        _Row("pair", labels["payment"], str(payment.pk)),
        _Row("pair", labels["date"], _local(tenant, payment.booked_at)),
        _Row("pair", labels["cashier"], person(shift.cashier)),
        _Row("pair", labels["shift"], str(shift.pk)),
        _Row("rule"),
        _Row("pair", labels["account"], account.account_number),
        _Row("text", f"{labels['payer']}: {account.payer_name}"),
        _Row("text", f"{labels['address']}: {account.premises}"),
    ]
    if payment.document_reference:
        rows.append(_Row("pair", labels["reference"], payment.document_reference))
    rows += [_Row("rule"), _Row("big", labels["amount"], money(payment.amount))]
    rows.append(_Row("pair", labels["method"], labels[desk.method]))
    if desk.method == DeskMethod.CASH:
        rows += [
            _Row("pair", labels["tendered"], money(desk.tendered)),
            _Row("pair", labels["change"], money(desk.change)),
        ]
    rows += [_Row("rule"), _Row("text", labels["paid_to"] + ":")]
    for line in lines:
        name = names.get(line.supplier, line.supplier)
        rows.append(_Row("pair", f"{name}, {line.period}", money(line.amount)))
    if payment.advance:
        rows += [_Row("pair", labels["advance"], money(payment.advance))]
    rows += [_Row("rule"), _Row("text", labels["thanks"])]
    return rows


def supplier_names(tenant_id: int) -> dict[str, str]:
    return dict(Supplier.objects.filter(tenant_id=tenant_id).values_list("code", "name"))


def receipt_pdf(desk: CashDeskPayment, lines: list[AllocationLine]) -> bytes:
    """The payer's receipt of a desk payment; `lines` what it paid (`payment_allocations`)."""
    register_fonts()
    tenant = desk.shift.tenant
    rows = _receipt_rows(desk, lines, supplier_names(tenant.pk))
    laid = [(row, _wrap(row)) for row in rows]
    height = 2 * ROLL_MARGIN + sum(_height(row, parts) for row, parts in laid)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(ROLL_WIDTH, height))
    canvas.setTitle(f"{_labels(tenant)['receipt']} {desk.payment.pk}")
    canvas.setAuthor(tenant.name)
    top = height - ROLL_MARGIN
    for row, parts in laid:
        _draw(canvas, row, parts, top)
        top -= _height(row, parts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


_SIZES = {"title": 10.0, "text": 8.5, "small": 7.5, "pair": 8.5, "big": 12.0}


def _wrap(row: _Row) -> list[str]:
    if row.kind in ("rule", "gap"):
        return []
    size = _SIZES[row.kind]
    font = BOLD if row.kind in ("title", "big") else REGULAR
    width = ROLL_TEXT
    if row.right:
        width -= stringWidth(row.right, font, size) + 3 * mm
    return simpleSplit(row.left, font, size, width) or [""]


def _height(row: _Row, parts: list[str]) -> float:
    if row.kind == "rule":
        return 3 * mm
    if row.kind == "gap":
        return 2 * mm
    return len(parts) * _SIZES[row.kind] * 1.35 + (1.5 if row.kind in ("title", "big") else 0)


def _draw(canvas: Canvas, row: _Row, parts: list[str], top: float) -> None:
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


# --- the hand-over report -----------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
LINE = 5.2 * mm


def shift_report_pdf(
    shift: CashShift, totals: ShiftTotals, payments: list[CashDeskPayment]
) -> bytes:
    """The hand-over report of `shift` (open or closed) on A4, pages as many as it takes."""
    register_fonts()
    tenant = shift.tenant
    labels = _labels(tenant)
    money = lambda amount: format_money(amount, tenant)  # noqa: E731
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(f"{labels['report']} {shift.pk}")
    canvas.setAuthor(tenant.name)
    page = 1

    def text(x, y, value, size=9.0, bold=False, align="left", color=INK):
        canvas.setFont(BOLD if bold else REGULAR, size)
        canvas.setFillColorRGB(*color)
        if align == "right":
            canvas.drawRightString(x, y, value)
        else:
            canvas.drawString(x, y, value)

    def footer():
        footer_text = f"{tenant.name} · {labels['report']} {shift.pk} · {labels['page']} {page}"
        text(MARGIN, MARGIN / 2, footer_text, size=7, color=SOFT)

    y = PAGE_H - MARGIN
    text(MARGIN, y, tenant.name, size=11, bold=True)
    tax = _tax_line(tenant, labels)
    if tax or tenant.address:
        y -= LINE
        text(MARGIN, y, " · ".join(filter(None, [tax, tenant.address])), size=8, color=SOFT)
    y -= 2 * LINE
    text(MARGIN, y, f"{labels['report']} {shift.pk}", size=15, bold=True)
    y -= 1.6 * LINE
    closed = _local(tenant, shift.closed_at) if shift.closed_at else labels["still_open"]
    for label, value in (
        (labels["cashier"], person(shift.cashier)),
        (labels["opened"], _local(tenant, shift.opened_at)),
        (labels["closed"], closed),
    ):
        text(MARGIN, y, label, color=SOFT)
        text(MARGIN + 45 * mm, y, value)
        y -= LINE

    y -= LINE
    difference = totals.difference
    short = difference is not None and difference < 0
    cash_label = f"{labels['cash_in']} ({labels['count']}: {totals.cash_count})"
    card_label = f"{labels['card_in']} ({labels['count']}: {totals.card_count})"
    figures = [
        (labels["opening"], money(totals.opening), False, INK),
        (cash_label, money(totals.cash_in), False, INK),
        *(
            [
                (
                    f"{labels['returned']} ({labels['count']}: {totals.returned_count})",
                    money(-totals.cash_returned),
                    False,
                    INK,
                )
            ]
            if totals.returned_count
            else []
        ),
        (labels["expected"], money(totals.expected), True, INK),
        (labels["counted"], "—" if totals.counted is None else money(totals.counted), False, INK),
        (
            labels["difference"],
            "—" if difference is None else money(difference),
            True,
            DANGER if short else INK,
        ),
        None,  # card payments never reach the drawer
        (card_label, money(totals.card_in), False, INK),
        (labels["total_in"], money(totals.total_in), False, INK),
    ]
    right = MARGIN + 120 * mm
    for figure in figures:
        if figure is None:
            y -= LINE * 0.5
            continue
        label, value, strong, color = figure
        text(MARGIN, y, label, size=10, bold=strong, color=color)
        text(right, y, value, size=10, bold=strong, align="right", color=color)
        y -= LINE * 1.15
    canvas.setStrokeColorRGB(*RULE)

    y -= LINE
    text(MARGIN, y, labels["payments"], size=11, bold=True)
    y -= LINE
    columns = [
        (MARGIN, labels["time"], "left"),
        (MARGIN + 20 * mm, labels["payment"], "left"),
        (MARGIN + 45 * mm, labels["account"], "left"),
        (MARGIN + 80 * mm, labels["method"], "left"),
        (MARGIN + 132 * mm, labels["amount"], "right"),
        (MARGIN + 157 * mm, labels["tendered"], "right"),
        (PAGE_W - MARGIN, labels["change"], "right"),
    ]

    def header(y):
        for x, title, align in columns:
            text(x, y, title, size=8, bold=True, align=align, color=SOFT)
        canvas.line(MARGIN, y - 1.6 * mm, PAGE_W - MARGIN, y - 1.6 * mm)
        return y - LINE

    if not payments:
        text(MARGIN, y, labels["none"], color=SOFT)
        y -= LINE
    else:
        y = header(y)
    zone = ZoneInfo(tenant.timezone)
    for desk in payments:
        if y < MARGIN + 2 * LINE:
            footer()
            canvas.showPage()
            page += 1
            y = header(PAGE_H - MARGIN)
        status = f" ({labels['reversed']})" if desk.payment.status == PaymentStatus.REVERSED else ""
        values = [
            desk.taken_at.astimezone(zone).strftime("%H:%M:%S"),
            str(desk.payment_id),
            desk.payment.account.account_number,
            labels[desk.method] + status,
            money(desk.amount),
            money(desk.tendered) if desk.tendered is not None else "—",
            money(desk.change) if desk.method == DeskMethod.CASH else "—",
        ]
        for (x, _, align), value in zip(columns, values, strict=True):
            text(x, y, value, size=8.5, align=align)
        y -= LINE

    if y < MARGIN + 4 * LINE:
        footer()
        canvas.showPage()
        page += 1
        y = PAGE_H - MARGIN
    y -= 2.5 * LINE
    for x, label in ((MARGIN, labels["handed"]), (MARGIN + 95 * mm, labels["received"])):
        text(x, y, f"{label}: ", size=9)
        canvas.line(x + 28 * mm, y - 1, x + 80 * mm, y - 1)
    text(MARGIN + 28 * mm, y - LINE * 0.8, person(shift.cashier), size=7, color=SOFT)
    footer()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
