"""The penalty runs page: the periods whose penalties were charged, and the form that charges a
period's — the step of month-end before the period's close. Operator admins and accountants of
the tenant may run one (the same people who may close the period)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.money import format_minor
from core.permissions import Permission, allows
from debt_collection.models import PenaltyRun
from debt_collection.services.penalty_runs import penalty_run
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.scoping import role_in, scope


class RunForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=gettext_lazy("Tenant")
    )
    period = forms.RegexField(
        regex=r"^\d{4}-(0[1-9]|1[0-2])$", label=gettext_lazy("Period (YYYY-MM)")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = scope(user, Tenant)


@staff_required
def penalty_runs(request):
    form = RunForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        tenant, period = form.cleaned_data["tenant"], form.cleaned_data["period"]
        if not allows(role_in(request.user, tenant), Permission.CHARGE_PENALTIES):
            messages.error(request, _("Your role may not charge penalties."))
            return redirect("penalty-runs")
        try:
            run = penalty_run(tenant=tenant, period=period, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Penalties of %(period)s charged through %(day)s: %(batches)d batch(es).")
                % {"period": period, "day": f"{run.through_date:%d.%m.%Y}", "batches": run.batches},
            )
        return redirect("penalty-runs")
    runs = (
        scope(request.user, PenaltyRun).select_related("tenant").order_by("tenant__code", "-period")
    )
    rows = [{"run": run, "amount": format_minor(run.amount)} for run in runs[:200]]
    return render(
        request,
        "debt_collection/penalties/runs.html",
        {"rows": rows, "form": form, "section": "collections"},
    )
