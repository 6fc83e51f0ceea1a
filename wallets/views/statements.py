"""The corporate payer's money: the funding page (the reference to quote, the transfers
received) and its printable instruction, the reports (coupons per state, spending per month,
the wallet's statement for a period) and the statement's downloads as PDF or XLSX."""

from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.documents.xlsx import XLSX_CONTENT_TYPE
from invoicing.references import format_reference
from wallets import reports as wallet_reports
from wallets import selectors
from wallets.documents.funding import funding_instruction_pdf
from wallets.documents.statement_pdf import wallet_statement_pdf
from wallets.documents.statement_xlsx import wallet_statement_xlsx
from wallets.forms import STATUS_NAMES, StatementForm
from wallets.models import MovementKind
from wallets.services.coupons import identifier_format
from wallets.views.corporate import corporate_page, download, payer_access

KIND_NAMES = {
    MovementKind.FUNDING: _lazy("Transfer received"),
    MovementKind.BLOCK: _lazy("Coupons issued"),
    MovementKind.RELEASE: _lazy("Coupon released"),
    MovementKind.REDEEM: _lazy("Coupon used"),
}
STATEMENT_WRITERS = {
    "pdf": (wallet_statement_pdf, "application/pdf"),
    "xlsx": (wallet_statement_xlsx, XLSX_CONTENT_TYPE),
}


# --- funding ------------------------------------------------------------------------------------


@login_required
def funding(request, payer: int):
    access = payer_access(request, payer)
    fundings = access.wallet.movements.filter(kind=MovementKind.FUNDING).select_related(
        "bank_credit"
    )
    context = {
        "reference": format_reference(access.wallet.funding_reference),
        "fundings": list(fundings.order_by("-at", "-pk")[:20]),
    }
    return corporate_page(request, "wallets/corporate/funding.html", access, context)


@login_required
def funding_pdf(request, payer: int):
    access = payer_access(request, payer)
    return download(
        funding_instruction_pdf(access.wallet),
        "application/pdf",
        f"funding-{access.wallet.funding_reference}.pdf",
    )


# --- reports ------------------------------------------------------------------------------------


def _what(movement) -> str:
    """What a statement line on the page says besides its kind."""
    if movement.coupon_id:
        what = identifier_format(movement.coupon.identifier)
        if movement.kind == MovementKind.REDEEM:
            what = _("%(number)s, case %(case)s") % {"number": what, "case": movement.memo}
        return what
    if movement.batch_id:
        return _("batch #%(pk)d: %(count)d × %(fee)s") % {
            "pk": movement.batch_id,
            "count": movement.batch.count,
            "fee": movement.batch.fee.name,
        }
    if movement.bank_credit_id:
        return " · ".join(
            part for part in (movement.bank_credit.bank_reference, movement.memo) if part
        )
    return movement.memo


def _statement_rows(statement) -> list[dict]:
    return [
        {"line": line, "name": KIND_NAMES[line.movement.kind], "what": _what(line.movement)}
        for line in statement.lines
    ]


def _period(request, tenant) -> StatementForm:
    today = timezone.now().astimezone(ZoneInfo(tenant.timezone)).date()
    if "start" in request.GET or "end" in request.GET:
        return StatementForm(request.GET)
    return StatementForm({"start": today.replace(day=1).isoformat(), "end": today.isoformat()})


@login_required
def reports(request, payer: int):
    access = payer_access(request, payer)
    now = timezone.now()
    form = _period(request, access.tenant)
    statement = None
    if form.is_valid():
        statement = selectors.wallet_statement(
            access.wallet, form.cleaned_data["start"], form.cleaned_data["end"]
        )
    context = {
        "by_status": [
            {**row, "name": STATUS_NAMES[row["status"]]}
            for row in wallet_reports.coupons_by_status(access.wallet, now)
        ],
        "spending": wallet_reports.spending_by_month(access.wallet),
        "form": form,
        "statement": statement,
        "lines": _statement_rows(statement) if statement else [],
        "totals": [{"total": total, "name": KIND_NAMES[total.kind]} for total in statement.totals]
        if statement
        else [],
        "period_query": urlencode({k: form.data[k] for k in ("start", "end") if form.data.get(k)}),
    }
    return corporate_page(
        request,
        "wallets/corporate/reports.html",
        access,
        context,
        status=200 if form.is_valid() else 400,
    )


@login_required
def statement_download(request, payer: int, file_format: str):
    if file_format not in STATEMENT_WRITERS:
        raise Http404
    access = payer_access(request, payer)
    form = _period(request, access.tenant)
    if not form.is_valid():
        return reports(request, payer)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    write, content_type = STATEMENT_WRITERS[file_format]
    return download(
        write(access.wallet, start, end),
        content_type,
        f"wallet-statement-{start:%Y%m%d}-{end:%Y%m%d}.{file_format}",
    )
