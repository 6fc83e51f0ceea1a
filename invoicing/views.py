"""The personal pay link: `/pay/<token>` works without signing in and shows masked data only
(no address, the payer's name as `I. Iv***`). When the tenant asks for it, the TAN printed on
the document must be entered first; five wrong TANs lock the link for an hour."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.http import private_page
from invoicing.selectors import document_by_pay_token, document_view
from invoicing.services.pay_links import TAN_SESSION_KEY as SESSION_KEY
from invoicing.services.pay_links import mask_name, pay_link_check_tan, tan_locked


@never_cache
@require_http_methods(["GET", "POST"])
def pay_link(request, token: str):
    document = document_by_pay_token(token)
    if document is None:
        raise Http404
    if document.pay_expires_at < timezone.now():
        return _page(request, "invoicing/pay_expired.html", {}, status=410)
    passed = set(request.session.get(SESSION_KEY, []))
    needs_tan = document.tenant.tan_required and document.pk not in passed
    if needs_tan:
        state = ""
        if request.method == "POST":
            state = pay_link_check_tan(document_id=document.pk, tan=request.POST.get("tan", ""))
            if state == "ok":
                request.session[SESSION_KEY] = sorted(passed | {document.pk})
                return redirect(request.path)
        elif tan_locked(document, timezone.now()):
            state = "locked"
        return _page(
            request,
            "invoicing/pay_tan.html",
            {"state": state},
            status=429 if state == "locked" else 200,
        )
    view = document_view(document)
    context = {
        "document": document,
        "view": view,
        "masked_name": mask_name(view.payer_name),
    }
    return _page(request, "invoicing/pay_link.html", context)


def _page(request, template, context, *, status=200):
    return private_page(render(request, template, context, status=status))
