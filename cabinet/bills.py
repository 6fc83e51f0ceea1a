"""The resident's bills and history, under `/cabinet/accounts/<tenant>/<number>/`: the payment
documents with their paid state, one document as HTML (invoicing's renderer: the same data and
template family as the PDF) and as PDF, the charges per supplier and service month by month
with a chart, and the payments with their allocation per supplier and a receipt.

Only the account's holder gets these pages; anyone else — staff, supplier users, other
residents — gets a 404 (`cabinet.selectors.held_account`), anonymous users the sign-in page."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.views.decorators.http import require_GET

from cabinet import selectors
from cabinet.charts import charges_chart
from core.documents.pdf import RollRow, roll_pdf
from core.http import public_url
from core.i18n import Texts
from core.money import display_language, format_currency
from invoicing.rendering.html import render_html
from invoicing.rendering.pdf import render_pdf
from invoicing.selectors import document_view
from invoicing.services import pay_links
from splitting.channels import receipts
from splitting.models import Payment
from warehouse.selectors import user_roles

SECTION = "my"


def _base_url(request) -> str:
    return public_url("/")


def _page(request, template: str, account, tab: str, **context):
    user_roles(request.user, resident=True)  # the navigation need not ask: the user holds one
    response = render(
        request,
        template,
        {"account": account, "tenant": account.tenant, "tab": tab, "section": SECTION, **context},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required(login_url="cabinet-login")
@require_GET
def documents(request, tenant: str, number: str):
    account = selectors.held_account(request.user, tenant, number)
    rows = selectors.account_documents(account, today=timezone.localdate())
    return _page(
        request,
        "cabinet/bills/documents.html",
        account,
        "documents",
        rows=rows,
        position=selectors.pay_position(account),
    )


DOCUMENT_HTML_SECONDS = 6 * 60 * 60


def _document_html(document, base_url: str) -> str:
    """The document as HTML (invoicing's renderer, with its QR code: most of the bill page's
    time). An issued document's view is frozen, so the markup is cached per document and what
    else goes into it — the pay link, the TAN setting, the host and the language; the view
    (a large JSON field, deferred by the caller) is read only on a miss."""
    parts = [
        str(document.pk),
        pay_links.pay_token(document.pay_salt),
        str(document.tenant.tan_required),
        base_url,
        get_language() or "",
    ]
    key = "cabinet:document-html:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_html(document_view(document, base_url=base_url))
        cache.set(key, html, DOCUMENT_HTML_SECONDS)
    return html


@login_required(login_url="cabinet-login")
@require_GET
def document(request, tenant: str, number: str, period: str):
    account = selectors.held_account(request.user, tenant, number)
    found = selectors.account_document(account, period, with_view=False)
    state = selectors.document_row(account, found, today=timezone.localdate())
    return _page(
        request,
        "cabinet/bills/document.html",
        account,
        "documents",
        document=found,
        row=state,
        rendered=_document_html(found, _base_url(request)),
        status_url=_status_url(account, found),
    )


def _status_url(account, document) -> str:
    args = [account.tenant.code, account.account_number, document.period]
    return reverse("cabinet-document-status", args=args)


@login_required(login_url="cabinet-login")
@require_GET
def document_status(request, tenant: str, number: str, period: str):
    """The document's paid-state icon alone, for the bill pages to poll (htmx) until it is paid:
    then it answers 286, htmx's "stop polling"."""
    account = selectors.held_account(request.user, tenant, number)
    found = selectors.account_document(account, period, with_view=False)
    state = selectors.document_row(account, found, today=timezone.localdate())
    response = render(request, "cabinet/bills/_paid_icon.html", {"state": state.state})
    response["Cache-Control"] = "private, no-store"
    if state.paid:
        response.status_code = 286
    return response


@login_required(login_url="cabinet-login")
@require_GET
def document_pdf(request, tenant: str, number: str, period: str):
    account = selectors.held_account(request.user, tenant, number)
    found = selectors.account_document(account, period)
    pdf = render_pdf(document_view(found, base_url=_base_url(request)))
    return _file(pdf, f"{found.number}.pdf", inline=True)


@login_required(login_url="cabinet-login")
@require_GET
def charges(request, tenant: str, number: str):
    account = selectors.held_account(request.user, tenant, number)
    history = selectors.charge_history(account)
    return _page(
        request,
        "cabinet/bills/charges.html",
        account,
        "charges",
        history=history,
        chart=charges_chart(history, view=account.tenant),
    )


@login_required(login_url="cabinet-login")
@require_GET
def payments(request, tenant: str, number: str):
    account = selectors.held_account(request.user, tenant, number)
    return _page(
        request,
        "cabinet/bills/payments.html",
        account,
        "payments",
        rows=selectors.payment_history(account),
    )


@login_required(login_url="cabinet-login")
@require_GET
def receipt(request, tenant: str, number: str, pk: int):
    account = selectors.held_account(request.user, tenant, number)
    payment = selectors.account_payment(account, pk)
    pdf = receipt_pdf(payment, selectors.payment_lines(payment))
    return _file(pdf, f"receipt-{payment.pk}.pdf", inline=True)


def _file(content: bytes, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the receipt of any payment ----------------------------------------------------------------

CHANNELS = Texts(
    {
        "provider": pgettext_lazy("payment receipt channel", "Online"),
        "bank": pgettext_lazy("payment receipt channel", "Bank transfer"),
        "terminal": pgettext_lazy("payment receipt channel", "Payment terminal"),
        "cash_desk": pgettext_lazy("payment receipt channel", "Cash desk"),
        "external": pgettext_lazy("payment receipt channel", "External"),
        "reversed": pgettext_lazy("payment receipt channel", "Payment reversed"),
    }
)


def receipt_pdf(payment: Payment, lines: list[selectors.PaidLine]) -> bytes:
    """The payer's receipt of any booked payment, whatever its channel: the cash desk's roll
    layout and wording (`splitting.channels.receipts`), with the channel instead of the
    cashier and what it paid per supplier and period."""
    tenant, account = payment.tenant, payment.account
    labels = receipts.LABELS[display_language(tenant)]
    channels = CHANNELS[display_language(tenant)]
    money = lambda amount: format_currency(amount, tenant)  # noqa: E731
    Row = RollRow
    rows = [Row("title", tenant.name)]
    rows += [
        Row("small", text) for text in (receipts.tax_line(tenant, labels), tenant.address) if text
    ]
    rows += [
        Row("rule"),
        Row("title", labels["receipt"]),
        Row("pair", labels["payment"], str(payment.pk)),
        Row("pair", labels["date"], receipts.local_time(tenant, payment.received_at)),
        Row("rule"),
        Row("pair", labels["account"], account.account_number),
        Row("text", f"{labels['payer']}: {account.payer_name}"),
    ]
    if payment.document_reference:
        rows.append(Row("pair", labels["reference"], payment.document_reference))
    rows += [
        Row("rule"),
        Row("big", labels["amount"], money(payment.amount)),
        Row("pair", labels["method"], channels.get(payment.channel, payment.channel)),
    ]
    if payment.status != "booked":
        rows.append(Row("text", channels["reversed"]))
    rows += [Row("rule"), Row("text", labels["paid_to"] + ":")]
    rows += [Row("pair", f"{line.supplier}, {line.period}", money(line.amount)) for line in lines]
    if payment.advance:
        rows.append(Row("pair", labels["advance"], money(payment.advance)))
    rows += [Row("rule"), Row("text", labels["thanks"])]

    return roll_pdf(rows, title=f"{labels['receipt']} {payment.pk}", author=tenant.name)
