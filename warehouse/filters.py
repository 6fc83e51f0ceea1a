"""Filters of the warehouse staff lists (django-filter). Choices come from `scope()` through the
selectors, so a filter never offers another tenant's rows."""

import django_filters
from django.utils.translation import gettext_lazy as _

from warehouse import selectors
from warehouse.models import PERIOD_REGEX, BatchStatus, ImportBatch, Supplier


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

    class Meta:
        model = ImportBatch
        fields = ["tenant", "supplier", "period", "status"]

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
