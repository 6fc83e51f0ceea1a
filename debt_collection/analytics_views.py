"""The collections dashboard (`/staff/collections/analytics/?tenant=<code>`): debt by aging
bucket and supplier, collection rate per month, promises kept and broken, recovery per agent
and per stage — each an inline-SVG bar chart (`core.ui.charts`: no script, no external
asset), with the numbers in an XLSX workbook (a sheet per chart).

Any operator staff member of the tenant may look; another tenant's code is a 404."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.ui.charts import bar_chart
from debt_collection.services import analytics
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.selectors import staff_tenant_of, tenants_of


def _tenant(request) -> Tenant:
    return staff_tenant_of(request.user, request.GET.get("tenant"))


def _board(tenant: Tenant) -> analytics.Dashboard:
    as_of = timezone.localdate(timezone=ZoneInfo(tenant.timezone or "UTC"))
    return analytics.dashboard(tenant=tenant, as_of=as_of)


@staff_required
def analytics_page(request):
    tenant = _tenant(request)
    board = _board(tenant)
    charts = [
        {
            "key": "aging",
            "series": board.aging,
            "svg": bar_chart(board.aging, view=tenant, stacked=True),
        },
        {"key": "rate", "series": board.rate, "svg": bar_chart(board.rate, view=tenant)},
        {
            "key": "promises",
            "series": board.promises,
            "svg": bar_chart(board.promises, view=tenant, width=440),
        },
        {
            "key": "agents",
            "series": board.agents,
            "svg": bar_chart(board.agents, view=tenant, width=440),
        },
        {"key": "stages", "series": board.stages, "svg": bar_chart(board.stages, view=tenant)},
    ]
    rate_rows = list(
        zip(
            board.rate.categories,
            board.rate.series["Billed"],
            board.rate.series["Paid"],
            board.rates,
            strict=True,
        )
    )
    aging_totals = [
        sum(values[i] for values in board.aging.series.values())
        for i in range(len(board.aging.categories))
    ]
    context = {
        "tenant": tenant,
        "tenants": tenants_of(request.user),
        "board": board,
        "charts": {c["key"]: c for c in charts},
        "rate_rows": rate_rows,
        "aging_rows": list(zip(board.aging.categories, aging_totals, strict=True)),
        "aging_total": sum(aging_totals),
        "section": "collections",
    }
    return render(request, "debt_collection/analytics/dashboard.html", context)


@staff_required
def analytics_download(request):
    tenant = _tenant(request)
    board = _board(tenant)
    response = HttpResponse(analytics.dashboard_xlsx(board), content_type=XLSX_CONTENT_TYPE)
    name = f"collections-{tenant.code}-{board.as_of:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
