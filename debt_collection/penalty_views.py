"""The penalty calculator: one account's penalties through a date, per period and supplier,
day by day in lines, as a page or an XLSX file. Staff of the account's tenant only."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.errors import ApplicationError
from core.money import format_minor
from debt_collection.services.penalties import (
    account_penalty_calculation,
    minor_display,
    penalty_calculation_xlsx,
)
from warehouse.access import staff_required
from warehouse.models import Account
from warehouse.selectors import staff_scope


class CalculatorForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("Calculated through"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )


@staff_required
@require_GET
def penalty_calculator(request, account_number: str):
    accounts = staff_scope(request.user, Account).filter(account_number=account_number)
    tenant_code = request.GET.get("tenant", "").strip()
    if tenant_code:
        accounts = accounts.filter(tenant__code=tenant_code)
    found = list(accounts.select_related("tenant")[:2])
    if len(found) != 1:
        raise Http404  # unknown, another tenant's, or ambiguous without ?tenant=
    account = found[0]
    today = timezone.localdate(timezone=_zone(account.tenant.timezone))
    data = {"as_of": request.GET.get("as_of") or today.isoformat()}
    form = CalculatorForm(data)
    calculation, error = None, ""
    if form.is_valid():
        try:
            calculation = account_penalty_calculation(
                account=account, as_of=form.cleaned_data["as_of"]
            )
        except ApplicationError as exc:
            error = str(exc)
    if calculation is not None and request.GET.get("format") == "xlsx":
        response = HttpResponse(
            penalty_calculation_xlsx(calculation), content_type=XLSX_CONTENT_TYPE
        )
        name = f"penalties-{account.account_number}-{calculation.as_of:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "account": account,
        "form": form,
        "calculation": calculation,
        "items": _display(calculation) if calculation is not None else [],
        "total": format_minor(calculation.total) if calculation is not None else "",
        "charged": format_minor(calculation.charged) if calculation is not None else "",
        "error": error,
        "section": "collections",
    }
    status = 200 if calculation is not None else 400
    return render(request, "debt_collection/penalties/calculator.html", context, status=status)


def _display(calculation) -> list[dict]:
    """Amounts as text (major units, 2 decimals) for the template; line amounts rounded half
    up from the exact value (the item's penalty is rounded once from their exact sum)."""
    return [
        {
            "item": item,
            "base": format_minor(item.base_amount),
            "penalty": format_minor(item.penalty),
            "unpaid": format_minor(item.unpaid) if item.unpaid else "",
            "paid": [(day, format_minor(amount)) for day, amount in item.paid],
            "lines": [
                {
                    "line": line,
                    "base": format_minor(line.base),
                    "amount": f"{minor_display(line.amount):.2f}",
                }
                for line in item.lines
            ],
        }
        for item in calculation.items
    ]


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
