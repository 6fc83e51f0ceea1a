"""Debt collection: penalties, dunning, messages, debt cases and what agents do with them.

One module per concern; every model is re-exported here so `debt_collection.models.X` works.
"""

from debt_collection.models.cases import CaseEvent, CaseEventKind, CaseStage, DebtCase
from debt_collection.models.messages import Message, MessageChannel, MessageStatus
from debt_collection.models.settings import CollectionSettings

__all__ = [
    "CaseEvent",
    "CaseEventKind",
    "CaseStage",
    "CollectionSettings",
    "DebtCase",
    "Message",
    "MessageChannel",
    "MessageStatus",
]
