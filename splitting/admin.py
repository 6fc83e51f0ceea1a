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


# --- wallets and coupons ----------------------------------------------------------------------
from django.contrib import messages  # noqa: E402
from django.utils.html import format_html  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from splitting.wallets.models import (  # noqa: E402
    CorporatePayer,
    Coupon,
    Fee,
    Office,
    Wallet,
    WalletMovement,
)
from splitting.wallets.services import (  # noqa: E402
    office_api_token_issue,
    office_service_username,
)
from warehouse.admin import ADD, CHANGE, DELETE, VIEW  # noqa: E402
from warehouse.models import Role  # noqa: E402

# The fee catalogue and the offices are the operator admin's to edit; others look.
CATALOGUE_ACTIONS = {
    Role.OPERATOR_ADMIN: frozenset({VIEW, ADD, CHANGE, DELETE}),
    Role.ACCOUNTANT: frozenset({VIEW}),
    Role.COLLECTOR: frozenset({VIEW}),
}

OFFICE_API_HELP = (
    "How an office's own system verifies and redeems coupons: select the office in the list and "
    "run “Issue a new API token”; the token is shown once. The system sends "
    "“Authorization: Token TOKEN” with GET /api/v1/coupons/NUMBER and "
    "POST /api/v1/coupons/NUMBER/redeem (body: case_reference). It acts as the office's "
    "service user (office-TENANT-OFFICE, a clerk of the office without a password) and sees "
    "only the coupons of this office's fees. A new token replaces the old one at once."
)


@admin.register(Office)
class OfficeAdmin(TenantScopedAdmin):
    role_actions = CATALOGUE_ACTIONS
    list_display = ("code", "name", "tenant", "supplier", "active", "api_access")
    list_filter = (TENANT_FILTER, "active")
    list_select_related = ("tenant", "supplier")
    search_fields = ("code", "name")
    filter_horizontal = ("users",)
    readonly_fields = ("api_access",)
    fieldsets = (
        (None, {"fields": ("tenant", "code", "name", "supplier", "active", "users")}),
        (
            "API access of the office's system",
            {"fields": ("api_access",), "description": OFFICE_API_HELP},
        ),
    )
    actions = ("issue_api_token",)

    @admin.display(description="API access")
    def api_access(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        token = (
            Token.objects.filter(user__username=office_service_username(obj))
            .select_related("user")
            .first()
        )
        if token is None:
            return "no API token"
        return format_html(
            "token of {} issued {}, starting {}…",
            token.user.username,
            f"{token.created:%Y-%m-%d %H:%M}",
            token.key[:4],
        )

    @admin.action(description="Issue a new API token (replaces the old one)")
    def issue_api_token(self, request, queryset):
        for office in queryset.select_related("tenant"):
            if not self.allowed(request, CHANGE, [office.tenant_id]):
                messages.error(request, f"{office}: your role does not allow this.")
                continue
            key = office_api_token_issue(office=office, actor=request.user)
            messages.warning(
                request,
                f"{office} ({office_service_username(office)}): new API token {key} — copy it "
                "now, it is not shown again in full.",
            )


@admin.register(Fee)
class FeeAdmin(TenantScopedAdmin):
    role_actions = CATALOGUE_ACTIONS
    list_display = ("code", "name", "tenant", "amount", "office", "validity_days", "active")
    list_filter = (TENANT_FILTER, "active")
    list_select_related = ("tenant", "office")
    search_fields = ("code", "name")


@admin.register(CorporatePayer)
class CorporatePayerAdmin(ReadOnlyAdmin):
    list_display = ("name", "tax_id", "tenant", "contact_email", "created_at")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant",)
    search_fields = ("name", "tax_id")


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("payer", "currency", "funding_reference", "available", "blocked", "spent")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("payer",)
    search_fields = ("funding_reference", "payer__name", "payer__tax_id")


@admin.register(Coupon)
class CouponAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "fee", "office", "amount", "status", "expires_at", "used_at")
    list_filter = (TENANT_FILTER, "status")
    list_select_related = ("fee", "office")
    search_fields = ("identifier", "case_reference")
    date_hierarchy = "issued_at"


@admin.register(WalletMovement)
class WalletMovementAdmin(ReadOnlyAdmin):
    tenant_path = "wallet__tenant"
    list_display = ("at", "wallet", "kind", "amount", "available_after", "blocked_after")
    list_filter = ("kind",)
    list_select_related = ("wallet__payer",)
    date_hierarchy = "at"
