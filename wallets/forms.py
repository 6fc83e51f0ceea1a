"""The forms of the corporate payer's pages (wallets.views)."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wallets.models import CorporateRole, CouponStatus, Fee
from wallets.services.coupons import MAX_BATCH

ROLE_NAMES = dict(CorporateRole.choices)
ROLE_CHOICES = [(role, ROLE_NAMES[role]) for role in CorporateRole.values]
STATUS_NAMES = dict(CouponStatus.choices)
MAX_STATEMENT_DAYS = 366 * 3


class IssueForm(forms.Form):
    """`seen_batch` is the wallet's newest batch when the form was drawn: a second submission
    of the same form finds the batch the first one issued (see `wallets.views.coupons.issue`)."""

    fee = forms.ModelChoiceField(
        queryset=Fee.objects.none(),
        label=_("Fee"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick a fee."), "invalid_choice": _("Pick a fee.")},
    )
    count = forms.IntegerField(
        label=_("Number of coupons"),
        min_value=1,
        max_value=MAX_BATCH,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "data-issue-count": ""}),
    )
    seen_batch = forms.IntegerField(min_value=0, widget=forms.HiddenInput())

    def __init__(self, *args, fees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee"].queryset = fees
        self.fields["count"].help_text = gettext(
            "1 to %(max)d coupons at a time; each blocks the fee's amount."
        ) % {"max": MAX_BATCH}


class CouponFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(STATUS_NAMES.items()),
    )
    q = forms.CharField(
        label=_("Coupon number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_q(self) -> str:
        return "".join(ch for ch in self.cleaned_data["q"] if ch.isdigit())


class StatementForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end is before the start."))
            elif (end - start).days > MAX_STATEMENT_DAYS:
                self.add_error("end", _("Choose at most three years."))
            elif start < date(2000, 1, 1):
                self.add_error("start", _("Choose a later start."))
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=CorporateRole.VIEWER)

    def __init__(self, *args, payer, **kwargs):
        super().__init__(*args, **kwargs)
        self.payer = payer

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.payer.members.filter(user__email__iexact=email).exists():
            raise ValidationError(_("This person is a member already."))
        return email


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class InvitationSignUpForm(forms.Form):
    """A new account for the invited e-mail: the e-mail is its username."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        rules = password_validation.password_validators_help_text_html()
        self.fields["password1"].help_text = rules

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            user = get_user_model()(username=self.email, email=self.email)
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
