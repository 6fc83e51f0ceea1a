"""Cells and the template the django-tables2 tables of every app share."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html

from core.dates import day_label

# The table template: django-tables2's, in a scrolling wrapper, with our pagination.
TABLE_TEMPLATE = "core/_table.html"


def status_badge(status: str, label: str) -> str:
    """A badge coloured by the status itself (`badge-<status>`): import batches."""
    return format_html('<span class="badge badge-{}">{}</span>', status, label)


def badge(status: str, label: str) -> str:
    """A badge whose colour family `core/_status.html` picks (paid/booked/delivered are green,
    reversed/failed red, the rest pending), for payments, cases, messages and events."""
    return render_to_string("core/_status.html", {"status": status, "label": label})


def when(value) -> str:
    """A moment in the current time zone: the day (as the reader's language writes it), then
    the time in small muted type; "—" for none."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return format_html(
        '<span class="nowrap">{}</span> <span class="muted small">{}</span>',
        day_label(local),  # in the reader's language: 20.11.2026 / 20 Nov 2026
        local.strftime("%H:%M:%S"),
    )
