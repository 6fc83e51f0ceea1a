"""Display filters for payment documents: `{% load money %}{{ amount|money:view }}`.

The view decides the locale and currency, so a template never formats a number itself and the
HTML shows exactly what the PDF and the DOCX print (invoicing.rendering does the formatting).
Amounts are integers in minor units; nothing here goes through float.
"""

from django import template

from invoicing.rendering import (
    format_amount,
    format_date,
    format_decimal,
    format_money,
    format_period,
)

register = template.Library()


@register.filter
def money(amount, view):
    """123450 → RU `1 234,50 ₽`, de `1.234,50 €`, en `1,234.50 EUR`."""
    return format_money(amount, view)


@register.filter
def amount(value, view):
    """The number alone, for table cells under a "in roubles/EUR" note."""
    return format_amount(value, view)


@register.filter
def quantity(value, view):
    """A Decimal quantity or tariff in the locale's notation; empty for None."""
    return format_decimal(value, view)


@register.filter
def docdate(value, view):
    return format_date(value, view)


@register.filter
def period(view):
    return format_period(view)
