"""Filters of the warehouse staff lists (django-filter). Choices come from `scope()` through the
selectors, so a filter never offers another tenant's rows."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from warehouse import selectors
from warehouse.models import PERIOD_REGEX, BatchStatus, ImportBatch, SourceFormat, Supplier


def staff_tenants(request):
    """The choices of a staff page's tenant filter (every app's): `selectors.tenants_of`."""
    return selectors.tenants_of(request.user)


def tenant_filter() -> django_filters.ModelChoiceFilter:
    """A staff list's tenant filter, by code: the user's staff tenants, or all of them."""
    return django_filters.ModelChoiceFilter(
        queryset=staff_tenants,
        to_field_name="code",
        label=_("Tenant"),
        empty_label=_("All tenants"),
    )


def _suppliers(request):
    return (
        selectors.staff_scope(request.user, Supplier)
        .select_related("tenant")
        .order_by("tenant__code", "name")
    )


class ImportBatchFilter(django_filters.FilterSet):
    tenant = tenant_filter()
    supplier = django_filters.ModelChoiceFilter(
        queryset=_suppliers, label=_("Supplier"), empty_label=_("All suppliers")
    )
    period = django_filters.CharFilter(label=_("Period"), max_length=7)
    status = django_filters.ChoiceFilter(
        choices=BatchStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    # The penalties debt collection charges at a period's close are not a supplier's file:
    # left out unless asked for (their own page is the penalty runs').
    penalties = django_filters.BooleanFilter(
        label=_("Show penalty batches"),
        method="keep_all",
        widget=forms.CheckboxInput(attrs={"style": "width: auto; height: auto; margin: 0"}),
    )

    class Meta:
        model = ImportBatch
        fields = ["tenant", "supplier", "period", "status", "penalties"]

    def keep_all(self, queryset, name, value):
        return queryset

    @property
    def shows_penalties(self) -> bool:
        return bool(
            self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("penalties")
        )

    @property
    def qs(self):
        queryset = super().qs
        if self.shows_penalties:
            return queryset
        return queryset.exclude(source_format=SourceFormat.PENALTY)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["supplier"].label_from_instance = lambda s: (
                f"{s.tenant.code} · {s.name} ({s.code})"
            )
            form.fields["period"].widget.attrs.update(
                {"placeholder": "YYYY-MM", "pattern": PERIOD_REGEX.strip("^$")}
            )
        return self._form
