"""The dunning page for staff: each tenant's procedure (its levels) and the steps the daily runs
took, filterable. Read-only: levels and templates are edited in the admin, runs are started by
beat or `run_dunning`."""

import django_filters
import django_tables2 as tables
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from core.money import format_currency
from core.ui.tables import TABLE_TEMPLATE
from debt_collection.models import DunningLevel, DunningOutcome, DunningStep
from debt_collection.models.dunning import level_display_name
from splitting.filters import DATE
from warehouse.access import staff_required
from warehouse.filters import tenant_filter
from warehouse.selectors import staff_scope

STEPS_PER_PAGE = 50


class StepFilter(django_filters.FilterSet):
    tenant = tenant_filter()
    outcome = django_filters.ChoiceFilter(
        choices=DunningOutcome.choices, label=_("Outcome"), empty_label=_("Any outcome")
    )
    position = django_filters.NumberFilter(
        field_name="level__position", label=_("Level"), min_value=1
    )
    run_from = django_filters.DateFilter(
        field_name="run_date", lookup_expr="gte", label=_("From"), widget=DATE
    )
    run_to = django_filters.DateFilter(
        field_name="run_date", lookup_expr="lte", label=_("To"), widget=DATE
    )
    account = django_filters.CharFilter(
        field_name="account__account_number",
        lookup_expr="icontains",
        label=_("Account number"),
        max_length=32,
    )

    class Meta:
        model = DunningStep
        fields = ["tenant", "outcome", "position", "run_from", "run_to", "account"]


class StepTable(tables.Table):
    run_date = tables.Column(verbose_name=_("Date"))
    account = tables.Column(accessor="account__account_number", verbose_name=_("Account"))
    level = tables.Column(accessor="level__name", verbose_name=_("Level"), orderable=False)
    cycle = tables.Column(verbose_name=_("Cycle"))
    days_past_due = tables.Column(verbose_name=_("Days past due"))
    overdue = tables.Column(verbose_name=_("Overdue"), attrs={"td": {"class": "num"}})
    outcome = tables.Column(verbose_name=_("Outcome"))

    class Meta:
        model = DunningStep
        fields = ()
        sequence = ("run_date", "account", "level", "cycle", "days_past_due", "overdue", "outcome")
        order_by = ("-run_date",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = _("No dunning steps yet.")

    def render_overdue(self, value, record):
        return format_currency(value, record.tenant)

    def render_level(self, value):
        return level_display_name(value)


@staff_required
@require_GET
def dunning_overview(request):
    levels = (
        staff_scope(request.user, DunningLevel)
        .select_related("tenant", "template")
        .order_by("tenant__code", "position")
    )
    steps = staff_scope(request.user, DunningStep).select_related("tenant", "account", "level")
    step_filter = StepFilter(request.GET, queryset=steps, request=request)
    table = StepTable(step_filter.qs if step_filter.is_valid() else steps.none())
    RequestConfig(request, paginate={"per_page": STEPS_PER_PAGE}).configure(table)
    context = {
        "levels": levels,
        "filter": step_filter,
        "table": table,
        "section": "collections",
    }
    return render(request, "debt_collection/dunning/overview.html", context)
