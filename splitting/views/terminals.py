"""The terminal processors' endpoint: `GET /api/v1/terminals/<processor>/?command=check|pay…`
answered in the processor's XML. Access: the processor's IP allow-list, then HTTP Basic with
its credentials. Every protocol outcome is an HTTP 200 with its result code; 401/403/404 only
for callers that are not the processor."""

import base64
import binascii

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from integrations.terminals import (
    TABLES,
    RequestError,
    TerminalAnswer,
    parse_request,
    render_answer,
)
from splitting.channels.terminals import terminal_handle
from splitting.models import TerminalProcessor


def _credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return username, password


@require_GET
def terminal_endpoint(request, processor: str):
    found = (
        TerminalProcessor.objects.select_related("tenant")
        .filter(code=processor, is_active=True)
        .first()
    )
    if found is None:
        return HttpResponse("unknown processor", status=404, content_type="text/plain")
    allowed = {line.strip() for line in found.allowed_ips.splitlines() if line.strip()}
    if allowed and request.META.get("REMOTE_ADDR") not in allowed:
        return HttpResponse("address not allowed", status=403, content_type="text/plain")
    given = _credentials(request.headers.get("Authorization", ""))
    if given is None or given[0] != found.username or not found.check_password(given[1]):
        response = HttpResponse("credentials required", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = f'Basic realm="unibill terminals {found.code}"'
        return response
    try:
        parsed = parse_request(request.GET)
    except RequestError as refused:
        answer = TerminalAnswer(refused.outcome, refused.txn_id, comment=str(refused))
    else:
        answer = terminal_handle(processor=found, request=parsed)
    return HttpResponse(
        render_answer(answer, TABLES[found.code_table]), content_type="text/xml; charset=utf-8"
    )
