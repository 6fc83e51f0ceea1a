"""The resident's meter readings page: when readings are taken (the tenant's window, in its
time), the meters of a held account's premises with their last reading, a form per meter while
the window is open, and the recent accepted readings. A refused reading is shown back on its
form with the reason and is not stored; outside the window there is no form, and a POST there
writes nothing and says why.

Every page of the resident's account area finds the account with `held_account`: through
`scope()` AND the user's own holding, so staff, supplier users and other residents get 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cabinet.models import Meter, MeterReading, ReadingSource, ReadingStatus
from cabinet.services.readings import reading_submit, reading_value, reading_window
from core.errors import ApplicationError
from core.money import format_decimal
from warehouse.models import Account
from warehouse.scoping import scope
from warehouse.selectors import staff_scope

HISTORY_ROWS = 24


def held_account(request, tenant: str, number: str) -> Account:
    """The account `number` of tenant `tenant` if the signed-in user holds it, else 404."""
    account = (
        scope(request.user, Account)
        .filter(tenant__code=tenant, account_number=number, holders__user=request.user)
        .select_related("tenant", "premises__building")
        .first()
    )
    if account is None:
        raise Http404
    return account


class ReadingValueField(forms.CharField):
    """A meter reading as people type it — "857,2" or "857.2", "1 234,5" — read by the
    service's own `reading_value`, so the form and the rules agree on what a number is."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return reading_value(value)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


class ReadingForm(forms.Form):
    value = ReadingValueField(
        label=gettext_lazy("Reading"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo of the meter (optional)"),
        required=False,
        help_text=gettext_lazy("JPEG or PNG, at most 5 MB. Needed when the usage is unusual."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


def _meters(account: Account):
    meters = list(
        Meter.objects.filter(premises_id=account.premises_id, is_active=True)
        .select_related("service", "supplier")
        .order_by("service__code", "serial")
    )
    last = {}
    for reading in MeterReading.objects.filter(
        meter__in=meters, status=ReadingStatus.ACCEPTED
    ).order_by("meter_id", "-taken_on", "-value", "-id"):
        last.setdefault(reading.meter_id, reading)
    for meter in meters:
        meter.last = last.get(meter.pk)
    return meters


@login_required(login_url="cabinet-login")
def readings(request, tenant: str, number: str):
    account = held_account(request, tenant, number)
    meters = _meters(account)
    window = reading_window(account.tenant)
    forms_by_meter = {meter.pk: ReadingForm(prefix=f"m{meter.pk}") for meter in meters}
    if request.method == "POST":
        meter = next((m for m in meters if str(m.pk) == request.POST.get("meter")), None)
        if meter is None:
            raise Http404
        if not window.is_open:
            messages.error(request, window.closed_message)
            return redirect("cabinet-readings", tenant=tenant, number=number)
        form = ReadingForm(request.POST, request.FILES, prefix=f"m{meter.pk}")
        forms_by_meter[meter.pk] = form
        if form.is_valid():
            try:
                reading = reading_submit(
                    meter=meter,
                    value=form.cleaned_data["value"],
                    photo=form.cleaned_data["photo"],
                    source=ReadingSource.RESIDENT,
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error(
                    "photo" if exc.code.startswith("attachment") else "value", exc.message
                )
            else:
                messages.success(
                    request,
                    _("Reading %(value)s of meter %(serial)s accepted.")
                    % {
                        "value": format_decimal(reading.value_shown, account.tenant),
                        "serial": meter.serial,
                    },
                )
                return redirect("cabinet-readings", tenant=tenant, number=number)
    for meter in meters:
        meter.form = forms_by_meter[meter.pk]
    history = (
        MeterReading.objects.filter(meter__in=meters, status=ReadingStatus.ACCEPTED)
        .select_related("meter__service")
        .order_by("-submitted_at", "-id")[:HISTORY_ROWS]
    )
    context = {
        "account": account,
        "meters": meters,
        "history": history,
        "window": window,
        "section": "my",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "cabinet/readings/readings.html", context, status=status)


@login_required(login_url="cabinet-login")
def reading_photo(request, pk: int):
    """A reading's photo, for the resident who holds the account and the tenant's staff — not
    the meter's supplier, whom `scope()` alone would let in (a photo of someone's home)."""
    photos = scope(request.user, MeterReading).filter(pk=pk).exclude(photo="")
    reading = (
        photos.filter(meter__premises__accounts__holders__user=request.user).first()
        or staff_scope(request.user, photos).first()
    )
    if reading is None:
        raise Http404
    return FileResponse(reading.photo.open("rb"), as_attachment=False)
