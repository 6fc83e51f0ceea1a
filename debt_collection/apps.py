from django.apps import AppConfig


class DebtCollectionConfig(AppConfig):
    """Penalties, dunning, debt cases, agent queues, promises, plans, legal documents."""

    name = "debt_collection"
    verbose_name = "Debt Collection"

    def ready(self):
        from debt_collection.models import CaseEvent, DebtCase, Message
        from warehouse.scoping import ScopePaths, register

        register(DebtCase, ScopePaths(tenant="tenant", account="account"))
        register(CaseEvent, ScopePaths(tenant="case__tenant", account="case__account"))
        register(Message, ScopePaths(tenant="tenant", account="account"))
