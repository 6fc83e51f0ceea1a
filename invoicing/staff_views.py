"""Operator pages for billing: periods (and closing one), the documents of a period, one
document as the cabinet shows it, and its PDF, DOCX and the period's print file."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.documents.names import file_stem
from core.errors import ApplicationError
from core.permissions import Permission, allows
from invoicing.models import BillingPeriod, PaymentDocument
from invoicing.rendering.docx import render_docx
from invoicing.rendering.html import render_html
from invoicing.rendering.pdf import render_pdf, render_pdfs
from invoicing.selectors import document_view, documents_of_period, print_order
from invoicing.services.closing import period_close
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.scoping import role_in, scope

WEB_PRINT_LIMIT = 2000  # larger print runs: `render_documents`


class CloseForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=_("Tenant")
    )
    period = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", label=_("Period (YYYY-MM)"))
    allow_missing = forms.BooleanField(
        required=False, label=_("Close without suppliers that sent nothing")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = scope(user, Tenant)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


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
        try:
            result = period_close(
                tenant=tenant,
                period=form.cleaned_data["period"],
                actor=request.user,
                allow_missing=form.cleaned_data["allow_missing"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Already closed: nothing changed.")
                if result.already_closed
                else _("Closed: %(n)d documents issued.") % {"n": result.issued},
            )
            if result.documents_late:
                messages.warning(
                    request,
                    _("The documents go out late: the law wants them out by %(day)s.")
                    % {"day": f"{result.documents_due_by:%d.%m.%Y}"},
                )
        return redirect("billing-periods")
    return render(
        request,
        "invoicing/staff_periods.html",
        {"periods": periods, "form": form, "section": "billing"},
    )


@staff_required
def period_documents(request, code: str, period: str):
    tenant = get_object_or_404(scope(request.user, Tenant), code=code)
    documents = print_order(documents_of_period(tenant, period))
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "invoicing/staff_documents.html",
        {
            "tenant": tenant,
            "period": period,
            "page": page,
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
