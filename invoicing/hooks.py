"""Invoicing's extension points (`core.hooks.Hook`), connected in `config/wiring.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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


class UnusedAdvances(Protocol):
    def __call__(
        self, *, tenant: Tenant, account_ids: list[int], as_of: dt.datetime
    ) -> Mapping[int, int]: ...


unused_advances: Hook[UnusedAdvances] = Hook(
    "invoicing.unused_advances",
    "Asked while documents are issued: each returns the accounts' money on advance as at "
    "`as_of` (the close), by account id, in minor units — payments not yet applied to any "
    "charge, which the app that takes payments (splitting) keeps. The document shows it and "
    "takes it off what is to pay.",
)


def advances_of(*, tenant: Tenant, account_ids: list[int], as_of: dt.datetime) -> dict[int, int]:
    """The accounts' unused advances as at `as_of`, summed over every connected source (none
    connected: no advances)."""
    totals: dict[int, int] = {}
    for source in unused_advances:
        for account_id, amount in source(
            tenant=tenant, account_ids=account_ids, as_of=as_of
        ).items():
            if amount:
                totals[account_id] = totals.get(account_id, 0) + int(amount)
    return totals
