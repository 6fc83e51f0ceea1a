"""Where a form goes back to: the `next` a page passed along, when it is ours."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, target: str) -> str:
    """The `next` of the request (POST first, then the query string) when it points to this
    site — a path, or a URL on the request's own host, https when the request is — else
    `target` (a URL name or a path). A `next` to another site is refused, so a crafted link
    cannot send a signed-in user on to a look-alike page (an open redirect)."""
    given = request.POST.get("next") or request.GET.get("next") or ""
    if given and url_has_allowed_host_and_scheme(
        given, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return given
    return resolve_url(target)
