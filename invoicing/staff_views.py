"""Operator pages for billing: periods (and closing one), the documents of a period, one
document as the cabinet shows it, and its PDF, DOCX and the period's print file."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.documents.names import file_stem
from core.http import public_url
from core.permissions import Permission, allows
from invoicing.models import BillingPeriod, PaymentDocument
from invoicing.rendering.docx import render_docx
from invoicing.rendering.html import render_html
from invoicing.rendering.pdf import render_pdf, render_pdfs
from invoicing.selectors import (
    document_view,
    documents_matching,
    documents_of_period,
    paid_states,
    print_order,
)
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.scoping import role_in, scope

WEB_PRINT_LIMIT = 2000  # larger print runs: `render_documents`


class CloseForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=_("Tenant")
    )
    period = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", label=_("Period (YYYY-MM)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = scope(user, Tenant)


def _base_url(request) -> str:
    return public_url("/")


@staff_required
def billing_periods(request):
    periods = (
        scope(request.user, BillingPeriod)
        .select_related("tenant")
        .order_by("tenant__code", "-period")
    )
    form = CloseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        tenant = form.cleaned_data["tenant"]
        if not allows(role_in(request.user, tenant), Permission.CLOSE_PERIOD):
            messages.error(request, _("Your role may not close periods."))
            return redirect("billing-periods")
        # The close itself is confirmed on its own page (`invoicing.close_views`).
        return redirect("billing-close", code=tenant.code, period=form.cleaned_data["period"])
    return render(
        request,
        "invoicing/staff_periods.html",
        {"periods": periods, "form": form, "section": "billing"},
    )


@staff_required
def period_documents(request, code: str, period: str):
    tenant = get_object_or_404(scope(request.user, Tenant), code=code)
    documents = print_order(documents_of_period(tenant, period))
    q = request.GET.get("q", "").strip()
    page = Paginator(documents_matching(documents, q), 50).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    today = timezone.localdate(timezone=ZoneInfo(tenant.timezone or "UTC"))
    states = paid_states(shown, today)  # the cabinet's paid rule (`invoicing.selectors`)
    return render(
        request,
        "invoicing/staff_documents.html",
        {
            "tenant": tenant,
            "period": period,
            "page": page,
            "rows": [(document, states[document.pk]) for document in shown],
            "q": q,
            "total": documents.count() if q else page.paginator.count,
            "section": "billing",
            "print_limit": WEB_PRINT_LIMIT,
        },
    )


def _document(request, pk: int) -> PaymentDocument:
    return get_object_or_404(scope(request.user, PaymentDocument).select_related("tenant"), pk=pk)


@staff_required
def document_detail(request, pk: int):
    document = _document(request, pk)
    view = document_view(document, base_url=_base_url(request))
    return render(
        request,
        "invoicing/staff_document.html",
        {"document": document, "view": view, "rendered": render_html(view), "section": "billing"},
    )


@staff_required
def document_pdf(request, pk: int):
    document = _document(request, pk)
    pdf = render_pdf(document_view(document, base_url=_base_url(request)))
    return _file(pdf, "application/pdf", f"{file_stem(document.number)}.pdf")


@staff_required
def document_docx(request, pk: int):
    document = _document(request, pk)
    docx = render_docx(document_view(document, base_url=_base_url(request)))
    return _file(
        docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{document.number}.docx",
    )


@staff_required
@require_POST
def print_file(request, code: str, period: str):
    tenant = get_object_or_404(scope(request.user, Tenant), code=code)
    documents = print_order(documents_of_period(tenant, period))
    if documents.count() > WEB_PRINT_LIMIT:
        messages.error(request, _("Too many documents for the web: use render_documents."))
        return redirect("billing-documents", code=code, period=period)
    base = _base_url(request)
    pdf = render_pdfs(document_view(d, base_url=base) for d in documents)
    return _file(pdf, "application/pdf", f"{tenant.code}-{period}-print.pdf")


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
