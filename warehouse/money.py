"""Amounts are integers in minor units everywhere inside Unibill; these convert at the edge."""

import re
from decimal import Decimal

_MAJOR = re.compile(r"^(-?)(\d+)(?:[.,](\d{1,2}))?$")


def to_minor(text: str) -> int:
    """`"1234.5"` or `"1234,50"` → 123450. Refuses thousands separators and a third decimal."""
    match = _MAJOR.match(text.strip())
    if not match:
        raise ValueError(f"not an amount with at most 2 decimals: {text!r}")
    sign, units, cents = match.groups()
    minor = int(units) * 100 + int((cents or "0").ljust(2, "0"))
    return -minor if sign else minor


def format_minor(amount: int) -> str:
    """123450 → "1234.50" (the API's and files' form; templates localise separately)."""
    sign = "-" if amount < 0 else ""
    units, cents = divmod(abs(amount), 100)
    return f"{sign}{units}.{cents:02d}"


def percent(text: str) -> Decimal:
    value = Decimal(text.strip().replace(",", "."))
    if not (0 <= value <= 100) or value.as_tuple().exponent < -2:
        raise ValueError(f"not a percentage between 0 and 100 with at most 2 decimals: {text!r}")
    return value
