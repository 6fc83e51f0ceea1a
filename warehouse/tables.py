"""Tables of the warehouse staff lists (django-tables2)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.money import format_minor
from core.ui.tables import TABLE_TEMPLATE, status_badge
from warehouse.models import BatchStatus, ImportBatch

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


class ImportBatchTable(tables.Table):
    id = tables.Column(verbose_name=_("Batch · file"))
    created_at = tables.Column(verbose_name=_("Received"))
    tenant = tables.Column(
        accessor="tenant__code", verbose_name=_("Tenant"), attrs={"td": {"class": "nowrap"}}
    )
    supplier = tables.Column(accessor="supplier__name", verbose_name=_("Supplier"))
    period = tables.Column(verbose_name=_("Period"), attrs={"td": {"class": "nowrap"}})
    status = tables.Column(verbose_name=_("Status"))
    rows_total = tables.Column(verbose_name=_("Lines"), attrs=NUM)
    rows_valid = tables.Column(verbose_name=_("Valid"), attrs=NUM)
    rows_rejected = tables.Column(verbose_name=_("Rejected"), attrs=NUM)
    rows_unmatched = tables.Column(verbose_name=_("Unmatched"), attrs=NUM)
    amount_total = tables.Column(
        verbose_name=_("Amount"), attrs={"th": {"class": "num"}, "td": {"class": "num nowrap"}}
    )

    class Meta:
        model = ImportBatch
        fields = ()
        sequence = (
            "id",
            "created_at",
            "tenant",
            "supplier",
            "period",
            "status",
            "rows_total",
            "rows_valid",
            "rows_rejected",
            "rows_unmatched",
            "amount_total",
        )
        order_by = ("-created_at",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = _("No batches match.")

    def render_id(self, value, record):
        return format_html(
            '<a href="{}">#{}</a><div class="mono small muted file-name" title="{}">{}</div>',
            reverse("import-batch", args=[value]),
            value,
            record.filename,
            record.filename or "—",
        )

    def render_created_at(self, value):
        local = timezone.localtime(value)
        return format_html(
            '<span class="nowrap">{}</span> <span class="muted small">{}</span>',
            local.strftime("%Y-%m-%d"),
            local.strftime("%H:%M"),
        )

    def render_supplier(self, value, record):
        return format_html('{} <span class="code">{}</span>', value, record.supplier.code)

    def render_period(self, value, record):
        if record.version is None:
            return value
        return format_html('{} <span class="muted">v{}</span>', value, record.version)

    def render_status(self, value, record):
        return status_badge(record.status, value)  # value: the status's display name

    def render_amount_total(self, value, record):
        if record.status not in (BatchStatus.POSTED, BatchStatus.SUPERSEDED):
            return "—"  # nothing of it was posted
        return f"{format_minor(value)} {record.tenant.currency}"

    def value_amount_total(self, value):
        return format_minor(value)

    def order_id(self, queryset, is_descending):
        return queryset.order_by(("-" if is_descending else "") + "pk"), True

    def order_created_at(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}created_at", f"{prefix}pk"), True
