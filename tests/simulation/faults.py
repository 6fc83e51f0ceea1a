"""Faults at seeded points: an exception thrown in the middle of a payment's transaction (after
the payment row and its ledger transaction are written, before its open items are cleared),
a Celery task run twice, a task re-delivered after its worker "died" before acknowledging, and
a supplier's webhook endpoint down for days. LEVEL 0 injects none; 1 a few; 2 many."""

import random
from contextlib import ExitStack
from unittest import mock

RATES = {0: 0.0, 1: 0.03, 2: 0.12}


class SimulatedFault(RuntimeError):
    """Thrown by the simulation inside a transaction; the code under test must roll back."""


class Faults:
    def __init__(self, seed: int, level: int):
        self.level = level
        self.rate = RATES[level]
        self.rng = random.Random(f"{seed}:faults")
        self.injected = 0
        self.armed = False
        self._stack = ExitStack()

    def chance(self, factor: float = 1.0) -> bool:
        return self.level > 0 and self.rng.random() < self.rate * factor

    def __enter__(self):
        """Wraps the points where a fault may strike; each strikes only while armed."""
        import splitting.core.payments as payments

        real = payments.open_items_clear

        def open_items_clear(*args, **kwargs):
            if self.armed:
                self.armed = False
                self.injected += 1
                raise SimulatedFault("injected between the ledger posting and the clearings")
            return real(*args, **kwargs)

        self._stack.enter_context(mock.patch.object(payments, "open_items_clear", open_items_clear))
        return self

    def __exit__(self, *exc):
        self._stack.close()
        return False

    def arm(self) -> bool:
        """Arms the mid-transaction fault for the next booking, by chance."""
        self.armed = self.chance(2.0)
        return self.armed

    def disarm(self) -> None:
        self.armed = False
