"""The supplier's reporting flows in its cabinet (/supplier/flows/): what its contract sends, by
which way, every file made (download), the payouts' settlement — what it owes back after
reversals and since when — and its webhook secret, which it may rotate (the new one is shown
once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cabinet.supplier_views import _base, _supplier
from core.http import attachment
from splitting.core.outbox import secret_rotate
from splitting.core.payables import supplier_claims
from splitting.models import FlowFile
from splitting.selectors import supplier_balance
from splitting.settlement.flows import content_type

FILES_SHOWN = 100


@login_required
def flows(request):
    supplier, suppliers = _supplier(request)
    files = (
        FlowFile.objects.filter(supplier=supplier)
        .select_related("flow", "delivery")
        .order_by("-created_at", "-pk")[:FILES_SHOWN]
    )
    claim = next(
        (c for c in supplier_claims(supplier.tenant) if c.supplier.pk == supplier.pk), None
    )
    context = {
        **_base(request, supplier, suppliers, "flows"),
        "flows": supplier.flows.filter(active=True),
        "files": files,
        "balance": supplier_balance(supplier),
        "claim": claim,
    }
    return render(request, "cabinet/supplier/flows.html", context)


@login_required
def flow_file(request, pk: int):
    supplier, _suppliers = _supplier(request)
    record = FlowFile.objects.filter(pk=pk, supplier=supplier).exclude(filename="").first()
    if record is None:
        raise Http404
    return attachment(bytes(record.content), record.filename, content_type(record.filename))


@require_POST
@login_required
def secret_rotate_view(request):
    supplier, _suppliers = _supplier(request)
    new = secret_rotate(supplier=supplier, actor=request.user)
    messages.warning(
        request,
        _(
            "Your new webhook secret, shown this once: %(secret)s — the old one signs beside it "
            "for 24 hours."
        )
        % {"secret": new},
    )
    return redirect("supplier-flows")
