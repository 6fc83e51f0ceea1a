"""Closing a period, confirmed: the page says what the close will do (the suppliers that sent
their charge files and those that did not, the accounts that get a document, the total billed,
the month-end steps still missing) and closes only on a POST that carries `confirm`. A POST
without it — forged, or replayed from an old form — changes nothing and shows the page again;
a replay after the close finds the period closed and issues nothing twice."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.permissions import Permission, allows
from invoicing.services.close_preview import close_preview
from invoicing.services.closing import period_close
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.scoping import role_in, scope

CONFIRM = "yes"


@staff_required
def period_close_confirm(request, code: str, period: str):
    tenant = get_object_or_404(scope(request.user, Tenant), code=code)
    if not allows(role_in(request.user, tenant), Permission.CLOSE_PERIOD):
        messages.error(request, _("Your role may not close periods."))
        return redirect("billing-periods")
    try:
        preview = close_preview(tenant=tenant, period=period)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    allow_missing = request.POST.get("allow_missing") == "on"
    if request.method == "POST":
        if request.POST.get("confirm") != CONFIRM:
            messages.warning(
                request, _("Nothing was closed: confirm the close with the button below.")
            )
        else:
            return _close(request, tenant, period, allow_missing=allow_missing)
    return render(
        request,
        "invoicing/close_confirm.html",
        {
            "preview": preview,
            "tenant": tenant,
            "allow_missing": allow_missing,
            "confirm": CONFIRM,
            "section": "billing",
        },
    )


def _close(request, tenant, period, *, allow_missing):
    try:
        result = period_close(
            tenant=tenant, period=period, actor=request.user, allow_missing=allow_missing
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing-close", code=tenant.code, period=period)
    if result.already_closed:
        messages.info(request, _("Already closed: nothing changed."))
    else:
        messages.success(request, _("Closed: %(n)d documents issued.") % {"n": result.issued})
    if result.documents_late and not result.already_closed:
        messages.warning(
            request,
            _("The documents go out late: the law wants them out by %(day)s.")
            % {"day": f"{result.documents_due_by:%d.%m.%Y}"},
        )
    return redirect("billing-periods")
