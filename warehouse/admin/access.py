"""Admin of who may do what: people (superusers only), their memberships (roles granted by
operator admins only) and the audit log (read-only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy

from warehouse.admin import ROLE_ACTIONS, TENANT_FILTER, VIEW, TenantScopedAdmin
from warehouse.models import AuditEvent, Membership, Role, User


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    # Roles are granted by operator admins only: an accountant must not promote themselves.
    role_actions = {
        Role.OPERATOR_ADMIN: ROLE_ACTIONS[Role.OPERATOR_ADMIN],
        Role.ACCOUNTANT: frozenset({VIEW}),
        Role.COLLECTOR: frozenset({VIEW}),
    }
    list_display = ("user", "tenant", "role", "supplier")
    list_filter = (TENANT_FILTER, "role")
    list_select_related = ("user", "tenant", "supplier")
    search_fields = ("user__username", "user__email")


@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    """The audit log is read-only, for everyone."""

    list_display = ("created_at", "action", "tenant", "actor")
    list_filter = (TENANT_FILTER, "action")
    list_select_related = ("tenant", "actor")
    search_fields = ("action",)
    readonly_fields = ("created_at", "tenant", "actor", "action", "detail")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People are managed by superusers only; roles are granted through memberships."""

    fieldsets = (*DjangoUserAdmin.fieldsets, (gettext_lazy("Contact"), {"fields": ("phone",)}))

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request)
