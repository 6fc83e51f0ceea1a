"""The staff sign-in page's rate-limit message, asked by `config.portal`'s sign-in form, so
that a sign-in held back by the limit (cabinet.ratelimit, counted by cabinet.auth_backends) says
so and for how long — Django's own form would only say the password is wrong."""

from django.utils.translation import ngettext

from cabinet import ratelimit


def too_many(seconds: int) -> str:
    n = ratelimit.minutes(seconds)
    return ngettext(
        "Too many sign-in attempts. Try again in %(minutes)d minute.",
        "Too many sign-in attempts. Try again in %(minutes)d minutes.",
        n,
    ) % {"minutes": n}


def rate_limit_refusal(request, username: str) -> str | None:
    wait = ratelimit.sign_in_retry_after(ratelimit.client_ip(request), username)
    return too_many(wait) if wait else None
