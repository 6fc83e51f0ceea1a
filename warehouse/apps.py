from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    """The core: tenants, reference data, accounts, charges, imports, open items."""

    name = "warehouse"
    verbose_name = "Warehouse"
