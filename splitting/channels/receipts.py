"""The cash desk's printouts, drawn with ReportLab in the tenant's language (Russian for the RU
profile, German or English otherwise) with the DejaVu fonts of `core.documents.pdf`:

- `receipt_pdf`: the payer's receipt, on an 80 mm roll (the page is as long as the receipt):
  the operator, the payment's number and time, the cashier, the account, the amount, how it
  was paid (tendered and change for cash) and what it paid per supplier and period;
- `shift_report_pdf`: the hand-over report of a shift, on A4: opening cash, cash and card
  taken, the cash expected in the drawer, the cash counted, the difference, every payment.
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from django.utils.translation import pgettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from core.documents.pdf import BOLD, INK, REGULAR, RULE, SOFT, RollRow, register_fonts, roll_pdf
from core.i18n import Texts
from core.money import display_language, format_currency
from splitting.channels.cashdesk_selectors import ShiftTotals
from splitting.models import CashDeskPayment, CashShift, DeskMethod, PaymentStatus
from splitting.selectors import AllocationLine
from warehouse.models import Supplier, Tenant

DANGER = (0.71, 0.14, 0.09)

LABELS = Texts(
    {
        "receipt": pgettext_lazy("cash receipt", "Payment receipt"),
        "payment": pgettext_lazy("cash receipt", "Payment no."),
        "date": pgettext_lazy("cash receipt", "Date and time"),
        "cashier": pgettext_lazy("cash receipt", "Cashier"),
        "shift": pgettext_lazy("cash receipt", "Shift no."),
        "account": pgettext_lazy("cash receipt", "Account"),
        "payer": pgettext_lazy("cash receipt", "Payer"),
        "address": pgettext_lazy("cash receipt", "Address"),
        "reference": pgettext_lazy("cash receipt", "Payment document"),
        "method": pgettext_lazy("cash receipt", "Paid by"),
        "cash": pgettext_lazy("cash receipt", "Cash"),
        "card": pgettext_lazy("cash receipt", "Card"),
        "amount": pgettext_lazy("cash receipt", "Amount"),
        "tendered": pgettext_lazy("cash receipt", "Tendered"),
        "change": pgettext_lazy("cash receipt", "Change"),
        "paid_to": pgettext_lazy("cash receipt", "Paid to suppliers"),
        "advance": pgettext_lazy("cash receipt", "Advance (for future charges)"),
        "thanks": pgettext_lazy("cash receipt", "Thank you for your payment."),
        "inn": pgettext_lazy("cash receipt", "Tax id"),
        "kpp": pgettext_lazy("cash receipt", "KPP"),
        "report": pgettext_lazy("cash receipt", "Cash shift hand-over report no."),
        "opened": pgettext_lazy("cash receipt", "Opened"),
        "closed": pgettext_lazy("cash receipt", "Closed"),
        "still_open": pgettext_lazy("cash receipt", "open"),
        "opening": pgettext_lazy("cash receipt", "Opening cash"),
        "cash_in": pgettext_lazy("cash receipt", "Taken in cash"),
        "returned": pgettext_lazy("cash receipt", "Handed back for reversals"),
        "card_in": pgettext_lazy("cash receipt", "Taken by card"),
        "expected": pgettext_lazy("cash receipt", "Cash expected in the drawer"),
        "counted": pgettext_lazy("cash receipt", "Cash counted"),
        "difference": pgettext_lazy("cash receipt", "Difference"),
        "payments": pgettext_lazy("cash receipt", "Payments of the shift"),
        # "(payments: 2)": no plural forms needed
        "count": pgettext_lazy("cash receipt", "payments"),
        "total_in": pgettext_lazy("cash receipt", "Taken in all"),
        "time": pgettext_lazy("cash receipt", "Time"),
        "status": pgettext_lazy("cash receipt", "Status"),
        "reversed": pgettext_lazy("cash receipt", "reversed"),
        "none": pgettext_lazy("cash receipt", "No payment was taken in this shift."),
        "handed": pgettext_lazy("cash receipt", "Handed over by"),
        "received": pgettext_lazy("cash receipt", "Received by"),
        "page": pgettext_lazy("cash receipt", "page"),
    }
)


def _labels(tenant: Tenant) -> dict[str, str]:
    return LABELS[display_language(tenant)]


def person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def local_time(tenant: Tenant, moment) -> str:
    """`moment` on the tenant's clock, to the second."""
    return moment.astimezone(ZoneInfo(tenant.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def tax_line(tenant: Tenant, labels: dict[str, str]) -> str:
    """The operator's tax ids as a receipt prints them (ИНН/КПП, or the VAT number)."""
    if tenant.inn:
        kpp = f", {labels['kpp']} {tenant.kpp}" if tenant.kpp else ""
        return f"{labels['inn']} {tenant.inn}{kpp}"
    return f"{labels['inn']} {tenant.tax_id}" if tenant.tax_id else ""


# --- the receipt --------------------------------------------------------------------------------


def _receipt_rows(
    desk: CashDeskPayment, lines: list[AllocationLine], names: dict[str, str]
) -> list[RollRow]:
    payment, shift = desk.payment, desk.shift
    tenant, account = shift.tenant, payment.account
    labels = _labels(tenant)
    money = lambda amount: format_currency(amount, tenant)  # noqa: E731
    rows = [RollRow("title", tenant.name)]
    rows += [RollRow("small", text) for text in (tax_line(tenant, labels), tenant.address) if text]
    rows += [RollRow("rule"), RollRow("title", labels["receipt"])]
    rows += [
        RollRow("pair", labels["payment"], str(payment.pk)),
        RollRow("pair", labels["date"], local_time(tenant, payment.booked_at)),
        RollRow("pair", labels["cashier"], person(shift.cashier)),
        RollRow("pair", labels["shift"], str(shift.pk)),
        RollRow("rule"),
        RollRow("pair", labels["account"], account.account_number),
        RollRow("text", f"{labels['payer']}: {account.payer_name}"),
        RollRow("text", f"{labels['address']}: {account.premises}"),
    ]
    if payment.document_reference:
        rows.append(RollRow("pair", labels["reference"], payment.document_reference))
    rows += [RollRow("rule"), RollRow("big", labels["amount"], money(payment.amount))]
    rows.append(RollRow("pair", labels["method"], labels[desk.method]))
    if desk.method == DeskMethod.CASH:
        rows += [
            RollRow("pair", labels["tendered"], money(desk.tendered)),
            RollRow("pair", labels["change"], money(desk.change)),
        ]
    rows += [RollRow("rule"), RollRow("text", labels["paid_to"] + ":")]
    for line in lines:
        name = names.get(line.supplier, line.supplier)
        rows.append(RollRow("pair", f"{name}, {line.period}", money(line.amount)))
    if payment.advance:
        rows += [RollRow("pair", labels["advance"], money(payment.advance))]
    rows += [RollRow("rule"), RollRow("text", labels["thanks"])]
    return rows


def supplier_names(tenant_id: int) -> dict[str, str]:
    return dict(Supplier.objects.filter(tenant_id=tenant_id).values_list("code", "name"))


def receipt_pdf(desk: CashDeskPayment, lines: list[AllocationLine]) -> bytes:
    """The payer's receipt of a desk payment; `lines` what it paid (`payment_allocations`)."""
    tenant = desk.shift.tenant
    rows = _receipt_rows(desk, lines, supplier_names(tenant.pk))
    title = f"{_labels(tenant)['receipt']} {desk.payment.pk}"
    return roll_pdf(rows, title=title, author=tenant.name)


# --- the hand-over report -----------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
LINE = 5.2 * mm


def shift_report_pdf(
    shift: CashShift, totals: ShiftTotals, payments: list[CashDeskPayment]
) -> bytes:
    """The hand-over report of `shift` (open or closed) on A4, pages as many as it takes."""
    register_fonts()
    report = _ShiftReport(shift)
    report.heading()
    report.figures(totals)
    report.payments(payments)
    report.signatures()
    return report.finish()


class _ShiftReport:
    """Draws the hand-over report top to bottom; `y` is where the next line goes."""

    def __init__(self, shift: CashShift):
        self.shift, self.tenant = shift, shift.tenant
        self.labels = _labels(self.tenant)
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4)
        self.canvas.setTitle(f"{self.labels['report']} {shift.pk}")
        self.canvas.setAuthor(self.tenant.name)
        self.page = 1
        self.y = PAGE_H - MARGIN
        labels = self.labels
        self.columns = [
            (MARGIN, labels["time"], "left"),
            (MARGIN + 20 * mm, labels["payment"], "left"),
            (MARGIN + 45 * mm, labels["account"], "left"),
            (MARGIN + 80 * mm, labels["method"], "left"),
            (MARGIN + 132 * mm, labels["amount"], "right"),
            (MARGIN + 157 * mm, labels["tendered"], "right"),
            (PAGE_W - MARGIN, labels["change"], "right"),
        ]

    def money(self, amount: int) -> str:
        return format_currency(amount, self.tenant)

    def text(self, x, y, value, size=9.0, bold=False, align="left", color=INK):
        self.canvas.setFont(BOLD if bold else REGULAR, size)
        self.canvas.setFillColorRGB(*color)
        if align == "right":
            self.canvas.drawRightString(x, y, value)
        else:
            self.canvas.drawString(x, y, value)

    def footer(self):
        footer_text = (
            f"{self.tenant.name} · {self.labels['report']} {self.shift.pk} · "
            f"{self.labels['page']} {self.page}"
        )
        self.text(MARGIN, MARGIN / 2, footer_text, size=7, color=SOFT)

    def new_page(self):
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_H - MARGIN

    def heading(self):
        tenant, labels, shift = self.tenant, self.labels, self.shift
        self.text(MARGIN, self.y, tenant.name, size=11, bold=True)
        tax = tax_line(tenant, labels)
        if tax or tenant.address:
            self.y -= LINE
            line = " · ".join(filter(None, [tax, tenant.address]))
            self.text(MARGIN, self.y, line, size=8, color=SOFT)
        self.y -= 2 * LINE
        self.text(MARGIN, self.y, f"{labels['report']} {shift.pk}", size=15, bold=True)
        self.y -= 1.6 * LINE
        closed = local_time(tenant, shift.closed_at) if shift.closed_at else labels["still_open"]
        for label, value in (
            (labels["cashier"], person(shift.cashier)),
            (labels["opened"], local_time(tenant, shift.opened_at)),
            (labels["closed"], closed),
        ):
            self.text(MARGIN, self.y, label, color=SOFT)
            self.text(MARGIN + 45 * mm, self.y, value)
            self.y -= LINE

    def figures(self, totals: ShiftTotals):
        self.y -= LINE
        right = MARGIN + 120 * mm
        for figure in self._figure_rows(totals):
            if figure is None:
                self.y -= LINE * 0.5
                continue
            label, value, strong, color = figure
            self.text(MARGIN, self.y, label, size=10, bold=strong, color=color)
            self.text(right, self.y, value, size=10, bold=strong, align="right", color=color)
            self.y -= LINE * 1.15
        self.canvas.setStrokeColorRGB(*RULE)

    def _figure_rows(self, totals: ShiftTotals) -> list:
        labels, money = self.labels, self.money
        difference = totals.difference
        short = difference is not None and difference < 0
        returned = f"{labels['returned']} ({labels['count']}: {totals.returned_count})"
        counted = "—" if totals.counted is None else money(totals.counted)
        return [
            (labels["opening"], money(totals.opening), False, INK),
            (
                f"{labels['cash_in']} ({labels['count']}: {totals.cash_count})",
                money(totals.cash_in),
                False,
                INK,
            ),
            *(
                [(returned, money(-totals.cash_returned), False, INK)]
                if totals.returned_count
                else []
            ),
            (labels["expected"], money(totals.expected), True, INK),
            (labels["counted"], counted, False, INK),
            (
                labels["difference"],
                "—" if difference is None else money(difference),
                True,
                DANGER if short else INK,
            ),
            None,  # card payments never reach the drawer
            (
                f"{labels['card_in']} ({labels['count']}: {totals.card_count})",
                money(totals.card_in),
                False,
                INK,
            ),
            (labels["total_in"], money(totals.total_in), False, INK),
        ]

    def header(self, y):
        for x, title, align in self.columns:
            self.text(x, y, title, size=8, bold=True, align=align, color=SOFT)
        self.canvas.line(MARGIN, y - 1.6 * mm, PAGE_W - MARGIN, y - 1.6 * mm)
        return y - LINE

    def payments(self, payments: list[CashDeskPayment]):
        labels = self.labels
        self.y -= LINE
        self.text(MARGIN, self.y, labels["payments"], size=11, bold=True)
        self.y -= LINE
        if not payments:
            self.text(MARGIN, self.y, labels["none"], color=SOFT)
            self.y -= LINE
        else:
            self.y = self.header(self.y)
        zone = ZoneInfo(self.tenant.timezone)
        for desk in payments:
            if self.y < MARGIN + 2 * LINE:
                self.new_page()
                self.y = self.header(self.y)
            for (x, _, align), value in zip(self.columns, self._row(desk, zone), strict=True):
                self.text(x, self.y, value, size=8.5, align=align)
            self.y -= LINE

    def _row(self, desk: CashDeskPayment, zone) -> list[str]:
        labels, money = self.labels, self.money
        status = f" ({labels['reversed']})" if desk.payment.status == PaymentStatus.REVERSED else ""
        return [
            desk.taken_at.astimezone(zone).strftime("%H:%M:%S"),
            str(desk.payment_id),
            desk.payment.account.account_number,
            labels[desk.method] + status,
            money(desk.amount),
            money(desk.tendered) if desk.tendered is not None else "—",
            money(desk.change) if desk.method == DeskMethod.CASH else "—",
        ]

    def signatures(self):
        labels = self.labels
        if self.y < MARGIN + 4 * LINE:
            self.new_page()
        self.y -= 2.5 * LINE
        y = self.y
        for x, label in ((MARGIN, labels["handed"]), (MARGIN + 95 * mm, labels["received"])):
            self.text(x, y, f"{label}: ", size=9)
            self.canvas.line(x + 28 * mm, y - 1, x + 80 * mm, y - 1)
        self.text(MARGIN + 28 * mm, y - LINE * 0.8, person(self.shift.cashier), size=7, color=SOFT)

    def finish(self) -> bytes:
        self.footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()
