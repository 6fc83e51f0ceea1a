"""The accounting export page: pick a tenant and a month; download the general journal, the
account turnover and the trial balance (XLSX, CSV), the operator's bank operations for 1C, and
each supplier's commission act (DOCX, PDF). Operator staff see the page; the files and the
figures are for those who may settle the tenant's money (`splitting.access.may_settle`)."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.errors import ApplicationError
from splitting import selectors
from splitting.access import may_settle
from splitting.settlement import accounting
from splitting.settlement.accounting_files import ExportFile, accounting_file, file_names
from splitting.settlement.commission_act_files import ACT_FORMATS, commission_act_file
from warehouse.access import staff_required
from warehouse.models import PERIOD_REGEX, Supplier, Tenant
from warehouse.selectors import staff_tenant_of, tenants_of

FILE_LABELS = {
    "journal": pgettext_lazy("accounting export", "General journal"),
    "turnover": pgettext_lazy("accounting export", "Account turnover"),
    "trial-balance": pgettext_lazy("accounting export", "Trial balance"),
    "operations-1c": gettext_lazy("Bank operations for 1C (payouts)"),
}


class AccountingForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=gettext_lazy("Tenant")
    )
    period = forms.CharField(
        label=gettext_lazy("Month"),
        validators=[RegexValidator(PERIOD_REGEX, gettext_lazy("A month is YYYY-MM."))],
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants_of(user)


def _last_month() -> str:
    first = timezone.localdate().replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


def _act_links(tenant: Tenant, period: str, supplier: Supplier) -> list[tuple[str, str]]:
    return [
        (fmt.upper(), reverse("accounting-act", args=[tenant.code, period, supplier.code, fmt]))
        for fmt in ACT_FORMATS
    ]


def _export(tenant: Tenant, period: str) -> dict:
    """The links and the trial balance the page shows for one tenant and month."""
    month = accounting.period_of(tenant, period)
    files = [
        {
            "label": FILE_LABELS[name],
            "format": file_format.upper(),
            "url": reverse("accounting-file", args=[tenant.code, period, name, file_format]),
        }
        for name, file_format in file_names(tenant)
    ]
    acts = [
        {"supplier": supplier, "links": _act_links(tenant, period, supplier)}
        for supplier in accounting.act_suppliers(tenant=tenant, period=month)
    ]
    balance = accounting.trial_balance(tenant=tenant, period=month)
    return {"tenant": tenant, "period": month, "files": files, "acts": acts, "balance": balance}


@staff_required
def accounting_export(request):
    form = AccountingForm(request.GET or None, user=request.user, initial={"period": _last_month()})
    context = {"form": form, "section": "accounting", "export": None, "refused": False}
    if form.is_bound and form.is_valid():
        tenant, period = form.cleaned_data["tenant"], form.cleaned_data["period"]
        if selectors.can_take_payments(request.user, tenant.pk):
            context["export"] = _export(tenant, period)
        else:
            context["refused"] = True
    return render(request, "splitting/accounting/export.html", context)


def _attachment(export: ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def _back(request, tenant: Tenant, period: str, error: ApplicationError):
    messages.error(request, error.message)
    query = urlencode({"tenant": tenant.code, "period": period})
    return redirect(f"{reverse('accounting-export')}?{query}")


@staff_required
def accounting_file_download(request, tenant: str, period: str, name: str, file_format: str):
    tenant_obj = staff_tenant_of(request.user, tenant)
    may_settle(request.user, tenant_obj.pk)
    try:
        export = accounting_file(
            tenant=tenant_obj, period=period, name=name, file_format=file_format
        )
    except ApplicationError as error:
        return _back(request, tenant_obj, period, error)
    return _attachment(export)


@staff_required
def accounting_act_download(request, tenant: str, period: str, supplier: str, file_format: str):
    tenant_obj = staff_tenant_of(request.user, tenant)
    may_settle(request.user, tenant_obj.pk)
    supplier_obj = get_object_or_404(Supplier, tenant=tenant_obj, code=supplier)
    try:
        export = commission_act_file(
            tenant=tenant_obj, supplier=supplier_obj, period=period, file_format=file_format
        )
    except ApplicationError as error:
        return _back(request, tenant_obj, period, error)
    return _attachment(export)
