from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    """The core: tenants, reference data, accounts, charges, imports, open items."""

    name = "warehouse"
    verbose_name = "Warehouse"

    def ready(self):
        from warehouse import audit_history
        from warehouse.models import (
            AuditChange,
            CalendarDay,
            DueDateRule,
            MappingProfile,
            Membership,
            Supplier,
            SupplierFlow,
            Tenant,
        )
        from warehouse.scoping import ScopePaths, register

        register(AuditChange, ScopePaths(tenant="tenant"))

        # The change history (warehouse.audit_history): who changed what, from what to what.
        track = audit_history.track
        track(Tenant, tenant_path="pk")
        track(Supplier, secret_fields=("webhook_secret", "webhook_secret_previous"))
        track(SupplierFlow, tenant_path="supplier__tenant", secret_fields=("sftp_password",))
        track(Membership)
        # sql_url may carry a database password (user:password@host): a secret.
        track(MappingProfile, secret_fields=("sql_url",))
        track(DueDateRule, tenant_path=None)
        track(CalendarDay, tenant_path=None)
