"""The change history page (/staff/audit/): who changed which field of which row, from what to
what, with filters and the filtered rows as XLSX. Operator staff see their tenants' rows and
the rows of no tenant (the countries' legal rows); a superuser sees all
(`warehouse.audit_history.changes_visible`)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_tables2 import RequestConfig

from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.ui.forms import form_errors
from warehouse.access import staff_required
from warehouse.audit_filters import AuditChangeFilter
from warehouse.audit_history import changes_visible
from warehouse.audit_tables import AuditChangeTable, changes_xlsx

CHANGES_PER_PAGE = 50
EXPORT_LIMIT = 20_000


@staff_required
def audit_changes(request):
    filterset = AuditChangeFilter(
        request.GET or None, queryset=changes_visible(request.user), request=request
    )
    table = AuditChangeTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": CHANGES_PER_PAGE}).configure(table)
    context = {
        "filter": filterset,
        "table": table,
        "query": request.GET.urlencode(),
        "export_limit": EXPORT_LIMIT,
        "section": "audit",
    }
    return render(request, "warehouse/audit/list.html", context)


@staff_required
def audit_changes_xlsx(request):
    """The page's rows (its filters), newest first, up to `EXPORT_LIMIT`."""
    filterset = AuditChangeFilter(
        request.GET, queryset=changes_visible(request.user), request=request
    )
    if not filterset.is_valid():
        return HttpResponse(form_errors(filterset.form), status=400, content_type="text/plain")
    rows = filterset.qs.order_by("-at", "-pk")[:EXPORT_LIMIT]
    response = HttpResponse(changes_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    name = f"change-history-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
