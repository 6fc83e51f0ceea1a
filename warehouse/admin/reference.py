"""Admin of the reference data: the service classifier, buildings and premises."""

from django.contrib import admin

from warehouse.admin import TENANT_FILTER, TenantScopedAdmin
from warehouse.models import Building, Premises, Service


@admin.register(Service)
class ServiceAdmin(TenantScopedAdmin):
    list_display = ("code", "name", "unit", "tenant")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant",)
    search_fields = ("code", "name")


@admin.register(Building)
class BuildingAdmin(TenantScopedAdmin):
    list_display = ("address", "tenant")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant",)
    search_fields = ("address",)


@admin.register(Premises)
class PremisesAdmin(TenantScopedAdmin):
    list_display = ("__str__", "number", "tenant")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant", "building")
    search_fields = ("building__address", "number")
    autocomplete_fields = ("building",)
