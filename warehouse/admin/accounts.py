"""Admin of personal accounts, the suppliers' account numbers linked to them, and the
residents who hold them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from warehouse.admin import TENANT_FILTER, TenantScopedAdmin, TenantScopedInline
from warehouse.models import Account, AccountHolder, AccountLink


class AccountLinkInline(TenantScopedInline):
    model = AccountLink
    fields = ("supplier", "external_number")


@admin.register(Account)
class AccountAdmin(TenantScopedAdmin):
    inlines = [AccountLinkInline]
    list_display = ("account_number", "payer_name", "premises", "tenant", "is_active")
    list_filter = (TENANT_FILTER, "is_active")
    list_select_related = ("tenant", "premises__building")
    search_fields = ("account_number", "payer_name")
    autocomplete_fields = ("premises",)
    fieldsets = (
        (None, {"fields": ("tenant", "account_number", "premises", "payer_name")}),
        (
            gettext_lazy("Contact and consent"),
            {"fields": ("phone", "email", "sms_consent", "email_consent")},
        ),
        (
            gettext_lazy("Billing"),
            {
                "fields": (
                    "area_m2",
                    "residents",
                    "delivery_route",
                    "verification_code",
                    "is_active",
                )
            },
        ),
    )


@admin.register(AccountLink)
class AccountLinkAdmin(TenantScopedAdmin):
    list_display = ("external_number", "supplier", "account", "tenant")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant", "supplier", "account")
    search_fields = ("external_number", "account__account_number")
    autocomplete_fields = ("account",)


@admin.register(AccountHolder)
class AccountHolderAdmin(TenantScopedAdmin):
    tenant_path = "account__tenant"
    list_display = ("user", "account", "linked_at")
    list_select_related = ("user", "account")
    search_fields = ("user__username", "account__account_number")
    autocomplete_fields = ("account",)
