"""The cabinet's models, one module per area, all re-exported here."""

# residents (helper C1)
from cabinet.models.residents import LinkFailure  # noqa: E402

__all__ = [*globals().get("__all__", []), "LinkFailure"]

# C3: meter readings and requests
from cabinet.models.readings import (  # noqa: E402
    CabinetSettings,
    Meter,
    MeterReading,
    ReadingSource,
    ReadingStatus,
)
from cabinet.models.requests import (  # noqa: E402
    RequestAttachment,
    RequestEvent,
    RequestEventKind,
    RequestKind,
    RequestMessage,
    RequestStatus,
    ServiceRequest,
)

__all__ = [  # noqa: F405
    *globals().get("__all__", []),
    "CabinetSettings",
    "Meter",
    "MeterReading",
    "ReadingSource",
    "ReadingStatus",
    "RequestAttachment",
    "RequestEvent",
    "RequestEventKind",
    "RequestKind",
    "RequestMessage",
    "RequestStatus",
    "ServiceRequest",
]

# C4: notifications
from cabinet.models.notifications import (  # noqa: E402
    PREFERENCE_DEFAULTS,
    ConsentWithdrawal,
    NotificationChannel,
    NotificationCursor,
    NotificationKind,
    NotificationPreference,
    NotificationSent,
    Reminder,
)

__all__ = [  # noqa: F405
    *globals().get("__all__", []),
    "PREFERENCE_DEFAULTS",
    "ConsentWithdrawal",
    "NotificationChannel",
    "NotificationCursor",
    "NotificationKind",
    "NotificationPreference",
    "NotificationSent",
    "Reminder",
]
