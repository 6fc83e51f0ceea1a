"""The debt-collection rows whose changes the change history records
(`warehouse.audit_history`): a tenant's policy — its dunning levels, collection settings,
suppliers' penalty settings, collection agencies and the texts of its legal documents — and the
countries' legal rows (penalty rules, key and statutory rates, policy periods such as
moratoria, contact limits), which belong to no tenant. `register()` is called once from
`DebtCollectionConfig.ready()`.

Not tracked: cases, dunning steps and states, penalty accruals and runs, plans and promises.
Services and the nightly runs write those (steps 200,000 at a time, with `bulk_create`), and
each has its own event or audit row."""

from warehouse.audit_history import track


def register() -> None:
    from debt_collection.models import (
        Agency,
        CollectionSettings,
        ContactLimit,
        DocumentTemplate,
        DunningLevel,
        KeyRate,
        PenaltyPolicyPeriod,
        PenaltyRule,
        StatutoryRate,
        SupplierPenaltySetting,
    )

    for model in (DunningLevel, CollectionSettings, Agency):
        track(model)
    track(SupplierPenaltySetting, tenant_path="supplier__tenant")
    # A tenant's own text, or (no tenant) the default every tenant starts from.
    track(DocumentTemplate, fields=("title", "body", "updated_by"))
    for model in (PenaltyRule, KeyRate, PenaltyPolicyPeriod, StatutoryRate, ContactLimit):
        track(model, tenant_path=None)
