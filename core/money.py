"""Amounts are integers in minor units everywhere inside Unibill; this module converts them at
the edge, splits them exactly, and writes them in a locale's notation.

- parsing and the wire form: `to_minor`, `format_minor`, `to_major`, `percent`;
- exact arithmetic: `largest_remainder` (every split of an amount), `percent_of` (a percentage
  rounded half up to the minor unit);
- display: `format_money(minor, currency, locale)` writes the number with the separators the
  locale's CLDR data (Babel) gives; `format_amount`/`format_currency`/`format_decimal` write it
  for an *owner* — a tenant or a payment document's view — in the language its documents
  speak (`display_language`), as every page, PDF and letter prints it.

Nothing here goes through float.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Protocol

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision

from core.hooks import Hook

NBSP = "\u00a0"
MINUS = "\u2212"  # a real minus sign: documents never print a hyphen before an amount

_MAJOR = re.compile(r"^(-?)(\d+)(?:[.,](\d{1,2}))?$")
# The sign documents print after the amount (in English the ISO code instead).
_SYMBOLS = {"RUB": "₽", "EUR": "€"}


class Owner(Protocol):
    """What the display functions read of a tenant or a payment document's view: its country
    profile (`warehouse.countries`, reached as `tenant.country` / `view.country`) decides the
    language and the notation."""

    profile: str  # RU | SEPA | CH
    locale: str  # "ru", "de-CH", "en"…
    currency: str  # ISO 4217

    @property
    def country(self) -> CountryFormats: ...


# --- parsing and the wire form ------------------------------------------------------------------


def to_minor(text: str) -> int:
    """`"1234.5"` or `"1234,50"` → 123450. Refuses thousands separators and a third decimal."""
    match = _MAJOR.match(text.strip())
    if not match:
        raise ValueError(f"not an amount with at most 2 decimals: {text!r}")
    sign, units, cents = match.groups()
    minor = int(units) * 100 + int((cents or "0").ljust(2, "0"))
    return -minor if sign else minor


def format_minor(amount: int) -> str:
    """123450 → "1234.50" (the API's and files' form; pages localise with `format_money`)."""
    sign = "-" if amount < 0 else ""
    units, cents = divmod(abs(amount), 100)
    return f"{sign}{units}.{cents:02d}"


def to_major(amount: int) -> Decimal:
    """123450 → Decimal("1234.50"): exact, for a number cell of a spreadsheet or a CSV."""
    return Decimal(amount).scaleb(-2)


def percent(text: str) -> Decimal:
    """`"12,5"` → Decimal("12.5"): a percentage between 0 and 100 with at most 2 decimals."""
    value = Decimal(text.strip().replace(",", "."))
    if not (0 <= value <= 100) or value.as_tuple().exponent < -2:
        raise ValueError(f"not a percentage between 0 and 100 with at most 2 decimals: {text!r}")
    return value


# --- exact arithmetic ---------------------------------------------------------------------------


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights`, summing exactly to `total`.

    Each part is first floored; the units left over (fewer than the number of non-zero
    remainders) go one each to the largest remainders, ties to the earlier index. So a part is
    within 1 of its exact share, a zero weight gets nothing, and when total <= sum(weights) no
    part exceeds its weight: a floored part equals its weight only when total == sum(weights),
    and then no remainder is left to add.
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("total and weights must not be negative")
    whole = sum(weights)
    if whole == 0:
        raise ValueError("weights must not all be zero")
    parts = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


def percent_of(amount: int, rate: Decimal | int | str) -> int:
    """`rate` percent of `amount` minor units, rounded half up (away from zero) to the minor
    unit: 12.5 % of 10004 → 1251 (1250.5), of 10001 → 1250 (1250.125)."""
    exact = Decimal(amount) * Decimal(rate) / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- display ------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _separators(locale: str, money: bool) -> tuple[str, str]:
    """(group, decimal) of the locale's CLDR number symbols; for money the currency symbols
    where the locale has its own (fr_CH writes amounts with a point, other numbers a comma)."""
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse(locale.replace("-", "_").split("_")[0])
    symbols = parsed.number_symbols["latn"]
    group, decimal = symbols["group"], symbols["decimal"]
    if money:
        group = symbols.get("currencyGroup", group)
        decimal = symbols.get("currencyDecimal", decimal)
    return group, decimal


def _grouped(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join(
        [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    )


@lru_cache(maxsize=64)
def _decimals(currency: str) -> int:
    return get_currency_precision(currency)


def format_money(minor: int, currency: str, locale: str) -> str:
    """An amount in minor units as the number `locale` writes, with the currency's decimals
    and no currency sign: 123450 RUB → ru "1 234,50", en "1,234.50", de "1.234,50",
    de_CH "1’234.50". Separators come from CLDR (Babel); digits are grouped by three; a
    negative amount takes a real minus sign (U+2212), as the documents print it."""
    decimals = _decimals(currency)
    group, point = _separators(locale, True)
    units, fraction = divmod(abs(int(minor)), 10**decimals)
    text = _grouped(str(units), group)
    if decimals:
        text += point + str(fraction).zfill(decimals)
    return MINUS + text if minor < 0 else text


class CountryFormats(Protocol):
    """What an owner's country profile decides of how its documents write numbers and dates
    (`warehouse.countries` answers; core imports no domain app)."""

    def document_language(self, locale: str) -> str: ...

    def number_locale(self, language: str) -> str: ...

    def dates_in_words(self, language: str) -> bool: ...


country_profiles: Hook[Callable[[str], CountryFormats]] = Hook(
    "country_profiles", "The country profile of a profile code (RU, SEPA, CH)."
)


def country_of(owner: Owner) -> CountryFormats:
    """The owner's country profile: asked of the owner itself where it carries one (a tenant, a
    document's view — so rendering a view needs no app registry, and a spawned render worker
    formats as the web process does), else looked up by its profile code through the lookup
    `config/wiring.py` connects."""
    country = getattr(owner, "country", None)
    if country is not None:
        return country
    for lookup in country_profiles:
        return lookup(owner.profile)
    raise LookupError("no country profiles are connected (config/wiring.py)")


def display_language(owner: Owner) -> str:
    """The language a tenant's (or a document's) numbers, dates and labels are printed in, as
    its country decides: ru for the RU profile, German for a German-speaking SEPA/CH tenant,
    else English."""
    return country_of(owner).document_language(owner.locale)


def _number_locale(owner: Owner) -> str:
    return country_of(owner).number_locale(display_language(owner))


def format_amount(amount: int, owner: Owner) -> str:
    """Minor units → the owner's number with its currency's decimals and no currency sign:
    RU `5 123,45`, de `5.123,45`, en `5,123.45`, CH `5’123.45`."""
    return format_money(amount, owner.currency, _number_locale(owner))


def format_currency(amount: int, owner: Owner) -> str:
    """The amount with its currency: RU `5 123,45 ₽`, de `5.123,45 €`, en `5,123.45 EUR` (a
    no-break space between)."""
    number = format_amount(amount, owner)
    if display_language(owner) == "en":
        return f"{number}{NBSP}{owner.currency}"
    return f"{number}{NBSP}{_SYMBOLS.get(owner.currency, owner.currency)}"


def format_decimal(value: Decimal | None, owner: Owner) -> str:
    """A quantity or tariff as given (its own number of decimals), in the owner's notation;
    empty for None."""
    if value is None:
        return ""
    group, point = _separators(_number_locale(owner), False)
    units, _, fraction = format(abs(value), "f").partition(".")
    sign = MINUS if value < 0 else ""
    return sign + _grouped(units, group) + (point + fraction if fraction else "")
