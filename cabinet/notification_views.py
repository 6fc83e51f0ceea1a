"""The resident's notification page (/cabinet/notifications/): which messages they get by which
channel, and "remind me on…" reminders for the accounts they hold. Every row read or changed
belongs to the signed-in resident (`user=request.user`, accounts through `scope()`)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cabinet.models.notifications import (
    PREFERENCE_DEFAULTS,
    NotificationChannel,
    NotificationKind,
    Reminder,
)
from cabinet.services.notifications import (
    preferences_of,
    preferences_save,
    reminder_cancel,
    reminder_schedule,
)
from core.errors import ApplicationError
from warehouse.models import Account
from warehouse.scoping import scope


def _field(channel: str, kind: str) -> str:
    return f"{channel}_{kind}"


class PreferencesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for channel, kind in PREFERENCE_DEFAULTS:
            self.fields[_field(channel, kind)] = forms.BooleanField(
                required=False,
                label=f"{NotificationChannel(channel).label}: {NotificationKind(kind).label}",
            )

    def choices(self) -> dict[tuple[str, str], bool]:
        return {(c, k): self.cleaned_data[_field(c, k)] for c, k in PREFERENCE_DEFAULTS}


class ReminderForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.none(), label=gettext_lazy("Account"))
    remind_on = forms.DateField(
        label=gettext_lazy("Remind me on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=200)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["remind_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        if not self.is_bound and len(accounts) == 1:
            self.initial.setdefault("account", accounts[0].pk)
        self.fields["account"].label_from_instance = lambda a: (
            f"{a.account_number} · {a.tenant.name}"
        )


def _held_accounts(user):
    return (
        scope(user, Account)
        .filter(holders__user=user)
        .select_related("tenant")
        .order_by("tenant__name", "account_number")
    )


def _page(request, *, prefs_form=None, reminder_form=None, status=200):
    user = request.user
    prefs = preferences_of(user=user)
    if prefs_form is None:
        prefs_form = PreferencesForm(initial={_field(c, k): v for (c, k), v in prefs.items()})
    accounts = _held_accounts(user)
    if reminder_form is None:
        reminder_form = ReminderForm(accounts=accounts)
    rows = [
        {
            "label": kind.label,
            "fields": [prefs_form[_field(channel, kind)] for channel in NotificationChannel],
        }
        for kind in NotificationKind
    ]
    context = {
        "section": "notifications",
        "prefs_form": prefs_form,
        "rows": rows,
        "channels": [c.label for c in NotificationChannel],
        "reminder_form": reminder_form,
        "has_accounts": accounts.exists(),
        "reminders": Reminder.objects.filter(user=user, sent_at__isnull=True).select_related(
            "account__tenant"
        ),
        "sent_reminders": Reminder.objects.filter(user=user, sent_at__isnull=False)
        .select_related("account__tenant")
        .order_by("-sent_at")[:5],
        "no_phone": not user.phone,
        "no_email": not user.email,
    }
    return render(request, "cabinet/notifications/page.html", context, status=status)


@login_required(login_url="cabinet-login")
def notifications(request):
    if request.method != "POST":
        return _page(request)
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _page(request, prefs_form=form, status=400)
    preferences_save(user=request.user, choices=form.choices())
    messages.success(request, _("Your notification settings are saved."))
    return redirect("cabinet-notifications")


@require_POST
@login_required(login_url="cabinet-login")
def reminder_add(request):
    form = ReminderForm(request.POST, accounts=_held_accounts(request.user))
    if not form.is_valid():
        return _page(request, reminder_form=form, status=400)
    try:
        reminder = reminder_schedule(
            user=request.user,
            account=form.cleaned_data["account"],
            remind_on=form.cleaned_data["remind_on"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        form.add_error("remind_on", exc.message)
        return _page(request, reminder_form=form, status=400)
    messages.success(
        request,
        _("We will remind you on %(day)s.") % {"day": reminder.remind_on.strftime("%d.%m.%Y")},
    )
    return redirect("cabinet-notifications")


@require_POST
@login_required(login_url="cabinet-login")
def reminder_cancel_view(request, pk: int):
    try:
        reminder_cancel(user=request.user, reminder_id=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    messages.success(request, _("The reminder is cancelled."))
    return redirect("cabinet-notifications")
