"""`{% load units %}{{ service.unit|unit }}`: a unit code as people read it in the page's
language ("m3" → «м³», "kWh" → «кВт·ч»), from the one table in `core.i18n`."""

from django import template

from core.i18n import unit_label

register = template.Library()


@register.filter
def unit(code):
    return unit_label(code or "")
