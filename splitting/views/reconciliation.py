"""The reconciliation page: pick a tenant, a channel and a day (and, for a provider or a
terminal processor, upload its settlement file); see what they say against what we booked —
the buckets (matched, only theirs, only ours, amounts that differ, waiting in suspense) with
their counts and sums, and every line — as a table or an XLSX file. Staff of the tenant only."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.documents.xlsx import XLSX_CONTENT_TYPE
from splitting.models import Channel, TerminalProcessor
from splitting.settlement.reconciliation import (
    reconcile_bank,
    reconcile_settlement,
    reconciliation_xlsx,
    settlement_read,
)
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.reports import FileRejected
from warehouse.selectors import tenants_of

# What `<input type="date">` sends, then what a Russian user types where the browser has no
# date picker (or a test posts): both are read.
DAY_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class IsoDateInput(forms.DateInput):
    """`<input type="date">` whose value is always ISO (YYYY-MM-DD), the only form the browser
    takes — never the page language's (a Russian 19.11.2026 would leave it blank). A day sent
    back as typed (ISO or DD.MM.YYYY) is shown ISO again."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            for fmt in DAY_FORMATS:
                try:
                    return datetime.strptime(value.strip(), fmt).date().isoformat()
                except ValueError:
                    continue
            return value
        return super().format_value(value)


class ReconciliationForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.none(), label=gettext_lazy("Tenant"))
    channel = forms.ChoiceField(
        choices=[(c.value, c.label) for c in Channel if c != Channel.EXTERNAL],
        label=gettext_lazy("Channel"),
    )
    day = forms.DateField(
        label=gettext_lazy("Day"), input_formats=DAY_FORMATS, widget=IsoDateInput()
    )
    settlement = forms.FileField(
        required=False,
        label=gettext_lazy("Their settlement (CSV external_id,amount)"),
        help_text=gettext_lazy(
            "Needed for providers, terminals and the cash desk; the bank's "
            "side comes from the imported statements."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants_of(user)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") not in (None, Channel.BANK) and not cleaned.get("settlement"):
            self.add_error("settlement", gettext_lazy("Upload the partner's settlement file."))
        return cleaned


def _initial(user) -> dict:
    """The user's first tenant, the bank, and yesterday in that tenant's time (the day a
    reconciliation is usually done for; the server's when the user has no tenant)."""
    first = tenants_of(user).first()
    now = timezone.now()
    today = now.astimezone(ZoneInfo(first.timezone)).date() if first else now.date()
    return {"tenant": first, "channel": Channel.BANK, "day": today - timedelta(days=1)}


@staff_required
def reconciliation(request):
    result = None
    data = request.POST if request.method == "POST" else None
    form = ReconciliationForm(
        data, request.FILES or None, user=request.user, initial=_initial(request.user)
    )
    if data is not None and form.is_valid():
        tenant, channel, day = (form.cleaned_data[k] for k in ("tenant", "channel", "day"))
        if channel == Channel.BANK:
            result = reconcile_bank(tenant=tenant, day=day)
        else:
            try:
                reported = settlement_read(form.cleaned_data["settlement"].read())
            except FileRejected as rejected:
                form.add_error("settlement", "; ".join(map(str, rejected.errors[:5])))
            else:
                prefix = ""
                if channel == Channel.TERMINAL:
                    codes = TerminalProcessor.objects.filter(tenant=tenant).values_list(
                        "code", flat=True
                    )
                    prefix = f"{codes[0]}:" if len(codes) == 1 else ""
                result = reconcile_settlement(
                    tenant=tenant, channel=channel, day=day, reported=reported, prefix=prefix
                )
        if result is not None and request.POST.get("format") == "xlsx":
            response = HttpResponse(reconciliation_xlsx(result), content_type=XLSX_CONTENT_TYPE)
            name = f"reconciliation-{tenant.code}-{channel}-{day.isoformat()}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(
        request,
        "splitting/reconciliation.html",
        {"form": form, "result": result, "section": "reconciliation"},
    )
