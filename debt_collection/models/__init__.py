"""Debt collection: penalties, dunning, debt cases and what agents do with them (the messages
they send are messaging's; `CaseMessage` links them to cases).

One module per concern; every model is re-exported here so `debt_collection.models.X` works.
"""

from debt_collection.models.case_messages import CaseMessage
from debt_collection.models.cases import (
    WORKED_STAGES,
    CaseEvent,
    CaseEventKind,
    CaseStage,
    DebtCase,
    SystemNote,
)
from debt_collection.models.contact_limits import ContactKind, ContactLimit
from debt_collection.models.dunning import (
    DunningAction,
    DunningLevel,
    DunningOutcome,
    DunningState,
    DunningStep,
)
from debt_collection.models.legal import (
    Agency,
    AgencyHandover,
    AgencyHandoverLine,
    CourtProceeding,
    DocumentKind,
    DocumentLanguage,
    DocumentTemplate,
    LegalDocument,
    ProceedingStage,
)
from debt_collection.models.penalties import (
    KeyRate,
    LegalSource,
    PenaltyAccrual,
    PenaltyPolicyPeriod,
    PenaltyRecalculation,
    PenaltyRule,
    PenaltyRuleKind,
    PenaltyRun,
    PolicyKind,
    StatutoryRate,
    SupplierPenaltySetting,
)
from debt_collection.models.plans import (
    Instalment,
    PaymentPlan,
    PlanFunding,
    PlanPayment,
    PlanPaymentSource,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from debt_collection.models.settings import CollectionSettings

__all__ = [
    "WORKED_STAGES",
    "KeyRate",
    "LegalSource",
    "PenaltyAccrual",
    "PenaltyRule",
    "PenaltyRuleKind",
    "PenaltyPolicyPeriod",
    "PenaltyRecalculation",
    "PenaltyRun",
    "PolicyKind",
    "StatutoryRate",
    "SupplierPenaltySetting",
    "DunningAction",
    "DunningLevel",
    "DunningOutcome",
    "DunningState",
    "DunningStep",
    "Agency",
    "AgencyHandover",
    "AgencyHandoverLine",
    "CourtProceeding",
    "DocumentKind",
    "DocumentLanguage",
    "DocumentTemplate",
    "LegalDocument",
    "ProceedingStage",
    "Instalment",
    "PaymentPlan",
    "PlanFunding",
    "PlanPayment",
    "PlanPaymentSource",
    "PlanStatus",
    "PromiseStatus",
    "PromiseToPay",
    "CaseEvent",
    "CaseEventKind",
    "CaseMessage",
    "CaseStage",
    "CollectionSettings",
    "ContactKind",
    "ContactLimit",
    "DebtCase",
    "SystemNote",
]
