"""Filters of the splitting pages (django-filter). Choices come from `scope()` through the
selectors, so a filter never offers another tenant's (or another supplier's) rows."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from splitting import selectors
from splitting.models import (
    Channel,
    OutboxStatus,
    Payment,
    PaymentStatus,
    Registry,
    RegistryStatus,
    SupplierEvent,
)
from warehouse.filters import tenant_filter
from warehouse.models import Supplier
from warehouse.selectors import staff_scope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _staff_suppliers(request):
    return (
        staff_scope(request.user, Supplier)
        .select_related("tenant")
        .order_by("tenant__code", "name")
    )


def _registry_suppliers(request):
    return selectors.registry_suppliers(request.user)


def _supplier_label(supplier) -> str:
    return f"{supplier.tenant.code} · {supplier.name} ({supplier.code})"


class PaymentFilter(django_filters.FilterSet):
    tenant = tenant_filter()
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices, label=_("Channel"), empty_label=_("Any channel")
    )
    status = django_filters.ChoiceFilter(
        choices=PaymentStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    booked_from = django_filters.DateFilter(
        field_name="booked_at", lookup_expr="date__gte", label=_("Booked from"), widget=DATE
    )
    booked_to = django_filters.DateFilter(
        field_name="booked_at", lookup_expr="date__lte", label=_("Booked to"), widget=DATE
    )
    account = django_filters.CharFilter(
        field_name="account__account_number",
        lookup_expr="icontains",
        label=_("Account number"),
        max_length=32,
    )

    class Meta:
        model = Payment
        fields = ["tenant", "channel", "status", "booked_from", "booked_to", "account"]


class RegistryFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(
        queryset=_registry_suppliers, label=_("Supplier"), empty_label=_("All suppliers")
    )
    day_from = django_filters.DateFilter(
        field_name="day", lookup_expr="gte", label=_("Day from"), widget=DATE
    )
    day_to = django_filters.DateFilter(
        field_name="day", lookup_expr="lte", label=_("Day to"), widget=DATE
    )
    status = django_filters.ChoiceFilter(
        choices=RegistryStatus.choices, label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = Registry
        fields = ["supplier", "day_from", "day_to", "status"]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["supplier"].label_from_instance = _supplier_label
        return self._form


class SupplierEventFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=OutboxStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    supplier = django_filters.ModelChoiceFilter(
        queryset=_staff_suppliers, label=_("Supplier"), empty_label=_("All suppliers")
    )

    class Meta:
        model = SupplierEvent
        fields = ["status", "supplier"]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["supplier"].label_from_instance = _supplier_label
        return self._form
