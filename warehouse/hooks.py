"""Extension points of warehouse operations for the apps that build on it.

Warehouse may not import the apps above it, yet some of their bookkeeping must happen inside
warehouse's own transaction: when charges post, splitting books them in the ledger and applies
the account advances the new charges can use. An app registers a function here from its
`AppConfig.ready()`; warehouse calls every registered function, in order, inside the posting
transaction, so a failure rolls the whole posting back. Explicit calls, not signals: the call
site is in plain sight and nothing runs after commit by surprise.
"""

from collections.abc import Callable

_charges_posted: list[Callable[..., None]] = []


def on_charges_posted(function: Callable[..., None]) -> Callable[..., None]:
    """Registers `function(*, batch)`: called after a batch's charges and open items have been
    written (and an earlier version's rows replaced), in the same transaction."""
    if function not in _charges_posted:
        _charges_posted.append(function)
    return function


def charges_posted(*, batch) -> None:
    for function in _charges_posted:
        function(batch=batch)


_period_closing: list[Callable[..., None]] = []


def on_period_closing(function: Callable[..., None]) -> Callable[..., None]:
    """Registers `function(*, tenant, period, actor)`: called by `period_lock` inside its
    transaction when it is about to lock the period (never for one already locked), before the
    lock is written — e.g. debt collection charges the period's penalties here."""
    if function not in _period_closing:
        _period_closing.append(function)
    return function


def period_closing(*, tenant, period: str, actor=None) -> None:
    for function in _period_closing:
        function(tenant=tenant, period=period, actor=actor)
