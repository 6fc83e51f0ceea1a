"""The residents' sign-up, sign-in and account-linking forms."""

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cabinet import ratelimit
from cabinet.auth_backends import phone_normalize
from warehouse.models import Tenant

TOO_MANY = _("Too many attempts. Wait a few minutes and try again.")


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Give an e-mail, a phone, or both. Password reset links go to the e-mail."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=24,
        help_text=_("With the country code, e.g. +7 916 123-45-67."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    first_name = forms.CharField(label=_("Your name"), required=False, max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        users = get_user_model().objects
        if email and users.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
            raise ValidationError(
                _("This e-mail is already registered: sign in, or reset the password.")
            )
        return email

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        phone = phone_normalize(text)
        if phone is None:
            raise ValidationError(
                _(
                    "This is not a phone number: write it with its country code, "
                    "e.g. +49 171 1234567."
                )
            )
        users = get_user_model().objects
        if users.filter(Q(phone=phone) | Q(username=phone)).exists():
            raise ValidationError(_("This phone is already registered: sign in instead."))
        return phone

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise ValidationError(_("Enter an e-mail or a phone (or both)."))
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1 and not self.errors:
            user = get_user_model()(
                username=data.get("email") or data.get("phone"),
                email=data.get("email") or "",
                first_name=data.get("first_name") or "",
            )
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class SignInForm(forms.Form):
    """E-mail, phone (or a staff username) and password, rate-limited per address and login."""

    login = forms.CharField(
        label=_("E-mail or phone"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        self.rate_limited = False
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        login, password = data.get("login"), data.get("password")
        if not login or not password:
            return data
        if ratelimit.sign_in_blocked(ratelimit.client_ip(self.request), login):
            self.rate_limited = True
            raise ValidationError(TOO_MANY, code="rate_limited")
        # The backend counts the failures (cabinet.auth_backends), on every sign-in page.
        user = authenticate(self.request, username=login, password=password)
        if user is None:
            raise ValidationError(
                _("The e-mail or phone and the password do not match."), code="invalid_login"
            )
        self.user = user
        return data


class ResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class LinkForm(forms.Form):
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    code = forms.CharField(
        label=_("Verification code"),
        max_length=8,
        help_text=_("Printed on your bill next to the account number."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    tenant = forms.ModelChoiceField(
        label=_("Operator"),
        queryset=Tenant.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("— choose —"),
        help_text=_("The account number is known to more than one operator: choose yours."),
    )

    def __init__(self, *args, tenants=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tenants:
            self.fields["tenant"].queryset = Tenant.objects.filter(pk__in=[t.pk for t in tenants])
            self.fields["tenant"].required = True
        else:
            del self.fields["tenant"]

    def clean_account_number(self) -> str:
        return self.cleaned_data["account_number"].strip()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()
