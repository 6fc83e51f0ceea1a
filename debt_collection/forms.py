"""Forms of the agents' workspace. Amounts are typed in major units ("1234.50") and cleaned to
minor units; every business rule is checked again by the service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import to_minor
from debt_collection.models import CaseEventKind, PlanFunding
from debt_collection.services.cases import ContactOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AmountField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            minor = to_minor(text)
        except ValueError:
            raise forms.ValidationError(_("Enter an amount like 1234.50.")) from None
        if minor <= 0:
            raise forms.ValidationError(_("The amount must be positive."))
        return minor


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(CaseEventKind.CALL, _("Call")), (CaseEventKind.VISIT, _("Visit"))],
        label=_("Contact"),
    )
    outcome = forms.ChoiceField(choices=ContactOutcome.choices, label=_("Outcome"))
    note = forms.CharField(
        required=False, max_length=2000, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        max_length=4000, label=_("Note"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CallbackForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Call back at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    note = forms.CharField(required=False, max_length=500, label=_("Note"))


class MessageForm(forms.Form):
    body = forms.CharField(
        max_length=1000, label=_("Text"), widget=forms.Textarea(attrs={"rows": 3})
    )


class LetterForm(forms.Form):
    subject = forms.CharField(max_length=200, required=False, label=_("Subject"))
    body = forms.CharField(
        max_length=10000, label=_("Text"), widget=forms.Textarea(attrs={"rows": 4})
    )


class PromiseForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    due_date = forms.DateField(label=_("Pays by"), widget=DATE)


class PlanForm(forms.Form):
    months = forms.IntegerField(min_value=1, max_value=120, label=_("Months"))
    first_due = forms.DateField(label=_("First instalment due"), widget=DATE)
    amount = AmountField(
        required=False,
        label=_("Amount"),
        help_text=_("Empty: the whole overdue debt."),
    )
    funding = forms.ChoiceField(
        required=False,
        choices=PlanFunding.choices,
        initial=PlanFunding.REFERENCE,
        label=_("Counts toward the plan"),
    )

    def clean_funding(self):
        return self.cleaned_data.get("funding") or PlanFunding.REFERENCE


class PlanPaymentForm(forms.Form):
    """Staff count a payment of the account toward the case's active plan."""

    payment = forms.IntegerField(min_value=1, label=_("Payment no."))
    instalment = forms.IntegerField(
        required=False,
        min_value=1,
        label=_("Instalment no."),
        help_text=_("Empty: the unpaid instalments in order."),
    )


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Agent"), empty_label=_("— nobody —")
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents
        self.fields["agent"].label_from_instance = lambda u: u.get_full_name() or u.username


class BulkAssignForm(AssignForm):
    cases = forms.ModelMultipleChoiceField(queryset=None, label=_("Cases"))

    def __init__(self, *args, agents, cases, **kwargs):
        super().__init__(*args, agents=agents, **kwargs)
        self.fields["cases"].queryset = cases


class AutoAssignForm(forms.Form):
    strategy = forms.ChoiceField(
        choices=[("round_robin", _("Round robin")), ("least_loaded", _("Least loaded"))],
        label=_("Strategy"),
    )


class CallForm(forms.Form):
    """Click-to-call takes nothing but the button."""


class CloseForm(forms.Form):
    reason = forms.CharField(max_length=100, label=_("Reason"))
