"""The change history as a table (django-tables2) and as an XLSX workbook: when, tenant, who,
which row of which table, what was done, which field, from what to what."""

import django_tables2 as tables
from django.apps import apps
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    set_widths,
    workbook_bytes,
)
from core.ui.tables import TABLE_TEMPLATE, when
from warehouse.audit_history import table_title
from warehouse.models import AuditAction, AuditChange

NO_VALUE = mark_safe('<span class="muted">—</span>')  # noqa: S308 (a constant)
VALUE_SHOWN = 80  # characters of a value in the table; the XLSX has all of it
BADGES = {  # the badge colours of core/_status.html: green, amber, red
    AuditAction.CREATE: "posted",
    AuditAction.UPDATE: "received",
    AuditAction.DELETE: "rejected",
}


def table_name(label: str) -> str:
    """A model's name from its label ("warehouse.Supplier" → "Supplier"); the label when the
    model is gone."""
    try:
        return table_title(apps.get_model(label))
    except (LookupError, ValueError):
        return label


def _value(value):
    if value is None:
        return NO_VALUE
    if value == "":
        return format_html('<span class="muted small">{}</span>', gettext("(empty)"))
    if len(value) <= VALUE_SHOWN:
        return format_html('<span class="mono">{}</span>', value)
    return format_html('<span class="mono" title="{}">{}…</span>', value, value[: VALUE_SHOWN - 1])


class AuditChangeTable(tables.Table):
    at = tables.Column(verbose_name=_("When"))
    tenant = tables.Column(
        accessor="tenant__code", verbose_name=_("Tenant"), attrs={"td": {"class": "nowrap"}}
    )
    actor_name = tables.Column(verbose_name=_("Changed by"), empty_values=())
    table = tables.Column(verbose_name=_("Table"))
    object_repr = tables.Column(verbose_name=_("Object"))
    action = tables.Column(verbose_name=_("Action"))
    field = tables.Column(verbose_name=_("Field"), empty_values=())
    old_value = tables.Column(verbose_name=_("Old value"), empty_values=(), orderable=False)
    new_value = tables.Column(verbose_name=_("New value"), empty_values=(), orderable=False)

    class Meta:
        model = AuditChange
        fields = ()
        sequence = (
            "at",
            "tenant",
            "actor_name",
            "table",
            "object_repr",
            "action",
            "field",
            "old_value",
            "new_value",
        )
        order_by = ("-at",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = _("No changes match.")

    def render_at(self, value):
        return when(value)

    def render_tenant(self, value, record):
        return value if record.tenant_id else "—"

    def render_actor_name(self, value):
        return value or gettext("system")

    def render_table(self, value):
        return table_name(value)

    def render_object_repr(self, value, record):
        # The row's name as it read when it changed: a snapshot, kept as written.
        return format_html(
            '<span class="mono">{}</span> <span class="muted small">#{}</span>',
            value,
            record.object_id,
        )

    def render_action(self, value, record):
        return format_html(
            '<span class="badge badge-{}">{}</span>', BADGES.get(record.action, "received"), value
        )

    def render_field(self, value):
        return format_html('<span class="code">{}</span>', value) if value else "—"

    def render_old_value(self, value):
        return _value(value)

    def render_new_value(self, value):
        return _value(value)

    def order_at(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}at", f"{prefix}pk"), True


def changes_xlsx(changes) -> bytes:
    """The rows as one sheet, every value whole; times in the current time zone."""
    book = new_workbook()
    sheet = add_sheet(book, gettext("Change history"))
    header_row(
        sheet,
        [
            gettext("When (%(zone)s)") % {"zone": timezone.get_current_timezone_name()},
            gettext("Tenant"),
            gettext("Changed by"),
            gettext("Table"),
            gettext("Model"),
            gettext("Object id"),
            gettext("Object"),
            gettext("Action"),
            gettext("Field"),
            gettext("Old value"),
            gettext("New value"),
        ],
    )
    for change in changes:
        append_row(
            sheet,
            [
                timezone.localtime(change.at).replace(tzinfo=None),
                change.tenant.code if change.tenant_id and change.tenant else "",
                change.actor_name or gettext("system"),
                table_name(change.table),
                change.table,
                change.object_id,
                change.object_repr,
                change.get_action_display(),
                change.field,
                change.old_value,
                change.new_value,
            ],
        )
    number_format(sheet, min_row=2, min_col=1, max_col=1, fmt="yyyy-mm-dd hh:mm:ss")
    set_widths(sheet, [20, 14, 16, 20, 26, 10, 36, 10, 22, 40, 40])
    return workbook_bytes(book)
