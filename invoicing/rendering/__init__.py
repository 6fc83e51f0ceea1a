"""What every rendering of a payment document shows, computed once from a `DocumentView`.

`render_html` (html.py), `render_pdf` (pdf.py) and `render_docx` (docx.py) all take the rows
built here — per-supplier payment details, per-service calculation, recalculations, penalties —
and the labels of the document's language, so the cabinet page, the print file and the letter
cannot disagree. Amounts stay integers in minor units until `format_money`/`format_amount` turn
them into text at the edge; no float is ever involved.

The renderers live in submodules so that importing this package (the template filters do) does
not load ReportLab or python-docx.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

import segno

from invoicing.document_view import DocumentView, Party, ServiceLine

NBSP = "\u00a0"
MINUS = "\u2212"

# --- labels -----------------------------------------------------------------------------------

_RU = {
    "title": "Единый платёжный документ",
    "period": "Расчётный период",
    "number": "№ {number} от {issued}",
    "account": "Лицевой счёт (ЕЛС)",
    "reference": "Идентификатор платежа",
    "section1": "1. Сведения о плательщике и исполнителе услуг",
    "payer": "Плательщик",
    "address": "Адрес",
    "premises": "Помещение",
    "area": "Общая площадь",
    "residents": "Проживает",
    "residents_unit": "чел.",
    "executor": "Исполнитель услуг (расчётный центр)",
    "bank": "Банковские реквизиты",
    "section2": "2. Реквизиты для оплаты по получателям платежа",
    "recipient": "Получатель платежа",
    "opening": "Долг (+) / аванс (−) на начало периода",
    "payments": "Оплачено",
    "accrued": "Начислено за период",
    "due": "К оплате",
    "total": "Итого",
    "amount_due": "Итого к оплате",
    "advance": "Аванс (переплата)",
    "advance_note": "Оплата не требуется: переплата будет учтена в следующем периоде.",
    "due_date": "Оплатить до",
    "pay_link": "Оплата онлайн",
    "tan": "Код подтверждения (TAN)",
    "qr_caption": "Оплата по QR-коду (ГОСТ\u00a0Р\u00a056042-2014)",
    "section3": "3. Расчёт размера платы за жилищные и коммунальные услуги",
    "service": "Вид услуги",
    "unit": "Ед. изм.",
    "quantity": "Объём",
    "tariff": "Тариф, ₽/ед.",
    "row_accrued": "Начислено",
    "recalculation": "Перерасчёты",
    "privileges": "Льготы, субсидии",
    "row_total": "Итого к оплате",
    "services_total": "Итого по услугам",
    "section5": "5. Перерасчёты (+ доначислено, − уменьшено)",
    "reason": "Услуга и получатель",
    "amount": "Сумма",
    "penalties": "Неустойки (пени) и судебные издержки",
    "penalties_total": "Итого к оплате по неустойкам и судебным издержкам",
    "currency_note": "Суммы в рублях",
    "footer": "Документ сформирован {issued} · маршрут доставки {route} · № {number}",
    "page": "Лист {page}",
    "continued": "продолжение",
    "continued_next": "Продолжение на следующей странице",
}

_DE = {
    "title": "Sammelrechnung Versorgungsleistungen",
    "period": "Abrechnungszeitraum",
    "number": "Rechnung Nr. {number} vom {issued}",
    "account": "Kundennummer",
    "reference": "Zahlungsreferenz",
    "section1": "Rechnungsempfänger und Abrechnungsstelle",
    "payer": "Rechnungsempfänger",
    "address": "Anschrift",
    "premises": "Wohnung",
    "area": "Wohnfläche",
    "residents": "Personen im Haushalt",
    "residents_unit": "",
    "executor": "Abrechnungsstelle",
    "bank": "Bankverbindung",
    "section2": "Zahlungsübersicht nach Versorgern",
    "recipient": "Versorger",
    "opening": "Saldovortrag (−\u00a0Guthaben)",
    "payments": "Zahlungen",
    "accrued": "Kosten des Zeitraums",
    "due": "Zu zahlen",
    "total": "Summe",
    "amount_due": "Zu zahlender Gesamtbetrag",
    "advance": "Guthaben",
    "advance_note": "Keine Zahlung erforderlich: das Guthaben wird mit der nächsten Rechnung "
    "verrechnet.",
    "due_date": "Zahlbar bis",
    "pay_link": "Online bezahlen",
    "tan": "TAN",
    "transfer": "Überweisung an",
    "remittance": "Verwendungszweck",
    "qr_caption": "GiroCode (EPC-QR): mit der Banking-App scannen",
    "section3": "Einzelaufstellung der Leistungen",
    "service": "Leistung",
    "unit": "Einheit",
    "quantity": "Menge",
    "tariff": "Preis je Einheit",
    "row_accrued": "Betrag",
    "recalculation": "Korrekturen",
    "privileges": "Ermäßigungen",
    "row_total": "Summe",
    "services_total": "Summe der Leistungen",
    "section5": "Korrekturen (+ Nachbelastung, − Gutschrift)",
    "reason": "Leistung und Versorger",
    "amount": "Betrag",
    "penalties": "Verzugszinsen und Mahnkosten",
    "penalties_total": "Summe Verzugszinsen und Mahnkosten",
    "currency_note": "Beträge in {currency}",
    "footer": "Erstellt am {issued} · Zustellroute {route} · Nr. {number}",
    "page": "Seite {page}",
    "continued": "Fortsetzung",
    "continued_next": "Fortsetzung auf der nächsten Seite",
}

_EN = {
    "title": "Consolidated utility bill",
    "period": "Billing period",
    "number": "Bill no. {number} of {issued}",
    "account": "Account number",
    "reference": "Payment reference",
    "section1": "Payer and billing operator",
    "payer": "Payer",
    "address": "Address",
    "premises": "Premises",
    "area": "Floor area",
    "residents": "Residents",
    "residents_unit": "",
    "executor": "Billing operator",
    "bank": "Bank details",
    "section2": "Amounts due per supplier",
    "recipient": "Supplier",
    "opening": "Brought forward (−\u00a0credit)",
    "payments": "Payments",
    "accrued": "Charges of the period",
    "due": "Due",
    "total": "Total",
    "amount_due": "Total to pay",
    "advance": "Credit (paid in advance)",
    "advance_note": "Nothing to pay: the credit will be applied to your next bill.",
    "due_date": "Pay by",
    "pay_link": "Pay online",
    "tan": "TAN",
    "transfer": "Bank transfer to",
    "remittance": "Reference",
    "qr_caption": "EPC QR code (GiroCode): scan with your banking app",
    "section3": "Charges per service",
    "service": "Service",
    "unit": "Unit",
    "quantity": "Quantity",
    "tariff": "Unit price",
    "row_accrued": "Charged",
    "recalculation": "Adjustments",
    "privileges": "Reductions",
    "row_total": "Total",
    "services_total": "Total of services",
    "section5": "Adjustments (+ charged, − credited)",
    "reason": "Service and supplier",
    "amount": "Amount",
    "penalties": "Late-payment interest and collection costs",
    "penalties_total": "Total late-payment interest and collection costs",
    "currency_note": "Amounts in {currency}",
    "footer": "Issued on {issued} · delivery route {route} · no. {number}",
    "page": "Page {page}",
    "continued": "continued",
    "continued_next": "Continued on the next page",
}

_LABELS = {"ru": _RU, "de": _DE, "en": _EN}
_CH_QR_CAPTION = {"de": "Swiss QR Code: mit der Banking-App scannen", "en": "Swiss QR Code"}

_UNITS = {
    "ru": {"m3": "м³", "m2": "м²", "Gcal": "Гкал", "kWh": "кВт·ч", "person": "чел."},
    "de": {"m3": "m³", "m2": "m²", "person": "Pers."},
    "en": {"m3": "m³", "m2": "m²", "person": "pers."},
}
_TAX_IDS = {"ru": {"INN": "ИНН", "KPP": "КПП", "OGRN": "ОГРН"}, "de": {"VAT": "USt-IdNr."}}
_MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
}
_SYMBOLS = {"RUB": "₽", "EUR": "€"}


def language(view: DocumentView) -> str:
    """ru for the RU profile; a SEPA/CH document speaks the tenant's German or else English."""
    if view.profile == "RU":
        return "ru"
    return "de" if view.locale.split("-")[0].lower() == "de" else "en"


def labels(view: DocumentView) -> dict[str, str]:
    lang = language(view)
    result = dict(_LABELS[lang])
    if view.profile == "CH":
        result["qr_caption"] = _CH_QR_CAPTION.get(lang, _CH_QR_CAPTION["en"])
    result["currency_note"] = result["currency_note"].format(currency=view.currency)
    return result


# --- formatting at the edge -------------------------------------------------------------------


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def format_amount(amount: int, view: DocumentView) -> str:
    """Minor units → the locale's number with 2 decimals and no currency: RU `5 123,45`,
    de `5.123,45`, en `5,123.45`. Negative amounts take a real minus sign."""
    units, cents = divmod(abs(int(amount)), 100)
    lang = language(view)
    if lang == "en":
        text = f"{_group(str(units), ',')}.{cents:02d}"
    else:
        text = f"{_group(str(units), NBSP if lang == 'ru' else '.')},{cents:02d}"
    return MINUS + text if amount < 0 else text


def format_money(amount: int, view: DocumentView) -> str:
    """RU `5 123,45 ₽`, de `5.123,45 €`, en `5,123.45 EUR` (no-break spaces inside)."""
    number = format_amount(amount, view)
    if language(view) == "en":
        return f"{number}{NBSP}{view.currency}"
    return f"{number}{NBSP}{_SYMBOLS.get(view.currency, view.currency)}"


def format_decimal(value: Decimal | None, view: DocumentView) -> str:
    """A quantity or tariff as given (its own number of decimals), in the locale's notation."""
    if value is None:
        return ""
    sign = MINUS if value < 0 else ""
    text = format(abs(value), "f")
    units, _, fraction = text.partition(".")
    lang = language(view)
    if lang == "en":
        units, point = _group(units, ","), "."
    else:
        units, point = _group(units, NBSP if lang == "ru" else "."), ","
    return sign + units + (point + fraction if fraction else "")


def format_date(value: date, view: DocumentView) -> str:
    if language(view) == "en":
        return f"{value.day} {_MONTHS['en'].split()[value.month - 1]} {value.year}"
    return value.strftime("%d.%m.%Y")


def format_period(view: DocumentView) -> str:
    """RU `ММ.ГГГГ` as the ЕПД prints it; de/en the month's name."""
    year, month = view.period.split("-")
    lang = language(view)
    if lang == "ru":
        return f"{month}.{year}"
    return f"{_MONTHS[lang].split()[int(month) - 1]} {year}"


def format_unit(unit: str, view: DocumentView) -> str:
    return _UNITS[language(view)].get(unit, unit)


def _group4(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def tax_ids_text(party: Party, view: DocumentView) -> str:
    names = _TAX_IDS.get(language(view), {})
    return ", ".join(f"{names.get(key, key)} {value}" for key, value in party.tax_ids.items())


def bank_text(party: Party, view: DocumentView) -> str:
    """One line of bank details: RU р/с, bank, БИК, к/с; SEPA IBAN, BIC, bank."""
    bank = party.bank
    if not bank:
        return ""
    if "iban" in bank:
        parts = [f"IBAN {_group4(bank['iban'])}"]
        parts += [f"BIC {bank['bic']}"] if bank.get("bic") else []
        parts += [bank["name"]] if bank.get("name") else []
        return " · ".join(parts)
    parts = [f"р/с {bank['account']}"] if bank.get("account") else []
    parts += [bank["name"]] if bank.get("name") else []
    parts += [f"БИК {bank['bic']}"] if bank.get("bic") else []
    parts += [f"к/с {bank['corr_account']}"] if bank.get("corr_account") else []
    return ", ".join(parts)


# --- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierRow:
    """Section 2: one payment recipient. accrued = every line of the period, penalties
    included, so that opening + accrued − payments = amount_due."""

    name: str
    bank: str
    opening: int
    payments: int
    accrued: int
    amount_due: int


@dataclass(frozen=True)
class ServiceRow:
    """Section 3: one service of one supplier; total = accrued + recalculation + privileges."""

    name: str
    unit: str
    quantity: Decimal | None
    tariff: Decimal | None
    accrued: int
    recalculation: int
    privileges: int

    @property
    def total(self) -> int:
        return self.accrued + self.recalculation + self.privileges


@dataclass(frozen=True)
class ServiceGroup:
    supplier: str
    rows: tuple[ServiceRow, ...]


@dataclass(frozen=True)
class ItemRow:
    """Section 5 and the penalty block: one line with the supplier it is owed to."""

    name: str
    supplier: str
    amount: int


@dataclass(frozen=True)
class Sheet:
    """Everything a renderer prints, besides the view's own fields and the labels."""

    view: DocumentView
    labels: dict[str, str]
    suppliers: tuple[SupplierRow, ...]
    supplier_totals: SupplierRow
    services: tuple[ServiceGroup, ...]
    services_total: ServiceRow
    recalculations: tuple[ItemRow, ...]
    penalties: tuple[ItemRow, ...]
    penalties_total: int
    number_line: str  # "№ … от …"
    payer_facts: tuple[str, ...]  # premises, area, residents
    operator_tax_ids: str
    operator_bank: str

    @property
    def in_advance(self) -> bool:
        return self.view.amount_due == 0 and self.view.advance > 0


def _service_rows(lines: tuple[ServiceLine, ...], view: DocumentView) -> tuple[ServiceRow, ...]:
    rows: dict[str, dict] = {}
    for line in lines:
        if line.kind == "penalty":
            continue
        row = rows.setdefault(
            line.service_code,
            {
                "name": line.service_name,
                "unit": "",
                "quantity": None,
                "tariff": None,
                "accrued": 0,
                "recalculation": 0,
                "privileges": 0,
            },
        )
        if line.kind == "recalculation":
            row["recalculation"] += line.amount
        elif line.kind == "privilege":
            row["privileges"] += line.amount
        else:
            row["accrued"] += line.amount
            row["unit"] = row["unit"] or format_unit(line.unit, view)
            if line.quantity is not None:
                row["quantity"] = (row["quantity"] or 0) + line.quantity
            row["tariff"] = line.tariff if line.tariff is not None else row["tariff"]
    return tuple(ServiceRow(**row) for row in rows.values())


def build_sheet(view: DocumentView) -> Sheet:
    suppliers = tuple(
        SupplierRow(
            name=block.name,
            bank=bank_text(block.party, view),
            opening=block.opening,
            payments=block.payments,
            accrued=sum(line.amount for line in block.lines),
            amount_due=block.amount_due,
        )
        for block in view.suppliers
    )
    supplier_totals = SupplierRow(
        name="",
        bank="",
        opening=sum(row.opening for row in suppliers),
        payments=sum(row.payments for row in suppliers),
        accrued=sum(row.accrued for row in suppliers),
        amount_due=sum(row.amount_due for row in suppliers),
    )
    services = tuple(
        ServiceGroup(block.name, rows)
        for block in view.suppliers
        if (rows := _service_rows(block.lines, view))
    )
    all_rows = [row for group in services for row in group.rows]
    services_total = ServiceRow(
        name="",
        unit="",
        quantity=None,
        tariff=None,
        accrued=sum(row.accrued for row in all_rows),
        recalculation=sum(row.recalculation for row in all_rows),
        privileges=sum(row.privileges for row in all_rows),
    )
    recalculations = tuple(
        ItemRow(line.service_name, block.name, line.amount)
        for block in view.suppliers
        for line in block.lines
        if line.kind == "recalculation"
    )
    penalties = tuple(
        ItemRow(line.service_name, block.name, line.amount)
        for block in view.suppliers
        for line in block.lines
        if line.kind == "penalty"
    )
    words = labels(view)
    facts = [f"{words['premises']}: {view.premises}"] if view.premises else []
    if view.area_m2 is not None:
        area = f"{format_decimal(view.area_m2, view)}{NBSP}{format_unit('m2', view)}"
        facts.append(f"{words['area']}: {area}")
    if view.residents is not None:
        unit = f"{NBSP}{words['residents_unit']}" if words["residents_unit"] else ""
        facts.append(f"{words['residents']}: {view.residents}{unit}")
    return Sheet(
        view=view,
        labels=words,
        suppliers=suppliers,
        supplier_totals=supplier_totals,
        services=services,
        services_total=services_total,
        recalculations=recalculations,
        penalties=penalties,
        penalties_total=sum(item.amount for item in penalties),
        number_line=words["number"].format(
            number=view.number, issued=format_date(view.issued_on, view)
        ),
        payer_facts=tuple(facts),
        operator_tax_ids=tax_ids_text(view.operator, view),
        operator_bank=bank_text(view.operator, view),
    )


# --- QR ---------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def make_qr(payload: str) -> segno.QRCode:
    """The payment QR: UTF-8 bytes (GOST `ST00012`, EPC charset 1), level M exactly, no ECI, and
    a fixed mask — any mask decodes, and choosing the best one is most of segno's time."""
    return segno.make_qr(payload, error="m", boost_error=False, mask=0, encoding="utf-8", eci=False)


QR_BORDER = 4  # modules of quiet zone around the symbol
