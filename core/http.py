"""Response headers shared by the pages a payer reaches through a link (pay links, checkout
results, front-office payment requests), and the file download every page answers with."""


def private_page(response):
    """A page behind a secret link: kept out of search engines, and its address (the token is in
    the path) never sent to another site. "same-origin", not "no-referrer": with no-referrer
    Chromium posts the page's own forms with `Origin: null`, and Django's CSRF check refuses
    them (403), so a pay link with a TAN form would be dead in every Chromium-based browser."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def attachment(content: bytes, filename: str, content_type: str):
    """A file download: `content` as `filename`."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def public_url(path: str = "/") -> str:
    """The absolute address of `path` (a path on this site, "/…") as printed or sent outside:
    in bills, messages, the links given to a payment provider. Built from the one
    `settings.PUBLIC_BASE_URL` (derived from HOST and PORT in the demo), never from the request,
    whose host a proxy or a client may change. `public_url("")` is the base itself (no slash)."""
    from django.conf import settings

    if path and not path.startswith("/"):
        raise ValueError(f"{path!r} is not a path on this site")
    return settings.PUBLIC_BASE_URL.rstrip("/") + path
