"""Display filters: `{% load money %}{{ amount|money:tenant }}`.

The second argument — a tenant or a payment document's view — decides the language and the
currency (`core.money.display_language`), so a template never formats a number itself and the
HTML shows exactly what the PDF and the DOCX print. Amounts are integers in minor units;
nothing here goes through float.
"""

from django import template

from core.dates import format_date, format_period
from core.money import format_amount, format_currency, format_decimal, format_minor

register = template.Library()


@register.filter
def money(amount, owner):
    """123450 → RU `1 234,50 ₽`, de `1.234,50 €`, en `1,234.50 EUR`."""
    return format_currency(amount, owner)


@register.filter
def amount(value, owner):
    """The number alone, for table cells under a "in roubles/EUR" note."""
    return format_amount(value, owner)


@register.filter
def quantity(value, owner):
    """A Decimal quantity or tariff in the owner's notation; empty for None."""
    return format_decimal(value, owner)


@register.filter
def docdate(value, owner):
    return format_date(value, owner)


@register.filter
def period(view):
    return format_period(view)


@register.filter
def minor_plain(amount):
    """123450 → "1234.50": an amount as a form field takes it back."""
    return format_minor(amount) if isinstance(amount, int) else ""
