"""The reporting flows' delivery log for staff (every file, how it was sent, each try, resend),
the file downloads, the signed download link a webhook delivery carries, and rotating a
supplier's secret. Suppliers see their own flows in their cabinet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.http import attachment, private_page
from splitting import selectors
from splitting.access import may_settle
from splitting.core.outbox import secret_rotate
from splitting.models import FlowDelivery, FlowDeliveryStatus, FlowFile
from splitting.settlement.flows import content_type, delivery_by_link, flow_delivery_resend
from warehouse.access import staff_required
from warehouse.models import Supplier

FILES_SHOWN = 200


def file_response(record: FlowFile) -> HttpResponse:
    if not record.filename:
        raise Http404
    return attachment(bytes(record.content), record.filename, content_type(record.filename))


@staff_required
def flow_log(request):
    tenants = list(selectors.settlement_tenants(request.user))
    files = (
        FlowFile.objects.filter(tenant__in=tenants)
        .select_related("supplier", "flow", "delivery", "tenant")
        .prefetch_related("delivery__tries")
        .order_by("-created_at", "-pk")
    )
    wanted = request.GET.get("supplier")
    if wanted and wanted.isdigit():
        files = files.filter(supplier_id=int(wanted))
    status = request.GET.get("status")
    if status:
        files = files.filter(delivery__status=status)
    context = {
        "files": files[:FILES_SHOWN],
        "suppliers": Supplier.objects.filter(tenant__in=tenants).order_by("tenant__code", "code"),
        "status": status or "",
        "statuses": FlowDeliveryStatus.choices,
        "supplier": wanted or "",
        "section": "flows",
    }
    return render(request, "splitting/flows/log.html", context)


@login_required
def flow_file_download(request, pk: int):
    record = get_object_or_404(FlowFile, pk=pk)
    may_settle(request.user, record.tenant_id)
    return file_response(record)


@require_POST
@login_required
def flow_delivery_resend_view(request, pk: int):
    delivery = get_object_or_404(FlowDelivery.objects.select_related("file"), pk=pk)
    may_settle(request.user, delivery.tenant_id)
    try:
        flow_delivery_resend(delivery=delivery, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(file)s is queued to be sent again.") % {"file": delivery.file.filename}
        )
    return redirect("flow-log")


def flow_file_link(request, public_id, token: str):
    """The download link of a webhook delivery: the token is the supplier's secret's signature
    of the file; no sign-in."""
    delivery = delivery_by_link(public_id, token)
    if delivery is None:
        raise Http404
    return private_page(file_response(delivery.file))


@require_POST
@login_required
def supplier_secret_rotate_view(request, pk: int):
    """Staff rotate a supplier's secret; the new one is shown once, in the message."""
    supplier = get_object_or_404(Supplier, pk=pk)
    try:
        may_settle(request.user, supplier.tenant_id)
    except PermissionDenied:
        raise Http404 from None
    new = secret_rotate(supplier=supplier, actor=request.user)
    messages.warning(
        request,
        _(
            "The new secret of %(supplier)s, shown this once: %(secret)s — the old one signs "
            "beside it for 24 hours."
        )
        % {"supplier": supplier.name, "secret": new},
    )
    return redirect("flow-log")
