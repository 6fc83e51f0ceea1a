"""The printed words of a payment document, marked for gettext (locale/<lang>/LC_MESSAGES) and
read in the document's language: the labels of every section, the QR's caption per payload kind,
units and tax-id names. The English text is the source; the ЕПД's Russian and the German are the
translations."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from core.i18n import Texts
from warehouse.countries import QrKind

LABELS = Texts(
    {
        "title": pgettext_lazy("payment document", "Consolidated utility bill"),
        "period": pgettext_lazy("payment document", "Billing period"),
        "number": pgettext_lazy("payment document", "Bill no. {number} of {issued}"),
        "account": pgettext_lazy("payment document", "Account number"),
        "reference": pgettext_lazy("payment document", "Payment reference"),
        "section1": pgettext_lazy("payment document", "Payer and billing operator"),
        "payer": pgettext_lazy("payment document", "Payer"),
        "address": pgettext_lazy("payment document", "Address"),
        "premises": pgettext_lazy("payment document", "Premises"),
        "area": pgettext_lazy("payment document", "Floor area"),
        "residents": pgettext_lazy("payment document", "Residents"),
        "residents_count": pgettext_lazy("payment document", "Residents: {count}"),
        "executor": pgettext_lazy("payment document", "Billing operator"),
        "bank": pgettext_lazy("payment document", "Bank details"),
        "section2": pgettext_lazy("payment document", "Amounts due per supplier"),
        "recipient": pgettext_lazy("payment document", "Supplier"),
        "opening": pgettext_lazy("payment document", "Brought forward (−\u00a0credit)"),
        "payments": pgettext_lazy("payment document", "Payments"),
        "accrued": pgettext_lazy("payment document", "Charges of the period"),
        "due": pgettext_lazy("payment document", "Due"),
        "total": pgettext_lazy("payment document", "Total"),
        "amount_due": pgettext_lazy("payment document", "Total to pay"),
        "advance": pgettext_lazy("payment document", "Credit (paid in advance)"),
        "advance_note": pgettext_lazy(
            "payment document", "Nothing to pay: the credit will be applied to your next bill."
        ),
        "prepaid": pgettext_lazy("payment document", "Advance on the account"),
        "to_pay_after_advance": pgettext_lazy("payment document", "To pay after the advance"),
        "credit": pgettext_lazy("payment document", "in credit"),
        "recalculation_for": pgettext_lazy("payment document", "Recalculation for {month}"),
        "due_date": pgettext_lazy("payment document", "Pay by"),
        "pay_link": pgettext_lazy("payment document", "Pay online"),
        "tan": pgettext_lazy("payment document", "TAN"),
        "transfer": pgettext_lazy("payment document", "Bank transfer to"),
        "remittance": pgettext_lazy("payment document", "Reference"),
        "section3": pgettext_lazy("payment document", "Charges per service"),
        "service": pgettext_lazy("payment document", "Service"),
        "unit": pgettext_lazy("payment document", "Unit"),
        "quantity": pgettext_lazy("payment document", "Quantity"),
        "tariff": pgettext_lazy("payment document", "Unit price"),
        "row_accrued": pgettext_lazy("payment document", "Charged"),
        "recalculation": pgettext_lazy("payment document", "Adjustments"),
        "privileges": pgettext_lazy("payment document", "Reductions"),
        "row_total": pgettext_lazy("payment document row", "Total"),
        "services_total": pgettext_lazy("payment document", "Total of services"),
        "section5": pgettext_lazy("payment document", "Adjustments (+ charged, − credited)"),
        "reason": pgettext_lazy("payment document", "Service and supplier"),
        "amount": pgettext_lazy("payment document", "Amount"),
        "penalties": pgettext_lazy(
            "payment document", "Late-payment interest and collection costs"
        ),
        "penalties_total": pgettext_lazy(
            "payment document", "Total late-payment interest and collection costs"
        ),
        "currency_note": pgettext_lazy("payment document", "Amounts in {currency}"),
        "footer": pgettext_lazy(
            "payment document", "Issued on {issued} · delivery route {route} · no. {number}"
        ),
        "page": pgettext_lazy("payment document", "Page {page}"),
        "continued": pgettext_lazy("payment document", "continued"),
        "continued_next": pgettext_lazy("payment document", "Continued on the next page"),
    }
)

QR_CAPTIONS = Texts(
    {
        QrKind.GOST: pgettext_lazy(
            "payment document", "Pay by QR code (GOST\u00a0R\u00a056042-2014)"
        ),
        QrKind.EPC: pgettext_lazy(
            "payment document", "EPC QR code (GiroCode): scan with your banking app"
        ),
        QrKind.SWISS: pgettext_lazy("payment document", "Swiss QR Code"),
    }
)

# Month names in the nominative, as "Перерасчёт за сентябрь 2026" prints them (the accusative of
# an inanimate masculine noun is its nominative); German and English: `core.dates.month_name`.
MONTHS_RU = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)

UNITS = Texts(
    {
        "m3": pgettext_lazy("unit", "m³"),
        "m2": pgettext_lazy("unit", "m²"),
        "Gcal": pgettext_lazy("unit", "Gcal"),
        "kWh": pgettext_lazy("unit", "kWh"),
        "person": pgettext_lazy("unit", "pers."),
    }
)

TAX_IDS = Texts(
    {
        "INN": pgettext_lazy("tax id", "INN"),
        "KPP": pgettext_lazy("tax id", "KPP"),
        "OGRN": pgettext_lazy("tax id", "OGRN"),
        "VAT": pgettext_lazy("tax id", "VAT"),
    }
)
