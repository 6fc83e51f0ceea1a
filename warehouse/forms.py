"""Forms of the warehouse staff pages. They parse and check input only; the operations are the
services' (`charges_import`, `unmatched_link`, `unmatched_create_account`)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from warehouse import selectors
from warehouse.models import PERIOD_REGEX
from warehouse.selectors_imports import profile_preselected


def last_month(today: dt.date | None = None) -> str:
    first = (today or dt.date.today()).replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class ProfileChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ImportTargetForm(forms.Form):
    """The first step of an upload (a GET form): the tenant, then one of its suppliers. The
    supplier choices are the chosen tenant's only; a supplier of another tenant is dropped,
    not an error (the tenant was just changed)."""

    tenant = forms.ModelChoiceField(
        queryset=None,
        to_field_name="code",
        label=_("Tenant"),
        empty_label=_("— choose the tenant —"),
    )
    supplier = SupplierChoiceField(
        queryset=None,
        required=False,
        label=_("Supplier"),
        empty_label=_("— choose the supplier —"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        tenants = selectors.import_tenants(user).order_by("code")
        self.fields["tenant"].queryset = tenants
        self.fields["tenant"].label_from_instance = lambda t: f"{t.name} ({t.code})"
        tenant = self._chosen_tenant(tenants)
        self.fields["supplier"].queryset = selectors.supplier_choices(
            user, tenants.filter(pk=tenant.pk) if tenant else tenants.none()
        )

    def _chosen_tenant(self, tenants):
        code = self.data.get("tenant") if self.is_bound else self.initial.get("tenant")
        if not code and tenants.count() == 1:
            return tenants.first()
        return tenants.filter(code=code).first() if code else None

    def clean_supplier(self):
        return self.cleaned_data.get("supplier")

    def full_clean(self):
        # A supplier that is not among the tenant's choices (the tenant was changed) is dropped.
        if self.is_bound and self.data.get("supplier"):
            known = self.fields["supplier"].queryset.filter(pk=_int(self.data.get("supplier")))
            if not known.exists():
                self.data = self.data.copy()
                self.data["supplier"] = ""
        super().full_clean()


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ChargeUploadForm(forms.Form):
    """One supplier's charges file for one period (the second step, posted). The tenant and
    the supplier come from the first step; the profile choices are the supplier's own, the
    last used one preselected. A supplier or profile of another tenant (or supplier) is an
    error that says what to choose. A chosen file survives an error: the view keeps it
    (`kept`) and the form accepts the kept file instead of a new one."""

    tenant = forms.ModelChoiceField(
        queryset=None,
        to_field_name="code",
        label=_("Tenant"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the tenant first."),
            "invalid_choice": _("You may not import for this tenant: choose another one."),
        },
    )
    supplier = SupplierChoiceField(
        queryset=None,
        label=_("Supplier"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the supplier first."),
            "invalid_choice": _(
                "This supplier is not one of the tenants you may import for: choose the "
                "supplier again."
            ),
        },
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
    file = forms.FileField(label=_("File"), help_text=_("CSV or XLSX"), required=False)

    def __init__(self, *args, user, tenant=None, supplier=None, kept_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        tenants = selectors.import_tenants(user)
        self.fields["tenant"].queryset = tenants
        self.fields["supplier"].queryset = selectors.supplier_choices(user, tenants)
        profiles = selectors.profile_choices(user, tenants)
        self.fields["profile"].queryset = profiles
        if supplier is not None:
            self.fields["profile"].choices = [
                ("", self.fields["profile"].empty_label),
                *((p.pk, p.name) for p in profiles.filter(supplier=supplier)),
            ]
        self.keep(kept_name)
        self.fields["period"].initial = last_month()
        if tenant is not None:
            self.fields["tenant"].initial = tenant.code
        if supplier is not None:
            self.fields["supplier"].initial = supplier.pk
            preset = profile_preselected(supplier)
            self.fields["profile"].initial = preset.pk if preset else None

    def keep(self, name: str) -> None:
        """Notes that the file `name` is kept from an earlier try (no new file needed)."""
        self.kept_name = name
        if name:
            text = _(
                "%(name)s is kept from your last try; choose another file only to replace it."
            ) % {"name": name}
            self.fields["file"].help_text = text
            self["file"].help_text = text  # a bound field copies its help text when made

    def clean(self):
        cleaned = super().clean()
        tenant, supplier = cleaned.get("tenant"), cleaned.get("supplier")
        profile = cleaned.get("profile")
        if tenant and supplier and supplier.tenant_id != tenant.pk:
            self.add_error(
                None,
                _(
                    "%(supplier)s is a supplier of %(other)s, not of %(tenant)s: choose the "
                    "supplier again under %(tenant)s."
                )
                % {
                    "supplier": supplier.name,
                    "other": supplier.tenant.name,
                    "tenant": tenant.name,
                },
            )
        elif supplier and profile and profile.supplier_id != supplier.pk:
            self.add_error(
                "profile",
                _(
                    "The mapping profile %(profile)s is for %(owner)s, not for %(supplier)s: "
                    "choose one of %(supplier)s's profiles or none."
                )
                % {
                    "profile": profile.name,
                    "owner": profile.supplier.name,
                    "supplier": supplier.name,
                },
            )
        if not cleaned.get("file") and not self.kept_name:
            self.add_error("file", _("Choose the file to import."))
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
