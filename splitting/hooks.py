"""Extension points of splitting for the apps built on it (they may import splitting, not the
other way round). A bank credit may quote a reference that is not a payment document's — an
instalment of a payment plan, say — and only the app that issued it knows whose it is: it
registers a resolver here from its `AppConfig.ready()`, and the statement matcher asks it when no
document's reference fits."""

from collections.abc import Callable

_resolvers: list[Callable[..., object]] = []


def on_reference(function: Callable[..., object]) -> Callable[..., object]:
    """Registers `function(*, tenant, reference) -> Account | None` (`reference` compact and
    upper-case); the first resolver that names an account wins."""
    if function not in _resolvers:
        _resolvers.append(function)
    return function


def reference_account(*, tenant, reference: str):
    for function in _resolvers:
        account = function(tenant=tenant, reference=reference)
        if account is not None:
            return account
    return None
