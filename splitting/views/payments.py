"""The splitting pages: payments (and reversing one) and the delivery log of the suppliers'
webhooks (registries and payouts are `splitting.views.settlement`). Views check who may come in,
parse input and call one service; the reads are in `splitting.selectors`.

Who may do what: every operator staff member of a tenant may look at its payments and delivery
log. Operator admins and accountants (`selectors.can_take_payments`) reverse payments and resend
events; anyone else gets 403."""

import json

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core.documents.csv import CSV_CONTENT_TYPE
from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.errors import ApplicationError
from core.money import format_currency
from core.ui.forms import form_errors
from splitting import selectors
from splitting.access import may_settle
from splitting.channels.checkouts import checkout_refund
from splitting.core.outbox import supplier_event_resend
from splitting.core.reversals import payment_reverse
from splitting.filters import PaymentFilter, SupplierEventFilter
from splitting.models import PaymentStatus
from splitting.tables import PaymentTable, SupplierEventTable
from warehouse.access import staff_required

PAYMENTS_PER_PAGE = 50
REGISTRIES_PER_PAGE = 50
EVENTS_PER_PAGE = 50
PAYMENT_ORDERS = ("1c", "pain001")  # these book the payout (`registry_file`)
CONTENT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": XLSX_CONTENT_TYPE,
    "1c": "text/plain; charset=windows-1251",
    "pain001": "application/xml",
}


class ReverseForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Kept in the audit log and in the reversal's ledger memo."),
    )


# --- payments ---------------------------------------------------------------------------------


def _payment_or_404(request, pk: int):
    payment = selectors.payment_of(request.user, pk)
    if payment is None:
        raise Http404
    return payment


@staff_required
def payment_list(request):
    filterset = PaymentFilter(
        request.GET or None, queryset=selectors.payments_of(request.user), request=request
    )
    table = PaymentTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAYMENTS_PER_PAGE}).configure(table)
    context = {"filter": filterset, "table": table, "section": "payments"}
    return render(request, "splitting/payments/list.html", context)


@staff_required
def payment_detail(request, pk: int):
    payment = _payment_or_404(request, pk)
    allocations = selectors.payment_allocations(payment)
    context = {
        "payment": payment,
        "allocations": [{"line": a, "net": a.amount - a.commission} for a in allocations],
        "allocated": sum(a.amount for a in allocations),
        "allocated_commission": sum(a.commission for a in allocations),
        "transactions": selectors.payment_ledger(payment),
        "events": selectors.payment_events(payment),
        "may_reverse": payment.status == PaymentStatus.BOOKED
        and selectors.can_take_payments(request.user, payment.tenant_id),
        "refund_provider": selectors.refund_provider(payment),
        "form": ReverseForm(),
        "section": "payments",
    }
    return render(request, "splitting/payments/detail.html", context)


def _undo(request, pk: int, undo, done: str):
    """Reverses a payment through `undo(payment=, actor=, reason=)` from its page's form."""
    payment = _payment_or_404(request, pk)
    may_settle(request.user, payment.tenant_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("payment-detail", pk=payment.pk)
    try:
        undo(payment=payment, actor=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        amount = format_currency(payment.amount, payment.tenant)
        messages.success(request, done % {"pk": payment.pk, "amount": amount})
    return redirect("payment-detail", pk=payment.pk)


@require_POST
@staff_required
def payment_reverse_view(request, pk: int):
    return _undo(
        request,
        pk,
        payment_reverse,
        _("Payment #%(pk)s of %(amount)s is reversed: its open items are open again."),
    )


@require_POST
@staff_required
def payment_refund_view(request, pk: int):
    """An online payment paid back through its provider, then reversed in our books."""
    return _undo(
        request,
        pk,
        checkout_refund,
        _("Payment #%(pk)s of %(amount)s is refunded to the payer and reversed."),
    )


# --- the delivery log -------------------------------------------------------------------------


def _event_or_404(request, pk: int):
    event = selectors.event_of(request.user, pk)
    if event is None:
        raise Http404
    return event


@staff_required
def webhook_list(request):
    filterset = SupplierEventFilter(
        request.GET or None, queryset=selectors.delivery_log(request.user), request=request
    )
    table = SupplierEventTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": EVENTS_PER_PAGE}).configure(table)
    context = {"filter": filterset, "table": table, "section": "webhooks"}
    return render(request, "splitting/webhooks/list.html", context)


@staff_required
def webhook_detail(request, pk: int):
    event = _event_or_404(request, pk)
    context = {
        "event": event,
        "body": json.dumps(event.body, indent=2, ensure_ascii=False, sort_keys=True),
        "attempts": selectors.event_attempts(event),
        "may_resend": selectors.can_take_payments(request.user, event.tenant_id),
        "section": "webhooks",
    }
    return render(request, "splitting/webhooks/detail.html", context)


@require_POST
@staff_required
def webhook_resend(request, pk: int):
    event = _event_or_404(request, pk)
    may_settle(request.user, event.tenant_id)
    try:
        supplier_event_resend(event=event, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Event #%(pk)s is queued for delivery again.") % {"pk": event.pk}
        )
    return redirect("webhook-detail", pk=event.pk)
