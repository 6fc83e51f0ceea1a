"""The operator's desk pages (staff only): the dashboard, the account search and the account
card. Read-only: each links to the page where the work is done."""

from django.shortcuts import redirect, render
from django_tables2 import RequestConfig

from cabinet.desk import selectors
from cabinet.desk.charts import debt_trend_chart
from cabinet.desk.tables import AccountSearchTable
from warehouse.access import staff_required
from warehouse.selectors import staff_tenant_of, tenants_of

RESULTS_PER_PAGE = 25


@staff_required
def dashboard(request):
    shown, tenants = selectors.dashboard_tenants(request.user, request.GET.get("tenant"))
    boards = [selectors.tenant_board(tenant) for tenant in shown]
    context = {
        "boards": [(board, debt_trend_chart(board)) for board in boards],
        "tenants": tenants,
        "picked": request.GET.get("tenant", ""),
        "section": "desk",
    }
    return render(request, "cabinet/desk/dashboard.html", context)


@staff_required
def account_search(request):
    text = request.GET.get("q", "").strip()
    code = request.GET.get("tenant", "").strip()
    tenant = staff_tenant_of(request.user, code) if code else None
    result = selectors.account_search(request.user, text, tenant=tenant)
    if result.exact is not None and request.GET.get("page") is None:
        return redirect("staff-account-card", result.exact.tenant.code, result.exact.account_number)
    table = AccountSearchTable(result.accounts)
    RequestConfig(request, paginate={"per_page": RESULTS_PER_PAGE}).configure(table)
    context = {
        "table": table,
        "q": text,
        "tenants": tenants_of(request.user),
        "picked": code,
        "section": "accounts",
    }
    return render(request, "cabinet/desk/search.html", context)


@staff_required
def account_card(request, tenant: str, number: str):
    account = selectors.card_account(request.user, tenant, number)
    card = selectors.account_card(account)
    return render(request, "cabinet/desk/account.html", {"card": card, "section": "accounts"})
