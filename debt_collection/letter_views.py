"""Printing letters: the tenant's queued letters as one DOCX (they count as sent then), and any
letter again on its own. Collectors and operator admins print; accountants look."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from debt_collection import selectors
from debt_collection.services.dunning.defaults import message_language
from debt_collection.services.letters import letters_docx, letters_print, letters_queued
from messaging.models import Message, MessageChannel
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.selectors import staff_scope

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LISTED = 200


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def letter_queue(request):
    tenants = list(staff_scope(request.user, Tenant).order_by("name"))
    rows = []
    for tenant in tenants:
        queued = letters_queued(tenant)
        rows.append(
            {
                "tenant": tenant,
                "count": queued.count(),
                "letters": list(queued[:LISTED]),
                "may_print": selectors.can_work_cases(request.user, tenant),
                "language": message_language(tenant),  # the letters' own, not the page's
            }
        )
    context = {"rows": rows, "listed": LISTED, "section": "collections"}
    return render(request, "debt_collection/letters/queue.html", context)


@require_POST
@staff_required
def letters_print_view(request):
    tenant = staff_scope(request.user, Tenant).filter(code=request.POST.get("tenant", "")).first()
    if tenant is None:
        raise Http404
    if not selectors.can_work_cases(request.user, tenant):
        raise PermissionDenied
    content, count = letters_print(tenant=tenant, actor=request.user)
    if not count:
        messages.info(request, _("No letter is waiting to be printed."))
        return redirect(reverse("letter-queue"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _docx(content, f"letters-{tenant.code}-{stamp}.docx")


@staff_required
def letter_download(request, pk: int):
    message = (
        staff_scope(request.user, Message)
        .filter(pk=pk, channel=MessageChannel.LETTER)
        .select_related("tenant", "account__premises__building")
        .first()
    )
    if message is None:
        raise Http404
    content = letters_docx([message], on=timezone.localdate(message.sent_at or message.created_at))
    return _docx(content, f"letter-{message.pk}.docx")
