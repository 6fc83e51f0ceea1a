"""The typed boundary of the file transports: what one delivery attempt came to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class DeliveryResult:
    """One attempt to hand a file over (e-mail, SFTP). `ok` is True only when the other side
    accepted the whole file; otherwise `error` says why, in words an operator can act on (the
    delivery log shows it; a failure built without a reason gets `NO_REASON`). `duration_ms` is
    the attempt's wall time, failed ones included."""

    NO_REASON: ClassVar[str] = "failed, no reason given"

    ok: bool
    error: str
    duration_ms: int

    def __post_init__(self) -> None:
        if self.ok and self.error:
            raise ValueError("a successful delivery carries no error")
        if self.duration_ms < 0:
            raise ValueError(f"duration {self.duration_ms} ms is negative")
        if not self.ok and not self.error.strip():
            object.__setattr__(self, "error", self.NO_REASON)
