from django.apps import AppConfig


class SplittingConfig(AppConfig):
    """Payment intake, the allocation engine, the ledger, supplier settlements, wallets."""

    name = "splitting"
    verbose_name = "Splitting"
