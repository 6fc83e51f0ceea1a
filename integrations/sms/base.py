"""The interface every SMS adapter speaks. Pure: no Django, no models.

An adapter sends one text to one number and says what the provider answered: its id of the
message (a delivery-status callback names it later) and our status word for it. A refusal or an
unreachable provider is an `SmsError` that says whether trying again may help."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Status = Literal["sent", "delivered", "failed"]

# Twilio's message statuses (https://www.twilio.com/docs/messaging/api/message-resource),
# read as ours: accepted by the provider = sent; on the handset = delivered; given up = failed.
_PROVIDER_STATUSES: dict[str, Status] = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


def status_from_provider(provider_status: str) -> Status | None:
    """Our status for a provider's status word; None for one that says nothing about delivery
    (e.g. "receiving" of an inbound message)."""
    return _PROVIDER_STATUSES.get((provider_status or "").strip().lower())


@dataclass(frozen=True)
class SmsResult:
    provider_id: str  # the provider's id of the message (Twilio's "SM…" SID)
    status: Status


class SmsError(Exception):
    """The provider refused the message or could not be reached.

    `retryable`: the same request may succeed later and nothing was sent this time (a 5xx, a
    429, a refused connection). Not retryable: the provider refused it for good (an invalid
    number, bad credentials) — or we cannot tell whether it was accepted (no answer in time),
    where sending again could deliver it twice."""

    def __init__(self, message: str, *, retryable: bool, code: str = ""):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.code = code


class SmsBackend(Protocol):
    name: str

    def send(self, *, to: str, body: str) -> SmsResult:
        """Hands one message to the provider; raises SmsError."""
        ...
