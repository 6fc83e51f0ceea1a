"""The country profiles answer what differs by country, so no service compares profile names."""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.dates import format_date
from core.money import display_language, format_amount, format_currency
from invoicing.references import reference_for
from warehouse.countries import (
    COUNTRIES,
    BillLayout,
    QrKind,
    UnknownCountry,
    country_named,
)
from warehouse.countries import PenaltyKind as Penalty
from warehouse.countries import ReferenceScheme as Scheme
from warehouse.models import CountryProfile, Tenant

ROOT = Path(__file__).resolve().parents[2]
NB = "\u00a0"


def test_every_profile_a_tenant_can_have_is_a_country():
    assert set(COUNTRIES) == set(CountryProfile.values)
    with pytest.raises(UnknownCountry):
        country_named("IT")


def test_a_tenant_asks_its_country():
    assert Tenant(profile="CH").country is COUNTRIES["CH"]


@pytest.mark.parametrize(
    ("code", "scheme", "qr", "penalty", "layout", "russian"),
    [
        ("RU", Scheme.NUMERIC, QrKind.GOST, Penalty.HOUSING_CODE, BillLayout.EPD, True),
        ("SEPA", Scheme.CREDITOR, QrKind.EPC, Penalty.STATUTORY, BillLayout.INVOICE, False),
        ("CH", Scheme.SWISS, QrKind.SWISS, Penalty.STATUTORY, BillLayout.INVOICE, False),
    ],
)
def test_what_each_country_decides(code, scheme, qr, penalty, layout, russian):
    country = country_named(code)

    assert (country.reference_scheme, country.qr_kind) == (scheme, qr)
    assert (country.penalty_kind, country.bill_layout) == (penalty, layout)
    assert country.uses_ru_bank_details is russian and country.uses_iban is not russian
    assert country.prints_payment_part is (code == "CH")


def test_languages_of_the_documents_letters_and_messages():
    ru, sepa, ch = COUNTRIES["RU"], COUNTRIES["SEPA"], COUNTRIES["CH"]

    assert [ru.document_language(x) for x in ("de", "en", "ru")] == ["ru", "ru", "ru"]
    assert [sepa.document_language(x) for x in ("de", "de-AT", "en", "ru", "fr")] == [
        "de",
        "de",
        "en",
        "en",
        "en",
    ]
    assert ch.document_language("de-CH") == "de"
    assert (ru.letter_language, sepa.letter_language, ch.letter_language) == ("ru", "en", "en")
    assert (ru.message_language("en"), sepa.message_language("ru-RU")) == ("ru", "ru")
    assert sepa.message_language("de") == "en"


@pytest.mark.parametrize(
    ("profile", "locale", "currency", "amount", "money", "date"),
    [
        ("RU", "ru", "RUB", f"1{NB}234{NB}567,89", f"1{NB}234{NB}567,89{NB}₽", "05.03.2026"),
        ("SEPA", "de", "EUR", "1.234.567,89", "1.234.567,89\u00a0€", "05.03.2026"),
        ("SEPA", "en", "EUR", "1,234,567.89", "1,234,567.89\u00a0EUR", "5 March 2026"),
        ("CH", "de", "CHF", "1’234’567.89", "1’234’567.89\u00a0CHF", "05.03.2026"),
        ("CH", "en", "CHF", "1’234’567.89", "1’234’567.89\u00a0CHF", "05.03.2026"),
    ],
)  # fmt: skip
def test_numbers_and_dates_in_each_countrys_notation(
    profile, locale, currency, amount, money, date
):
    owner = SimpleNamespace(profile=profile, locale=locale, currency=currency)

    assert format_amount(123456789, owner) == amount
    assert format_currency(123456789, owner) == money
    assert format_date(dt.date(2026, 3, 5), owner) == date
    assert display_language(owner) == COUNTRIES[profile].document_language(locale)


def test_references_follow_the_countrys_scheme():
    assert reference_for("RU", "100200300", "2026-06") == "1002003000620265"
    assert reference_for("SEPA", "100200300", "2026-06").startswith("RF")
    assert reference_for("CH", "100200300", "2026-06", qrr=True).isdigit()


def test_no_service_decides_by_comparing_profile_names():
    """Behaviour per country is asked of the profile (DESIGN.md)."""
    pattern = re.compile(
        r"""profile\s*(==|!=)|profile\s+(not\s+)?in\s*[\(\[{"']|CountryProfile\.(RU|SEPA|CH)\b"""
    )
    offenders = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if path.suffix not in (".py", ".html") or rel.parts[0] in (".venv", "tests"):
            continue
        if "migrations" in rel.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
