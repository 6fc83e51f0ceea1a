"""Admin of charge imports: mapping profiles (checked by the rules `profiles_setup` applies),
the batches and the mapping queue the importer writes, and the periods invoicing closed."""

import codecs

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import format_minor
from warehouse.admin import TENANT_FILTER, ReadOnlyAdmin, TenantScopedAdmin, TenantScopedForm
from warehouse.models import ClosedPeriod, ImportBatch, MappingProfile, SourceFormat, UnmatchedLine
from warehouse.services.charge_rows import CANONICAL


class MappingProfileForm(TenantScopedForm):
    """The same rules as `profiles_setup` applies to a profile file: canonical column names,
    a header name or a 1-based position for each, mappings for the maps, a known encoding."""

    class Meta:
        widgets = {
            name: forms.Textarea(attrs={"rows": 4, "cols": 70, "class": "vLargeTextField"})
            for name in ("columns", "service_map", "constants")
        }

    def clean_columns(self):
        columns = self.cleaned_data.get("columns") or {}
        if not isinstance(columns, dict):
            raise forms.ValidationError(
                _("columns map canonical names to header names or 1-based positions")
            )
        problems = []
        for key, value in columns.items():
            if key not in CANONICAL:
                problems.append(
                    _("%(key)s is not a canonical column (%(names)s)")
                    % {"key": key, "names": ", ".join(CANONICAL)}
                )
            elif not (isinstance(value, str) and value.strip()) and not (
                isinstance(value, int) and not isinstance(value, bool) and value >= 1
            ):
                problems.append(
                    _("%(key)s: a header name or a 1-based column position") % {"key": key}
                )
        if problems:
            raise forms.ValidationError(problems)
        return columns

    def _mapping(self, name):
        value = self.cleaned_data.get(name) or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_('must be a mapping, e.g. {"key": "value"}'))
        return {str(k): str(v) for k, v in value.items()}

    def clean_service_map(self):
        return self._mapping("service_map")

    def clean_constants(self):
        constants = self._mapping("constants")
        unknown = [key for key in constants if key not in CANONICAL]
        if unknown:
            raise forms.ValidationError(
                _("not canonical columns: %(keys)s") % {"keys": ", ".join(unknown)}
            )
        return constants

    def clean_encoding(self):
        encoding = (self.cleaned_data.get("encoding") or "").strip()
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError as exc:
                raise forms.ValidationError(_("unknown encoding")) from exc
        return encoding

    def clean_decimal_mark(self):
        mark = self.cleaned_data.get("decimal_mark") or ""
        if mark not in ("", ".", ","):
            raise forms.ValidationError(_("the decimal mark is . or , (blank: detect)"))
        return mark

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source_format") == SourceFormat.SQL and not (
            cleaned.get("sql_url") and cleaned.get("sql_query")
        ):
            self.add_error("sql_url", _("a SQL profile needs an SQLAlchemy URL and a query"))
        return cleaned  # a supplier of another tenant: TenantScopedForm refuses it


@admin.register(MappingProfile)
class MappingProfileAdmin(TenantScopedAdmin):
    form = MappingProfileForm
    list_display = ("name", "supplier", "source_format", "tenant")
    list_filter = (TENANT_FILTER, "source_format")
    list_select_related = ("tenant", "supplier")
    search_fields = ("name", "supplier__code", "supplier__name")
    fieldsets = (
        (None, {"fields": ("tenant", "supplier", "name", "source_format")}),
        (
            gettext_lazy("Layout"),
            {
                "fields": (
                    "columns",
                    "has_header",
                    "skip_rows",
                    "sheet",
                    "encoding",
                    "separator",
                    "decimal_mark",
                    "date_format",
                )
            },
        ),
        (gettext_lazy("Values"), {"fields": ("service_map", "constants")}),
        (gettext_lazy("SQL pull"), {"fields": ("sql_url", "sql_query")}),
    )


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Batches are written by the importer only; the staff page shows the report."""

    list_display = (
        "id",
        "created_at",
        "tenant",
        "supplier",
        "period",
        "version",
        "status",
        "rows_total",
        "rows_rejected",
        "rows_unmatched",
        "amount",
    )
    list_filter = (TENANT_FILTER, "status", "period")
    list_select_related = ("tenant", "supplier")
    search_fields = ("filename", "sha256", "supplier__code", "supplier__name")
    date_hierarchy = "created_at"
    fields = (
        "tenant",
        "supplier",
        "period",
        "version",
        "status",
        "profile",
        "source_format",
        "filename",
        "sha256",
        "stored_file",
        "rows_total",
        "rows_valid",
        "rows_rejected",
        "rows_unmatched",
        "amount",
        "message",
        "report_summary",
        "superseded_by",
        "created_by",
        "created_at",
        "posted_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("report")

    @admin.display(description=gettext_lazy("amount"))
    def amount(self, obj):
        return f"{format_minor(obj.amount_total)} {obj.tenant.currency}"

    @admin.display(description=gettext_lazy("report"))
    def report_summary(self, obj):
        return format_html(
            '{} <a href="{}">{}</a>',
            _("%(n)s problem(s)") % {"n": len(obj.report or [])},
            reverse("import-batch", args=[obj.pk]),
            _("open the batch page"),
        )


@admin.register(UnmatchedLine)
class UnmatchedLineAdmin(TenantScopedAdmin):
    """The mapping queue is worked on its staff page (linking writes the account link and the
    audit row together); here it can be looked at, and a junk entry deleted."""

    list_display = ("supplier_account", "supplier", "batch", "resolved_account", "resolved_at")
    list_filter = (TENANT_FILTER, ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("tenant", "supplier", "batch", "resolved_account")
    search_fields = ("supplier_account", "supplier__code")
    fields = ("tenant", "supplier", "supplier_account", "batch", "lines", "resolved_account")
    readonly_fields = (*fields, "resolved_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdmin):
    """Periods are closed by invoicing (`period_lock`), never by hand."""

    list_display = ("period", "tenant", "closed_at", "closed_by")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant", "closed_by")
    fields = ("tenant", "period", "closed_at", "closed_by")
    readonly_fields = fields
