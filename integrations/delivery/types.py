"""The typed boundary of the file transports: what one delivery attempt came to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryResult:
    """One attempt to hand a file over (e-mail, SFTP). `ok` is True only when the other side
    accepted the whole file; otherwise `error` says why, in words an operator can act on (the
    delivery log shows it). `duration_ms` is the attempt's wall time, failed ones included."""

    ok: bool
    error: str
    duration_ms: int

    def __post_init__(self) -> None:
        if self.ok and self.error:
            raise ValueError("a successful delivery carries no error")
        if not self.ok and not self.error:
            raise ValueError("a failed delivery says why")
        if self.duration_ms < 0:
            raise ValueError(f"duration {self.duration_ms} ms is negative")
