"""Periods, days and plain numbers in the reader's language (the page's, not the tenant's
documents' — amounts keep `money`'s tenant notation):
`{% load periods %}{{ period|period_label }}` → «ноябрь 2026» / "November 2026",
`{{ day|day }}` → `05.11.2026` / `5 Nov 2026`, `{{ count|number }}` → `12 345` / `12,345`,
`{{ tenant.locale|language_label }}` → «немецкий» / "German"."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language_info

from core.dates import day_label, period_label

register = template.Library()

register.filter("period_label", period_label)
register.filter("day", day_label, expects_localtime=True)  # an aware datetime by its local day


@register.filter
def number(value, decimals=None):
    """A count or a Decimal with the reader's grouping and decimal sign (ru `1 234,5` with a
    no-break space); `decimals` fixes the places. A value that is no number comes back as
    given."""
    if value is None or value == "":
        return ""
    try:
        number_value = value if isinstance(value, int | Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return number_format(
        number_value,
        decimal_pos=None if decimals in (None, "") else int(decimals),
        use_l10n=True,
        force_grouping=True,
    )


@register.filter
def language_label(code):
    """A language code ("de", "de-CH") named in the reader's language; an unknown code as
    given."""
    try:
        return get_language_info(str(code).lower())["name_translated"]
    except KeyError:
        return code
