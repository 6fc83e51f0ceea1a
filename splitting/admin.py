from django.contrib import admin

from splitting.models import AllocationRules, LedgerAccount, Payment, Payout, Registry
from warehouse.admin import TENANT_FILTER, ReadOnlyAdmin, TenantScopedAdmin


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
