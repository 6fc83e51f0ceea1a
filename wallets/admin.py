"""The wallets' admin: the fee catalogue and the offices (with their systems' API tokens) are
the operator admin's to edit; corporate payers, wallets, coupons and wallet movements are read
only — they change through the wallet services only."""

from django.contrib import admin, messages
from django.utils.html import format_html
from rest_framework.authtoken.models import Token

from wallets.models import CorporatePayer, Coupon, Fee, Office, Wallet, WalletMovement
from wallets.services.offices import office_api_token_issue, office_service_username
from warehouse.admin import (
    ADD,
    CHANGE,
    DELETE,
    TENANT_FILTER,
    VIEW,
    ReadOnlyAdmin,
    TenantScopedAdmin,
)
from warehouse.models import Role

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
