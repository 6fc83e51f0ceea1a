"""Admin of tenants and suppliers: their bank details and tax ids are checked against the
tenant's country profile; a supplier's own service codes are edited inline."""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warehouse.admin import (
    ADD,
    BANK_FIELDSET,
    DELETE,
    TENANT_FILTER,
    TenantScopedAdmin,
    TenantScopedForm,
    TenantScopedInline,
)
from warehouse.countries import country_named
from warehouse.models import Supplier, SupplierFlow, SupplierServiceCode, Tenant
from warehouse.validation import bank_details_errors, inn_error, kpp_error


class BankDetailsForm(TenantScopedForm):
    """Bank details and tax ids checked against the tenant's country profile."""

    def country_profile(self) -> str | None:
        raise NotImplementedError

    def clean_iban(self):
        return (self.cleaned_data.get("iban") or "").replace(" ", "").upper()

    def clean_bic(self):
        return (self.cleaned_data.get("bic") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        profile = self.country_profile()
        if profile:
            self._check_bank_details(profile, cleaned)
            self._check_tax_ids(profile, cleaned)
        return cleaned

    def _check_bank_details(self, profile, cleaned):
        errors = bank_details_errors(
            profile,
            iban=cleaned.get("iban", ""),
            bic=cleaned.get("bic", ""),
            bank_account=cleaned.get("bank_account", ""),
            corr_account=cleaned.get("corr_account", ""),
        )
        country = country_named(profile)
        for field, reason in errors:
            if country.uses_iban and field == "bic" and not cleaned.get("bic"):
                continue  # a BIC is optional with an IBAN (as in tenant_setup)
            self.add_error({"account": "bank_account"}.get(field, field), reason)
        unused = ("bank_account", "corr_account") if country.uses_iban else ("iban",)
        for field in unused:
            if cleaned.get(field):
                self.add_error(
                    field, _("not used by the %(profile)s profile") % {"profile": profile}
                )

    def _check_tax_ids(self, profile, cleaned):
        if not country_named(profile).uses_ru_bank_details:  # INN and KPP are Russian
            return
        inn, kpp = cleaned.get("inn", ""), cleaned.get("kpp", "")
        reason = inn_error(inn)
        if reason:
            self.add_error("inn", reason)
        if kpp or len(inn) == 10:  # a legal entity (10-digit INN) has a KPP
            reason = kpp_error(kpp)
            if reason:
                self.add_error("kpp", reason)


class TenantForm(BankDetailsForm):
    def country_profile(self):
        return self.cleaned_data.get("profile")


class SupplierForm(BankDetailsForm):
    def country_profile(self):
        tenant = self.cleaned_data.get("tenant")
        if tenant is None and self.instance.tenant_id:
            tenant = self.instance.tenant
        return tenant.profile if tenant else None


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    form = TenantForm
    tenant_path = "pk"
    superuser_actions = frozenset({ADD, DELETE})
    list_display = ("code", "name", "profile", "currency", "locale", "due_day")
    search_fields = ("code", "name")
    fieldsets = (
        (None, {"fields": ("code", "name", "profile", "currency", "locale", "timezone")}),
        (
            gettext_lazy("Billing"),
            {"fields": ("due_day", "address", "aging_bounds", "phone_region", "file_encoding")},
        ),
        (gettext_lazy("Tax ids"), {"fields": ("inn", "kpp", "tax_id")}),
        BANK_FIELDSET,
    )


class SupplierServiceCodeInline(TenantScopedInline):
    model = SupplierServiceCode
    fields = ("external_code", "service")


class SupplierFlowInline(TenantScopedInline):
    """The reporting flows of the supplier's contract (docs/settlement.md)."""

    model = SupplierFlow
    parent_tenant_path = "tenant"
    fields = (
        "format",
        "interval",
        "send_empty",
        "delivery",
        "email_to",
        "sftp_host",
        "sftp_port",
        "sftp_user",
        "sftp_password",
        "sftp_directory",
        "sftp_host_key",
        "active",
    )


@admin.register(Supplier)
class SupplierAdmin(TenantScopedAdmin):
    form = SupplierForm
    inlines = [SupplierServiceCodeInline, SupplierFlowInline]
    list_display = ("code", "name", "tenant", "inn", "commission_percent")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant",)
    search_fields = ("code", "name", "inn", "tax_id")
    fieldsets = (
        (None, {"fields": ("tenant", "code", "name")}),
        (gettext_lazy("Tax ids"), {"fields": ("inn", "kpp", "tax_id")}),
        BANK_FIELDSET,
        (
            gettext_lazy("Contract"),
            {
                "fields": (
                    "commission_percent",
                    "commission_fixed",
                    "commission_min",
                    "commission_max",
                )
            },
        ),
        (
            gettext_lazy("Integration"),
            {"fields": ("webhook_url",)},
        ),
    )
