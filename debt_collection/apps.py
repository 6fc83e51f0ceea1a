from django.apps import AppConfig


class DebtCollectionConfig(AppConfig):
    """Penalties, dunning, debt cases, agent queues, promises, plans, legal documents."""

    name = "debt_collection"
    verbose_name = "Debt Collection"
