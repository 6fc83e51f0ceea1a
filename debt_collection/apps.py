from django.apps import AppConfig


class DebtCollectionConfig(AppConfig):
    """Penalties, dunning, debt cases, agent queues, promises, plans, legal documents."""

    name = "debt_collection"
    verbose_name = "Debt Collection"

    def ready(self):
        from debt_collection import models as m
        from warehouse.scoping import ScopePaths, register

        by_account = ScopePaths(tenant="tenant", account="account")
        by_case = ScopePaths(tenant="tenant", account="case__account")
        tenant_wide = ScopePaths(tenant="tenant")
        for model in (m.DebtCase, m.DunningStep, m.DunningState):
            register(model, by_account)
        for model in (m.LegalDocument, m.CourtProceeding):
            register(model, by_case)
        for model in (m.Agency, m.AgencyHandover, m.DocumentTemplate, m.DunningLevel):
            register(model, tenant_wide)
        register(m.CaseEvent, ScopePaths(tenant="case__tenant", account="case__account"))
        register(m.PenaltyRun, tenant_wide)
        register(m.PenaltyAccrual, ScopePaths(tenant="tenant", account="base_item__account"))
        register(
            m.SupplierPenaltySetting, ScopePaths(tenant="supplier__tenant", supplier="supplier")
        )
        register(m.PromiseToPay, by_account)
        register(m.PaymentPlan, by_account)
        register(m.Instalment, ScopePaths(tenant="plan__tenant", account="plan__account"))

        from debt_collection import audit_tracking

        audit_tracking.register()
