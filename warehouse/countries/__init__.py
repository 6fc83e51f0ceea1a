"""Behaviour that differs by country, asked of the tenant's country profile
(`tenant.country`, `country_of(view)`) instead of decided by comparing profile names."""

from warehouse.countries.profiles import (
    COUNTRIES,
    BillLayout,
    Country,
    PenaltyKind,
    QrKind,
    ReferenceScheme,
    UnknownCountry,
    country_named,
    country_of,
)

__all__ = [
    "COUNTRIES",
    "BillLayout",
    "Country",
    "PenaltyKind",
    "QrKind",
    "ReferenceScheme",
    "UnknownCountry",
    "country_named",
    "country_of",
]
