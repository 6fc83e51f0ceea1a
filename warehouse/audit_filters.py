"""The filters of the change history page (django-filter): tenant, table, object, field, who,
and the days. The tenant choices are the user's staff tenants (`warehouse.filters`)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from warehouse.audit_history import tracked_tables
from warehouse.filters import tenant_filter
from warehouse.models import AuditAction, AuditChange

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditChangeFilter(django_filters.FilterSet):
    tenant = tenant_filter()
    table = django_filters.ChoiceFilter(
        choices=tracked_tables, label=_("Table"), empty_label=_("All tables")
    )
    object = django_filters.CharFilter(method="filter_object", label=_("Object"), max_length=200)
    field = django_filters.CharFilter(
        field_name="field", lookup_expr="icontains", label=_("Field"), max_length=100
    )
    action = django_filters.ChoiceFilter(
        choices=AuditAction.choices, label=_("Action"), empty_label=_("Any action")
    )
    actor = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="icontains", label=_("Changed by"), max_length=150
    )
    date_from = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=DATE
    )
    date_to = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To"), widget=DATE
    )

    class Meta:
        model = AuditChange
        fields = ["tenant", "table", "object", "field", "action", "actor", "date_from", "date_to"]

    def filter_object(self, queryset, name, value):
        """The object's name as the history shows it, or its id."""
        value = value.strip()
        condition = Q(object_repr__icontains=value)
        if value.isdigit():
            condition |= Q(object_id=value)
        return queryset.filter(condition)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["object"].widget.attrs["placeholder"] = _("name or id")
            form.fields["field"].widget.attrs["placeholder"] = _("field name")
        return self._form
