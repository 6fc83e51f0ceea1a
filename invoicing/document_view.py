"""The one data structure behind every rendering of a payment document: the cabinet's HTML,
the PDF for print and the DOCX letter all take a `DocumentView`, so they always show the same
content. Amounts are integers in minor units; display formatting happens in the renderers."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.money import format_minor
from warehouse.countries import Country, country_named


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    tax_ids: dict[str, str] = field(default_factory=dict)  # {"INN": …, "KPP": …} or {"VAT": …}
    bank: dict[str, str] = field(default_factory=dict)  # {"name", "iban", "bic"} or RU fields


@dataclass(frozen=True)
class ServiceLine:
    """A charge of the period for one service (kind: regular, recalculation, privilege,
    penalty); a recalculation of an earlier period names it (`corrects_period`, YYYY-MM)."""

    service_code: str
    service_name: str
    kind: str
    amount: int
    unit: str = ""
    quantity: Decimal | None = None
    tariff: Decimal | None = None
    corrects_period: str = ""


@dataclass(frozen=True)
class SupplierBlock:
    """What the account owes one supplier: opening debt (negative: advance) + the period's
    lines − payments counted up to the close = amount due."""

    code: str
    name: str
    party: Party
    opening: int
    lines: tuple[ServiceLine, ...]
    payments: int
    amount_due: int

    def total(self, kind: str) -> int:
        return sum(line.amount for line in self.lines if line.kind == kind)


@dataclass(frozen=True)
class DocumentView:
    profile: str  # RU | SEPA | CH
    currency: str
    locale: str
    period: str  # YYYY-MM
    number: str
    reference: str
    reference_display: str  # grouped for print
    issued_on: date
    due_date: date
    operator: Party
    account_number: str
    payer_name: str
    address: str
    premises: str
    delivery_route: str
    area_m2: Decimal | None
    residents: int | None
    suppliers: tuple[SupplierBlock, ...]
    amount_due: int  # the whole document; 0 when an advance covers everything
    advance: int  # credit carried forward when the account is in advance
    qr_payload: str
    pay_url: str
    tan: str | None = None
    # The account's money on advance at the close (payments not yet applied to any charge),
    # already taken off `amount_due`: Σ supplier amounts due − prepaid = amount_due − advance.
    prepaid: int = 0

    def total(self, kind: str) -> int:
        return sum(block.total(kind) for block in self.suppliers)

    @property
    def opening(self) -> int:
        return sum(block.opening for block in self.suppliers)

    @property
    def suppliers_due(self) -> int:
        """What the suppliers' blocks add up to, before the unused advance is taken off."""
        return sum(block.amount_due for block in self.suppliers)

    @property
    def payments(self) -> int:
        return sum(block.payments for block in self.suppliers)

    @property
    def country(self) -> Country:
        return country_named(self.profile)


_SAMPLE_SUPPLIERS = [  # (code, name, [(service, name, unit, quantity, tariff, amount)])
    (
        "vodokanal",
        "АО «Городской водоканал»",
        [
            ("CW", "Холодное водоснабжение", "m3", "6.000", "52.44", 31464),
            ("SEWER", "Водоотведение", "m3", "10.000", "38.73", 38730),
        ],
    ),
    (
        "teploset",
        "ПАО «Теплосеть»",
        [("HEAT", "Отопление", "Gcal", "0.8942", "2912.33", 260421)],
    ),
    (
        "energosbyt",
        "АО «Энергосбыт Плюс»",
        [("ELEC", "Электроснабжение", "kWh", "212.000", "7.24", 153488)],
    ),
    (
        "zhilservis",
        "ООО «УК Жилсервис»",
        [("MAINT", "Содержание жилого помещения", "m2", "54.80", "38.50", 210980)],
    ),
    (
        "fkr",
        "НКО «Фонд капитального ремонта»",
        [("CAPREP", "Взнос на капремонт", "m2", "54.80", "21.50", 117820)],
    ),
]


def sample_document_view(profile: str = "RU") -> DocumentView:
    """A realistic document for renderer tests and benchmarks (no database needed)."""
    russian = country_named(profile).uses_ru_bank_details  # else a German operator's sample
    suppliers = _sample_suppliers()
    total = sum(block.amount_due for block in suppliers)
    view = DocumentView(
        profile=profile,
        currency="RUB" if russian else "EUR",
        locale="ru" if russian else "de",
        period="2026-10",
        number="100200300-202610",
        reference="1002003001020266" if russian else "RF87100200300102026",
        reference_display="1002 0030 0102 0266" if russian else "RF87 1002 0030 0102 026",
        issued_on=date(2026, 11, 1),
        due_date=date(2026, 11, 10),
        operator=_sample_operator(russian),
        account_number="100200300",
        payer_name="Иванов Иван Иванович" if russian else "Anna Müller",
        address="г. Москва, ул. Ленина, д. 1" if russian else "Hauptstraße 1, 10115 Berlin",
        premises="5",
        delivery_route="R01",
        area_m2=Decimal("54.80"),
        residents=2,
        suppliers=tuple(suppliers),
        amount_due=max(total, 0),
        advance=max(-total, 0),
        qr_payload=_sample_qr_payload(russian, max(total, 0)),
        pay_url="http://127.0.0.1:8000/pay/k3Jx9vQ2pT7sW1mN4bR8cY6zA0eH5uL",
        tan="483920",
    )
    return _swiss_sample(view) if country_named(profile).prints_payment_part else view


def _sample_operator(russian: bool) -> Party:
    """A Russian settlement centre, or a German property manager."""
    return Party(
        name="ООО «Расчётный центр Пример»" if russian else "Beispiel Hausverwaltung GmbH",
        address="г. Москва, ул. Примерная, д. 1" if russian else "Musterstraße 1, 10115 Berlin",
        tax_ids={"ИНН": "7701000019", "КПП": "770101001"}
        if russian
        else {"USt-IdNr.": "DE811907980"},
        bank={
            "name": "ПАО Сбербанк",
            "account": "40702810100000000101",
            "bic": "044525225",
            "corr_account": "30101810400000000225",
        }
        if russian
        else {"name": "Commerzbank", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
    )


def _sample_suppliers() -> list[SupplierBlock]:
    """Five suppliers; the first with a recalculation line, the second with an opening debt
    paid during the period."""
    suppliers = []
    for index, (code, name, services) in enumerate(_SAMPLE_SUPPLIERS):
        lines = tuple(
            ServiceLine(s, n, "regular", amount, unit, Decimal(q), Decimal(t))
            for s, n, unit, q, t, amount in services
        )
        if index == 0:
            lines += (ServiceLine("CW", "Холодное водоснабжение", "recalculation", -2000),)
        opening = 15000 if index == 1 else 0
        payments = 15000 if index == 1 else 0
        due = opening + sum(line.amount for line in lines) - payments
        suppliers.append(SupplierBlock(code, name, Party(name), opening, lines, payments, due))
    return suppliers


def _sample_qr_payload(russian: bool, amount_due: int) -> str:
    """A GOST R 56042 payload, or an EPC069-12 one."""
    if russian:
        return (
            "ST00012|Name=ООО «Расчётный центр Пример»|PersonalAcc=40702810100000000101|"
            "BankName=ПАО Сбербанк|BIC=044525225|CorrespAcc=30101810400000000225|"
            f"PayeeINN=7701000019|KPP=770101001|Sum={amount_due}|Purpose=Оплата ЖКУ за 10.2026, "
            "ЛС 100200300|PersAcc=100200300|PaymPeriod=102026|TechCode=02"
        )
    return (
        "BCD\n002\n1\nSCT\nCOBADEFFXXX\nBeispiel Hausverwaltung GmbH\n"
        "DE89370400440532013000\n"
        f"EUR{format_minor(amount_due)}\n\nRF87100200300102026"
    )


def _swiss_sample(view: DocumentView) -> DocumentView:
    """The German sample as a Swiss operator's: CHF, a QR-IBAN, a QRR reference and the QR-bill
    payload `period_close` builds for a CH tenant."""
    from dataclasses import replace

    from invoicing.qr import SwissAddress, swiss_payload
    from invoicing.references import format_reference, qrr_reference

    iban = "CH4431999123000889012"
    reference = qrr_reference(view.account_number, view.period)
    payload = swiss_payload(
        iban=iban,
        creditor=SwissAddress("ACME Verwaltung AG", "8001", "Zürich", "CH", "Bahnhofstrasse", "1"),
        amount_minor=view.amount_due or None,
        currency="CHF",
        debtor=SwissAddress("Anna Müller", "8001", "Zürich", "CH", "Seestrasse", "2"),
        reference_type="QRR",
        reference=reference,
        message="Nebenkosten Oktober 2026",
    )
    operator = Party(
        "ACME Verwaltung AG",
        "Bahnhofstrasse 1, 8001 Zürich",
        {},
        {"name": "Example Bank", "iban": iban},
    )
    return replace(
        view,
        currency="CHF",
        operator=operator,
        address="Seestrasse 2, 8001 Zürich",
        reference=reference,
        reference_display=format_reference(reference),
        qr_payload=payload,
    )
