"""Messages to an account: the SMS provider's delivery-status callback and an account's messages
page for staff (under /staff/collections/, where the agents look for it).

The callback (`POST /api/v1/sms/status`) is Twilio's: it is acted on only when its
`X-Twilio-Signature` is Twilio's signature of the URL Twilio called — the configured
`TWILIO_STATUS_CALLBACK_URL` (behind a proxy the URL we see may differ), else the URL as
received — and of the POSTed parameters. Anything else gets 403 and changes nothing. A status
for a message we do not know is acknowledged (200) and logged: Twilio would otherwise log an
error for every message of another system sharing the account."""

import logging

from django.conf import settings
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from integrations.sms.twilio import signature_valid
from messaging.models import Message
from messaging.services.delivery import sms_status_record
from messaging.tables import MessageTable
from warehouse.access import staff_required
from warehouse.models import Account
from warehouse.selectors import staff_scope

logger = logging.getLogger(__name__)

MESSAGES_PER_PAGE = 50


@csrf_exempt
@require_POST
def sms_status_callback(request):
    url = settings.TWILIO_STATUS_CALLBACK_URL or request.build_absolute_uri()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature_valid(
        auth_token=settings.TWILIO_AUTH_TOKEN, url=url, params=request.POST, signature=signature
    ):
        logger.warning("SMS status callback refused: bad or missing X-Twilio-Signature")
        return HttpResponseForbidden("invalid signature", content_type="text/plain")
    sid = request.POST.get("MessageSid", "").strip()
    status = request.POST.get("MessageStatus", "").strip()
    if not sid or not status:
        return HttpResponseBadRequest("MessageSid and MessageStatus are required")
    message = sms_status_record(
        provider_id=sid, provider_status=status, error_code=request.POST.get("ErrorCode", "")
    )
    if message is None:
        logger.info("SMS status %r for unknown message %s acknowledged", status, sid)
    return HttpResponse(status=200)


@staff_required
@require_GET
def account_messages(request, account_number: str):
    """Every message to one account, newest first. `?tenant=<code>` says whose account it is;
    it may be left out while only one of the user's tenants has that account number."""
    accounts = staff_scope(request.user, Account).filter(account_number=account_number)
    tenant_code = request.GET.get("tenant", "").strip()
    if tenant_code:
        accounts = accounts.filter(tenant__code=tenant_code)
    found = list(accounts.select_related("tenant")[:2])
    if not found:
        raise Http404
    if len(found) > 1:
        return HttpResponseBadRequest(
            _("Several tenants have account %(number)s: add ?tenant=<code>.")
            % {"number": account_number},
            content_type="text/plain; charset=utf-8",
        )
    account = found[0]
    rows = staff_scope(request.user, Message).filter(account=account)
    table = MessageTable(rows)
    RequestConfig(request, paginate={"per_page": MESSAGES_PER_PAGE}).configure(table)
    context = {"account": account, "table": table, "section": "collections"}
    return render(request, "messaging/account.html", context)
