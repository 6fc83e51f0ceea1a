"""The case queue's filters (django-filter), over `selectors.queue_annotated`: `overdue` and
`oldest_due` are annotations, so the amount and days-past-due ranges filter in the database."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import to_minor
from debt_collection.models import WORKED_STAGES, CaseStage, DebtCase
from debt_collection.selectors import agents_of
from warehouse.filters import staff_tenants, tenant_filter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STAGE_CHOICES = [
    ("work", _("To work: queue and pre-trial")),
    ("open", _("Any open stage")),
    *CaseStage.choices,
    ("all", _("All")),
]


class AmountField(forms.CharField):
    """An amount typed in major units ("1234.50"), cleaned to minor units."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return to_minor(text)
        except ValueError:
            raise forms.ValidationError(_("Enter an amount like 1234.50.")) from None


class AmountFilter(django_filters.Filter):
    field_class = AmountField


class CaseFilter(django_filters.FilterSet):
    tenant = tenant_filter()
    stage = django_filters.ChoiceFilter(
        choices=STAGE_CHOICES, method="filter_stage", label=_("Stage"), empty_label=None
    )
    agent = django_filters.ChoiceFilter(
        choices=[], method="filter_agent", label=_("Agent"), empty_label=_("Anyone")
    )
    overdue_min = AmountFilter(field_name="overdue", lookup_expr="gte", label=_("Overdue from"))
    overdue_max = AmountFilter(field_name="overdue", lookup_expr="lte", label=_("Overdue to"))
    days_min = django_filters.NumberFilter(
        method="filter_days_min", label=_("Days past due from"), min_value=0
    )
    days_max = django_filters.NumberFilter(
        method="filter_days_max", label=_("Days past due to"), min_value=0
    )
    contact_before = django_filters.DateFilter(
        method="filter_contact_before", label=_("Last contact before"), widget=DATE
    )
    broken = django_filters.BooleanFilter(
        field_name="promise_broken",
        label=_("Broken promise"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )
    callback_due = django_filters.BooleanFilter(
        method="filter_callback_due",
        label=_("Callback due"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes"))]),
    )

    class Meta:
        model = DebtCase
        fields = []

    def __init__(self, data=None, *args, request, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("stage"):
            data["stage"] = "work"
        super().__init__(data, *args, request=request, **kwargs)
        self.today = timezone.localdate()
        tenants = staff_tenants(request).values_list("pk", flat=True)
        agents = [(str(u.pk), u.get_full_name() or u.username) for u in agents_of(tenants)]
        self.filters["agent"].extra["choices"] = [
            ("mine", _("Mine")),
            ("none", _("Unassigned")),
            *agents,
        ]

    def filter_stage(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "work":
            return queryset.filter(stage__in=WORKED_STAGES)
        if value == "open":
            return queryset.exclude(stage=CaseStage.CLOSED)
        return queryset.filter(stage=value)

    def filter_agent(self, queryset, name, value):
        if value == "mine":
            return queryset.filter(assigned_to=self.request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to_id=value)

    def filter_days_min(self, queryset, name, value):
        return queryset.filter(oldest_due__lte=self.today - timedelta(days=int(value)))

    def filter_days_max(self, queryset, name, value):
        return queryset.filter(
            Q(oldest_due__gte=self.today - timedelta(days=int(value))) | Q(oldest_due__isnull=True)
        )

    def filter_contact_before(self, queryset, name, value):
        return queryset.filter(Q(last_contact_at__date__lt=value) | Q(last_contact_at__isnull=True))

    def filter_callback_due(self, queryset, name, value):
        if value:
            return queryset.filter(callback_at__lte=timezone.now())
        return queryset
