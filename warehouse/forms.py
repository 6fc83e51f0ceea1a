"""Forms of the warehouse staff pages. They parse and check input only; the operations are the
services' (`charges_import`, `unmatched_link`, `unmatched_create_account`)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from warehouse import selectors
from warehouse.models import PERIOD_REGEX


def last_month(today: dt.date | None = None) -> str:
    first = (today or dt.date.today()).replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.tenant.code} · {obj.name} ({obj.code})"


class ProfileChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.tenant.code} · {obj.name} ({obj.supplier.code})"


class ChargeUploadForm(forms.Form):
    """One supplier's charges file for one period. `tenant` (a code, from `?tenant=`) narrows
    the supplier and profile choices to that tenant."""

    tenant = forms.ModelChoiceField(queryset=None, to_field_name="code", label=_("Tenant"))
    supplier = SupplierChoiceField(
        queryset=None, label=_("Supplier"), empty_label=_("— choose the supplier —")
    )
    period = forms.RegexField(
        regex=PERIOD_REGEX,
        max_length=7,
        label=_("Period"),
        help_text=_("YYYY-MM"),
        error_messages={"invalid": _("A period is YYYY-MM, e.g. 2025-03.")},
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "inputmode": "numeric"}),
    )
    profile = ProfileChoiceField(
        queryset=None,
        required=False,
        label=_("Mapping profile"),
        empty_label=_("— none: the canonical format —"),
        help_text=_("How the supplier's own layout maps onto the canonical columns."),
    )
    file = forms.FileField(label=_("File"), help_text=_("CSV or XLSX"))

    def __init__(self, *args, user, tenant_code: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        tenants = selectors.import_tenants(user).order_by("code")
        self.fields["tenant"].queryset = tenants
        chosen = tenants.filter(code=tenant_code) if tenant_code else tenants
        self.fields["supplier"].queryset = selectors.supplier_choices(user, chosen)
        self.fields["profile"].queryset = selectors.profile_choices(user, chosen)
        if tenant_code:
            self.fields["tenant"].initial = tenant_code
        self.fields["period"].initial = last_month()

    def clean(self):
        cleaned = super().clean()
        tenant, supplier = cleaned.get("tenant"), cleaned.get("supplier")
        profile = cleaned.get("profile")
        if tenant and supplier and supplier.tenant_id != tenant.pk:
            self.add_error(
                "supplier",
                _("%(supplier)s is not a supplier of %(tenant)s")
                % {"supplier": supplier.name, "tenant": tenant.name},
            )
        elif supplier and profile and profile.supplier_id != supplier.pk:
            self.add_error(
                "profile",
                _("the profile %(profile)s is for another supplier") % {"profile": profile.name},
            )
        return cleaned


class LinkAccountForm(forms.Form):
    """Links a queue entry's supplier account number to an existing account of the tenant."""

    account_number = forms.CharField(max_length=32, label=_("Account number"))


class NewAccountForm(forms.Form):
    """Creates an account for a queue entry's supplier account number and links it."""

    account_number = forms.CharField(max_length=32, label=_("Account number"))
    address = forms.CharField(max_length=300, label=_("Address"))
    premises = forms.CharField(max_length=20, label=_("Premises"))
    payer_name = forms.CharField(max_length=200, label=_("Payer name"))
