"""What every rendering of a payment document shows, computed once from a `DocumentView`.

`render_html` (html.py), `render_pdf` (pdf.py) and `render_docx` (docx.py) all take the rows
built here — per-supplier payment details, per-service calculation, recalculations, penalties —
and the labels of the document's language, so the cabinet page, the print file and the letter
cannot disagree. Amounts stay integers in minor units until `core.money`'s `format_currency`/
`format_amount` turn them into text at the edge, in the document's language
(`core.money.display_language`); no float is ever involved.

The renderers live in submodules so that importing this package (the template filters do) does
not load ReportLab or python-docx.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import segno

from core.dates import format_date, month_name
from core.money import NBSP, display_language, format_decimal
from invoicing.document_view import DocumentView, Party, ServiceLine
from invoicing.rendering import texts
from warehouse.countries import country_of

# --- labels (invoicing/rendering/texts.py, translated in locale/) ----------------------------


def labels(view: DocumentView) -> dict[str, str]:
    """The document's words in its language, with the caption of its country's QR."""
    language = display_language(view)
    result = texts.LABELS[language]
    result["qr_caption"] = texts.QR_CAPTIONS[language][country_of(view).qr_kind]
    result["currency_note"] = result["currency_note"].format(currency=view.currency)
    return result


# --- text at the edge ---------------------------------------------------------------------------


def format_unit(unit: str, view: DocumentView) -> str:
    return texts.UNITS[display_language(view)].get(unit, unit)


def format_month(period: str, view: DocumentView) -> str:
    """A period YYYY-MM in words in the document's language: «сентябрь 2026», "September 2026",
    "September 2026" (de)."""
    year, month = (int(part) for part in period.split("-"))
    language = display_language(view)
    name = texts.MONTHS_RU[month - 1] if language == "ru" else month_name(month, language)
    return f"{name} {year}"


def _group4(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def tax_ids_text(party: Party, view: DocumentView) -> str:
    names = texts.TAX_IDS[display_language(view)]
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

    @property
    def credit(self) -> int:
        """What the supplier owes the payer back (a credit item, e.g. a recalculation in the
        payer's favour), as a positive amount; 0 when the payer owes."""
        return max(-self.amount_due, 0)


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

    @property
    def prepaid(self) -> int:
        """The account's unused advance at the close, taken off the suppliers' total."""
        return self.view.prepaid


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


def _recalculation_rows(view: DocumentView) -> list[tuple[bool, ItemRow]]:
    """Section 5: the period's own recalculations per service, then one row per supplier and
    corrected period («Перерасчёт за сентябрь 2026»), its services summed, in period order; as
    (names a corrected period, row) with the corrected period as the row's name until
    `build_sheet` words it."""
    own = [
        (False, ItemRow(line.service_name, block.name, line.amount))
        for block in view.suppliers
        for line in block.lines
        if line.kind == "recalculation" and not line.corrects_period
    ]
    corrections: dict[tuple[str, str], int] = {}
    for block in view.suppliers:
        for line in block.lines:
            if line.kind == "recalculation" and line.corrects_period:
                key = (block.name, line.corrects_period)
                corrections[key] = corrections.get(key, 0) + line.amount
    ordered = sorted(corrections.items(), key=lambda item: (item[0][1], item[0][0]))
    return own + [(True, ItemRow(period, name, amount)) for (name, period), amount in ordered]


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
    penalties = tuple(
        ItemRow(line.service_name, block.name, line.amount)
        for block in view.suppliers
        for line in block.lines
        if line.kind == "penalty"
    )
    words = labels(view)
    recalculations = tuple(
        ItemRow(
            words["recalculation_for"].format(month=format_month(row.name, view)),
            row.supplier,
            row.amount,
        )
        if corrects
        else row
        for corrects, row in _recalculation_rows(view)
    )
    facts = [f"{words['premises']}: {view.premises}"] if view.premises else []
    if view.area_m2 is not None:
        area = f"{format_decimal(view.area_m2, view)}{NBSP}{format_unit('m2', view)}"
        facts.append(f"{words['area']}: {area}")
    if view.residents is not None:
        facts.append(words["residents_count"].format(count=view.residents))
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
