"""A small fixed-window rate limiter on Django's cache, for sign-in and code entry.

A window opens at a key's first hit and lasts `window` seconds; once `limit` hits fall into it
the key is blocked until it ends. The cache must be shared by every worker for the limits to
hold across processes (settings.CACHES: Redis when REDIS_URL is set)."""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: int  # seconds

    def _key(self, value: str) -> str:
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
        return f"cabinet:rl:{self.name}:{digest}"

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


# Failed sign-ins: per client address and per e-mail/phone typed.
SIGN_IN_PER_IP = Limit("signin-ip", limit=20, window=15 * 60)
SIGN_IN_PER_USER = Limit("signin-user", limit=5, window=15 * 60)
# Verification codes typed (right or wrong): per client address and per resident.
CODE_PER_IP = Limit("code-ip", limit=20, window=60 * 60)
CODE_PER_USER = Limit("code-user", limit=10, window=60 * 60)
# Sign-ups and password-reset requests per client address.
SIGN_UP_PER_IP = Limit("signup-ip", limit=10, window=60 * 60)
RESET_PER_IP = Limit("reset-ip", limit=5, window=60 * 60)


def sign_in_blocked(ip: str, login: str) -> bool:
    return SIGN_IN_PER_IP.blocked(ip) or SIGN_IN_PER_USER.blocked(login)


def sign_in_retry_after(ip: str, login: str) -> int:
    """Seconds until a sign-in from `ip` as `login` is let through again (0: it is now)."""
    return max(SIGN_IN_PER_IP.retry_after(ip), SIGN_IN_PER_USER.retry_after(login))


def minutes(seconds: int) -> int:
    """Whole minutes to tell a person to wait, rounded up (never 0 while blocked)."""
    return max(1, math.ceil(seconds / 60))


def client_ip(request) -> str:
    """The address the request came from. Behind a proxy, the proxy must set REMOTE_ADDR (e.g.
    gunicorn's --forwarded-allow-ips); X-Forwarded-For is not trusted here."""
    return request.META.get("REMOTE_ADDR") or "unknown"
