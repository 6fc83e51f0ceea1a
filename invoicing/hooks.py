"""Invoicing's extension points (`core.hooks.Hook`), connected in `config/wiring.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from core.hooks import Hook

if TYPE_CHECKING:
    from warehouse.models import Tenant


class CloseRefusal(Protocol):
    def __call__(self, *, tenant: Tenant, period: str) -> str | None: ...


close_checks: Hook[CloseRefusal] = Hook(
    "invoicing.close_checks",
    "Asked before a period is closed: each returns why it may not be closed yet (a step of "
    "month-end owned by an app above, such as the penalty run) or None.",
)


def close_refusals(*, tenant: Tenant, period: str) -> list[str]:
    return [
        reason
        for check in close_checks
        if (reason := check(tenant=tenant, period=period)) is not None
    ]
