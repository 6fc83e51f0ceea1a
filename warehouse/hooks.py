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


_home_resolvers: list[Callable[..., str | None]] = []


def on_home(function: Callable[..., str | None]) -> Callable[..., str | None]:
    """Registers `function(user) -> url name | None`: where a signed-in user who is neither
    staff, a supplier's user nor a resident belongs (a corporate payer's people, an office's
    clerks); the first name given wins."""
    if function not in _home_resolvers:
        _home_resolvers.append(function)
    return function


def home_for(user) -> str | None:
    for function in _home_resolvers:
        name = function(user)
        if name:
            return name
    return None


_sign_in_checks: list[Callable[..., str | None]] = []


def on_sign_in_check(function: Callable[..., str | None]) -> Callable[..., str | None]:
    """Registers `function(request, username) -> message | None`: a reason to refuse a staff
    sign-in before the password is checked (the cabinet's rate limit says how long to wait)."""
    if function not in _sign_in_checks:
        _sign_in_checks.append(function)
    return function


def sign_in_refusal(request, username: str) -> str | None:
    for function in _sign_in_checks:
        message = function(request, username)
        if message:
            return message
    return None
