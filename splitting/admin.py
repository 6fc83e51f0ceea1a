from django import forms
from django.contrib import admin

from splitting.models import (
    AllocationRules,
    BankCredit,
    CashDeskPayment,
    CashShift,
    Checkout,
    FrontOffice,
    LedgerAccount,
    Payment,
    PaymentRequest,
    Payout,
    Registry,
    TerminalProcessor,
)
from warehouse.admin import TENANT_FILTER, ReadOnlyAdmin, TenantScopedAdmin, TenantScopedForm


@admin.register(AllocationRules)
class AllocationRulesAdmin(TenantScopedAdmin):
    list_display = ("tenant", "order", "document_first", "allow_explicit_split")
    list_select_related = ("tenant",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "tenant",
        "account",
        "amount",
        "channel",
        "external_id",
        "status",
        "booked_at",
    )
    list_filter = (TENANT_FILTER, "channel", "status")
    list_select_related = ("tenant", "account")
    search_fields = ("external_id", "account__account_number", "document_reference")
    date_hierarchy = "booked_at"


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "tenant", "supplier")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant", "supplier")
    search_fields = ("code",)


@admin.register(Registry)
class RegistryAdmin(ReadOnlyAdmin):
    list_display = ("number", "supplier", "day", "count", "gross", "commission", "net", "status")
    list_filter = (TENANT_FILTER, "status")
    list_select_related = ("supplier",)
    date_hierarchy = "day"


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("end_to_end_id", "supplier", "amount", "created_at")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("supplier",)


class TerminalProcessorForm(TenantScopedForm):
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="the processor's HTTP Basic password; leave empty to keep the current one",
    )

    class Meta:
        model = TerminalProcessor
        fields = (
            "tenant",
            "code",
            "name",
            "code_table",
            "username",
            "allowed_ips",
            "min_amount",
            "max_amount",
            "is_active",
        )

    def clean(self):
        cleaned = super().clean()
        if not self.instance.password_hash and not cleaned.get("password"):
            self.add_error("password", "a new processor needs a password")
        return cleaned

    def save(self, commit=True):
        if self.cleaned_data.get("password"):
            self.instance.set_password(self.cleaned_data["password"])
        return super().save(commit)


@admin.register(TerminalProcessor)
class TerminalProcessorAdmin(TenantScopedAdmin):
    form = TerminalProcessorForm
    list_display = ("code", "name", "tenant", "code_table", "is_active")
    list_filter = (TENANT_FILTER, "code_table", "is_active")
    list_select_related = ("tenant",)


@admin.register(BankCredit)
class BankCreditAdmin(ReadOnlyAdmin):
    list_display = ("bank_reference", "tenant", "amount", "status", "booked_on", "payer_name")
    list_filter = (TENANT_FILTER, "status")
    list_select_related = ("tenant",)
    search_fields = ("bank_reference", "payer_name", "payer_account", "free_text")


@admin.register(FrontOffice)
class FrontOfficeAdmin(TenantScopedAdmin):
    list_display = ("code", "name", "tenant", "return_url_prefix", "is_active")
    list_filter = (TENANT_FILTER, "is_active")
    list_select_related = ("tenant",)


@admin.register(CashShift)
class CashShiftAdmin(ReadOnlyAdmin):
    list_display = ("pk", "tenant", "cashier", "status", "opened_at", "closed_at", "opening_cash")
    list_filter = (TENANT_FILTER, "status")
    list_select_related = ("tenant", "cashier")
    date_hierarchy = "opened_at"


@admin.register(CashDeskPayment)
class CashDeskPaymentAdmin(ReadOnlyAdmin):
    tenant_path = "shift__tenant"
    list_display = ("payment", "shift", "method", "amount", "tendered", "change", "taken_at")
    list_filter = ("method",)
    list_select_related = ("payment", "shift")
    date_hierarchy = "taken_at"


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdmin):
    list_display = ("uid", "tenant", "account", "provider", "amount", "fee", "status", "created_at")
    list_filter = (TENANT_FILTER, "provider", "status")
    list_select_related = ("tenant", "account")
    search_fields = ("provider_id", "reference", "account__account_number")


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyAdmin):
    list_display = ("uid", "front_office", "account", "amount", "status", "created_at")
    list_filter = (TENANT_FILTER, "status")
    list_select_related = ("front_office", "account")
    search_fields = ("external_id", "reference", "account__account_number")
