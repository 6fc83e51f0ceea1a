"""core.money: exact conversions and splits, and amounts written in each locale's notation."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import (
    format_amount,
    format_currency,
    format_decimal,
    format_minor,
    format_money,
    largest_remainder,
    percent_of,
    to_major,
    to_minor,
)

NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ru", f"1{NBSP}234,50"),
        ("en", "1,234.50"),
        ("de", "1.234,50"),
        ("de_CH", "1’234.50"),
        ("de-CH", "1’234.50"),  # a tenant's locale is written with a hyphen
        ("it_CH", "1’234.50"),
        # CLDR: Swiss French groups with a narrow no-break space and writes amounts (not other
        # numbers) with a point.
        ("fr_CH", f"1{NNBSP}234.50"),
    ],
)
def test_format_money_uses_the_locales_separators(locale, expected):
    assert format_money(123450, "CHF", locale) == expected


def test_format_money_groups_every_three_digits_and_keeps_small_amounts_whole():
    assert format_money(123456789012, "EUR", "en") == "1,234,567,890.12"
    assert format_money(5, "EUR", "de") == "0,05"
    assert format_money(0, "RUB", "ru") == "0,00"


def test_format_money_takes_the_currencys_decimals_and_a_real_minus():
    assert format_money(1234, "JPY", "en") == "1,234"
    assert format_money(-123450, "RUB", "ru") == f"{MINUS}1{NBSP}234,50"


def test_format_money_falls_back_to_the_language_of_an_unknown_region():
    assert format_money(123450, "EUR", "de_XX") == "1.234,50"


RU = SimpleNamespace(profile="RU", locale="ru", currency="RUB")
DE = SimpleNamespace(profile="SEPA", locale="de-DE", currency="EUR")
EN = SimpleNamespace(profile="SEPA", locale="en", currency="EUR")


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (RU, f"5{NBSP}123,45{NBSP}₽"),
        (DE, f"5.123,45{NBSP}€"),
        (EN, f"5,123.45{NBSP}EUR"),
    ],
)
def test_documents_print_amounts_as_before(owner, expected):
    assert format_currency(512345, owner) == expected


def test_amount_and_decimal_cells_of_the_documents():
    assert format_amount(-100, RU) == f"{MINUS}1,00"
    assert format_decimal(Decimal("12345.678"), RU) == f"12{NBSP}345,678"
    assert format_decimal(Decimal("12345.678"), EN) == "12,345.678"
    assert format_decimal(Decimal("-2"), DE) == f"{MINUS}2"
    assert format_decimal(None, DE) == ""


def test_wire_form_round_trips():
    assert to_minor("1234,5") == 123450
    assert format_minor(-123450) == "-1234.50"
    assert to_major(123450) == Decimal("1234.50")
    assert str(to_major(-5)) == "-0.05"
    with pytest.raises(ValueError):
        to_minor("1,234.50")


def test_percent_of_rounds_half_up_to_the_minor_unit():
    assert percent_of(10001, Decimal("12.5")) == 1250  # 1250.125
    assert percent_of(10004, Decimal("12.5")) == 1251  # 1250.5
    assert percent_of(1, "50") == 1  # 0.5
    assert percent_of(1234, Decimal("2.5")) == 31  # 30.85


def test_largest_remainder_gives_leftover_units_to_the_largest_remainders_then_earlier():
    assert largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert largest_remainder(7, [5, 0, 5]) == [4, 0, 3]
    with pytest.raises(ValueError):
        largest_remainder(5, [0, 0])


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20).filter(any),
)
def test_largest_remainder_parts_add_up_to_the_whole(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    whole = sum(weights)
    assert all(abs(p * whole - total * w) < whole for p, w in zip(parts, weights, strict=True))
