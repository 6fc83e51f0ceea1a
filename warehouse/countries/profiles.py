"""The country profiles: one `Country` per `CountryProfile` value, answering every question whose
answer differs by country, so that services ask the tenant's country instead of comparing
profile names (`tenant.country.uses_ru_bank_details`, `country.document_language(locale)`).

Warehouse names the *kind* of each rule (the reference scheme, the QR payload, the penalty
rule); the apps that own the rule map the kind to their code: invoicing.references builds the
references, invoicing.qr the payloads, debt_collection.services.penalties the penalties."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import pgettext_lazy


class ReferenceScheme(StrEnum):
    """How a payment document's reference is built (invoicing.references)."""

    NUMERIC = "numeric"  # account + MMYYYY + an ISO 7064 MOD 11-10 check digit
    CREDITOR = "creditor"  # ISO 11649 RF creditor reference
    SWISS = "swiss"  # a QRR reference with a QR-IBAN, else an RF reference (SCOR)


class QrKind(StrEnum):
    """The payment QR's payload (invoicing.qr)."""

    GOST = "gost"  # GOST R 56042-2014 ST00012
    EPC = "epc"  # EPC069-12 SEPA credit transfer (GiroCode)
    SWISS = "swiss"  # Swiss QR-bill SPC 0200, printed on the payment part with receipt


class PenaltyKind(StrEnum):
    """Which rule charges late payment (debt_collection.services.penalties)."""

    HOUSING_CODE = "housing_code"  # RU ЖК ст. 155 ч. 14: fractions of the key rate by day
    STATUTORY = "statutory"  # statutory default interest: a base rate plus a margin, per day


class BillLayout(StrEnum):
    """The form of the payment document the cabinet shows."""

    EPD = "epd"  # the Russian ЕПД with its numbered sections
    INVOICE = "invoice"  # a consolidated invoice


# The languages payment documents are written in besides a profile's own; others read English.
BILL_LANGUAGES = ("de", "en")


@dataclass(frozen=True)
class Country:
    code: str  # the CountryProfile value a tenant stores
    reference_scheme: ReferenceScheme
    qr_kind: QrKind
    penalty_kind: PenaltyKind
    bill_layout: BillLayout
    uses_ru_bank_details: bool  # settlement account/BIC/corr. account and INN/KPP; else IBAN
    currencies: tuple[str, ...]
    penalty_service_name: str  # the name the penalty service gets in the tenant's classifier
    # (a lazy translation where the profile spans languages)
    iban_countries: tuple[str, ...] | None = None  # an IBAN must be from one of these
    language: str | None = None  # every document speaks it; None: the tenant's locale decides
    numbers_locale: str | None = None  # whose notation numbers take; None: the language's
    numeric_dates: bool = False  # 05.03.2026 in every language (else English writes words)
    phone_region: str | None = None  # numbers without a country code; None: the tenant's IBAN's
    legacy_encoding: str = "cp1252"  # what an 8-bit file most likely is when detection can't tell

    # --- what the documents show -----------------------------------------------------------

    @property
    def uses_iban(self) -> bool:
        """IBAN/BIC bank details and a tax id; the bill tells whom to transfer to."""
        return not self.uses_ru_bank_details

    @property
    def uses_numeric_references(self) -> bool:
        return self.reference_scheme is ReferenceScheme.NUMERIC

    @property
    def uses_housing_code_penalties(self) -> bool:
        return self.penalty_kind is PenaltyKind.HOUSING_CODE

    @property
    def prints_payment_part(self) -> bool:
        """The bill's first page ends with the QR-bill payment part and receipt (SIX IG 2.3)."""
        return self.qr_kind is QrKind.SWISS

    # --- languages -------------------------------------------------------------------------

    def document_language(self, locale: str) -> str:
        """The language of payment documents and cash-desk receipts: the profile's own, else
        the tenant's when documents are written in it (German), else English."""
        if self.language:
            return self.language
        spoken = locale.split("-")[0].lower()
        return spoken if spoken in BILL_LANGUAGES else "en"

    @property
    def letter_language(self) -> str:
        """Letters and court documents: the profile's own language, else English."""
        return self.language or "en"

    def message_language(self, locale: str) -> str:
        """Dunning texts: the profile's own language, Russian for a Russian-speaking tenant,
        else English."""
        return self.language or ("ru" if locale.startswith("ru") else "en")

    # --- numbers and dates (core.money and core.dates write them) ------------------------

    def number_locale(self, language: str) -> str:
        """The CLDR locale whose separators the documents' numbers take: the language's
        (ru `1 234,50`, de `1.234,50`, en `1,234.50`), or the country's own (CH `1’234.50`)."""
        return self.numbers_locale or language

    def dates_in_words(self, language: str) -> bool:
        """`5 March 2026` (English) rather than `05.03.2026`."""
        return language == "en" and not self.numeric_dates


RU = Country(
    code="RU",
    reference_scheme=ReferenceScheme.NUMERIC,
    qr_kind=QrKind.GOST,
    penalty_kind=PenaltyKind.HOUSING_CODE,
    bill_layout=BillLayout.EPD,
    uses_ru_bank_details=True,
    currencies=("RUB",),
    penalty_service_name="Пени",
    language="ru",
    phone_region="RU",
    legacy_encoding="cp1251",
)
# Named in the tenant's document language when the service is made (`penalty_service`).
DEFAULT_INTEREST = pgettext_lazy("service", "Default interest")
SEPA = Country(
    code="SEPA",
    reference_scheme=ReferenceScheme.CREDITOR,
    qr_kind=QrKind.EPC,
    penalty_kind=PenaltyKind.STATUTORY,
    bill_layout=BillLayout.INVOICE,
    uses_ru_bank_details=False,
    currencies=("EUR",),
    penalty_service_name=DEFAULT_INTEREST,
)
CH = Country(
    code="CH",
    reference_scheme=ReferenceScheme.SWISS,
    qr_kind=QrKind.SWISS,
    penalty_kind=PenaltyKind.STATUTORY,
    bill_layout=BillLayout.INVOICE,
    uses_ru_bank_details=False,
    currencies=("CHF", "EUR"),
    penalty_service_name=DEFAULT_INTEREST,
    iban_countries=("CH", "LI"),
    numbers_locale="de_CH",
    numeric_dates=True,
    phone_region="CH",
)

COUNTRIES: dict[str, Country] = {country.code: country for country in (RU, SEPA, CH)}


class UnknownCountry(KeyError):
    """A profile code no `Country` answers for."""


def country_named(code: str) -> Country:
    """The country of a profile code ("RU", "SEPA", "CH")."""
    try:
        return COUNTRIES[code]
    except KeyError:
        raise UnknownCountry(code) from None


def country_of(owner) -> Country:
    """The country of anything with a `profile`: a tenant, a document's view."""
    return country_named(owner.profile)
