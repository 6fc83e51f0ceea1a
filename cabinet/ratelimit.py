"""The cabinet's limits on sign-in, sign-up, password reset and code entry: fixed windows in
Django's cache, counted by `core.ratelimit.CacheLimit` (the one rate-limit mechanism)."""

from core.ratelimit import CacheLimit, minutes

__all__ = [
    "CODE_PER_IP",
    "CODE_PER_USER",
    "RESET_PER_IP",
    "SIGN_IN_PER_IP",
    "SIGN_IN_PER_USER",
    "SIGN_UP_PER_IP",
    "Limit",
    "client_ip",
    "minutes",
    "sign_in_blocked",
    "sign_in_retry_after",
]


class Limit(CacheLimit):
    """A cabinet limit: its keys stay under `cabinet:rl:` (the counts held across a deploy)."""

    prefix = "cabinet:rl"


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


def client_ip(request) -> str:
    """The address the request came from. Behind a proxy, the proxy must set REMOTE_ADDR (e.g.
    gunicorn's --forwarded-allow-ips); X-Forwarded-For is not trusted here."""
    return request.META.get("REMOTE_ADDR") or "unknown"
