"""A small fixed-window rate limiter on Django's cache, for sign-in and code entry.

A window opens at a key's first hit and lasts `window` seconds; once `limit` hits fall into it
the key is blocked until it ends. The cache must be shared by every worker for the limits to
hold across processes (settings.CACHES: Redis when REDIS_URL is set)."""

import hashlib
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

    def hit(self, value: str) -> int:
        """Counts one attempt; returns the attempts in the current window."""
        key = self._key(value)
        if cache.add(key, 1, self.window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, self.window)
            return 1

    def clear(self, value: str) -> None:
        cache.delete(self._key(value))


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


def client_ip(request) -> str:
    """The address the request came from. Behind a proxy, the proxy must set REMOTE_ADDR (e.g.
    gunicorn's --forwarded-allow-ips); X-Forwarded-For is not trusted here."""
    return request.META.get("REMOTE_ADDR") or "unknown"
