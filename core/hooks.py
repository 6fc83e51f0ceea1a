"""Typed extension points: how a lower app lets the apps above it take part in its own work
without importing them. The lower app declares a `Hook` with the signature its callers must
have (a `Protocol`) and calls the connected functions at a named place in its code; the
connections are all made in one file, `config/wiring.py`, in the order they run, so every chain
across apps can be read there (and in DESIGN.md). Explicit calls, not signals: the call site is
in plain sight and nothing runs after commit by surprise."""

from collections.abc import Iterator


class Hook[F]:
    """One extension point. `connect` is for `config/wiring.py` only; connecting the same
    function twice is a no-op, so wiring twice (tests, reloads) changes nothing."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._functions: list[F] = []

    def connect(self, function: F) -> F:
        if function not in self._functions:
            self._functions.append(function)
        return function

    def __iter__(self) -> Iterator[F]:
        return iter(tuple(self._functions))

    def __len__(self) -> int:
        return len(self._functions)

    def __repr__(self) -> str:
        names = ", ".join(f"{f.__module__}.{f.__qualname__}" for f in self._functions)
        return f"<Hook {self.name}: {names or 'nothing connected'}>"
