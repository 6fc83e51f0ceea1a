"""Too many attempts lock: the one mechanism behind every limit of the system — sign-in, sign-up,
password reset and code entry (cabinet), linking an account with the code on the bill
(cabinet), and the TAN of a pay link (invoicing).

A `Lockout` is the policy: `attempts` within `window` lock. Each limit keeps its attempts where
it must, and asks the policy what they mean:

- `CacheLimit` — a fixed window in Django's cache: the window opens at a key's first attempt
  and lasts `window` seconds; once `limit` attempts fall into it the key is blocked until it
  ends. The cache must be shared by every worker for the limits to hold across processes
  (settings.CACHES: Redis when REDIS_URL is set);
- `Lockout.until_of_log` — a log of attempts in the database (rows with their time), so that a
  lock survives a restart: a sliding window, locked until the oldest of the last `attempts`
  leaves it;
- `Lockout.after_failure` — a counter and a lock date on the row the attempts are against: the
  `attempts`-th failure locks for `window` and the count starts again.

`minutes()` says a wait to a person."""

import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from django.core.cache import cache


@dataclass(frozen=True)
class Lockout:
    attempts: int
    window: timedelta

    def since(self, now: datetime) -> datetime:
        """The start of the window that ends at `now`: older attempts no longer count."""
        return now - self.window

    def until_of_log(self, recent: Sequence[datetime]) -> datetime | None:
        """When a log of attempts opens again; None when it is open. `recent`: the newest
        attempts inside the window, newest first (no more than `attempts` are needed)."""
        if len(recent) < self.attempts:
            return None
        return recent[self.attempts - 1] + self.window

    def after_failure(self, failures: int, now: datetime) -> tuple[int, datetime | None]:
        """A counter's next state after one more failure: (failures, locked until or None)."""
        failures += 1
        if failures >= self.attempts:
            return 0, now + self.window
        return failures, None

    @staticmethod
    def locked(until: datetime | None, now: datetime) -> bool:
        return until is not None and until > now


@dataclass(frozen=True)
class CacheLimit:
    name: str
    limit: int
    window: int  # seconds
    prefix: ClassVar[str] = "rl"  # the cache keys' namespace

    def _key(self, value: str) -> str:
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
        return f"{self.prefix}:{self.name}:{digest}"

    def blocked(self, value: str) -> bool:
        return (cache.get(self._key(value)) or 0) >= self.limit

    def retry_after(self, value: str) -> int:
        """Seconds until a blocked key's window ends; 0 when the key is not blocked."""
        key = self._key(value)
        found = cache.get_many([key, f"{key}:until"])
        if (found.get(key) or 0) < self.limit:
            return 0
        until = found.get(f"{key}:until")
        if until is None:  # counted before windows kept their end: assume a whole window
            return self.window
        return min(self.window, max(1, math.ceil(until - time.time())))

    def hit(self, value: str) -> int:
        """Counts one attempt; returns the attempts in the current window."""
        key = self._key(value)
        if self._open(key):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            self._open(key)
            return 1

    def _open(self, key: str) -> bool:
        """Starts a window with its first hit (False when one is running), noting its end."""
        if not cache.add(key, 1, self.window):
            return False
        cache.set(f"{key}:until", time.time() + self.window, self.window)
        return True

    def clear(self, value: str) -> None:
        key = self._key(value)
        cache.delete_many([key, f"{key}:until"])


def minutes(seconds: int) -> int:
    """Whole minutes to tell a person to wait, rounded up (never 0 while blocked)."""
    return max(1, math.ceil(seconds / 60))
