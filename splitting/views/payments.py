"""The splitting pages: payments (and reversing one), supplier registries (building them, paying
them out, their files) and the delivery log of the suppliers' webhooks. Views check who may
come in, parse input and call one service; the reads are in `splitting.selectors`.

Who may do what: every operator staff member of a tenant may look at its payments, registries
and delivery log; supplier users see their own supplier's registries. Operator admins and
accountants (`selectors.can_take_payments`) reverse payments, build registries, book payouts
and resend events; anyone else gets 403. The payment-order files (1C, pain.001) book the
registry's payout, so while a registry is unpaid only they may download those; once it is paid,
everyone who sees the registry may."""

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core.documents.csv import CSV_CONTENT_TYPE
from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.errors import ApplicationError
from core.money import format_currency
from core.ui.forms import form_errors
from core.ui.redirects import safe_next
from splitting import selectors
from splitting.access import may_settle
from splitting.channels.checkouts import checkout_refund
from splitting.core.outbox import supplier_event_resend
from splitting.core.reversals import payment_reverse
from splitting.filters import PaymentFilter, RegistryFilter, SupplierEventFilter
from splitting.models import PaymentStatus, RegistryStatus
from splitting.settlement.registries import FORMATS, payout_create, registries_build, registry_file
from splitting.tables import PaymentTable, RegistryTable, SupplierEventTable
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.selectors import staff_scope

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


class BuildForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=gettext_lazy("Tenant")
    )
    day = forms.DateField(
        label=gettext_lazy("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants

    def clean(self):
        data = super().clean()
        tenant, day = data.get("tenant"), data.get("day")
        if tenant and day and day > timezone.localdate(timezone=ZoneInfo(tenant.timezone)):
            self.add_error("day", _("A registry is built for a day that has begun."))
        return data


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


# --- registries and payouts -------------------------------------------------------------------


def _registry_or_404(request, pk: int):
    registry = selectors.registry_of(request.user, pk)
    if registry is None:
        raise Http404
    return registry


@login_required
def registry_list(request):
    """Staff see their tenants' registries, a supplier user its own supplier's (the same page
    under /supplier/registries/)."""
    if not selectors.sees_registries(request.user):
        raise PermissionDenied
    settle = selectors.settlement_tenants(request.user)
    settle_ids = frozenset(settle.values_list("pk", flat=True))
    filterset = RegistryFilter(
        request.GET or None, queryset=selectors.registries_of(request.user), request=request
    )
    table = RegistryTable(filterset.qs, settle_tenants=settle_ids, next_url=request.get_full_path())
    RequestConfig(request, paginate={"per_page": REGISTRIES_PER_PAGE}).configure(table)
    build_form = None
    if settle_ids:
        yesterday = timezone.localdate() - timedelta(days=1)
        build_form = BuildForm(tenants=settle, initial={"day": yesterday})
    supplier_page = request.resolver_match.url_name == "supplier-registries"
    context = {
        "filter": filterset,
        "table": table,
        "build_form": build_form,
        "list_url": request.path,
        "section": "supplier" if supplier_page else "registries",
    }
    return render(request, "splitting/registries/list.html", context)


@require_POST
@staff_required
def registries_build_view(request):
    form = BuildForm(request.POST, tenants=staff_scope(request.user, Tenant))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("registry-list")
    tenant, day = form.cleaned_data["tenant"], form.cleaned_data["day"]
    may_settle(request.user, tenant.pk)
    try:
        built = registries_build(tenant=tenant, day=day)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("registry-list")
    names = {"tenant": tenant.name, "day": f"{day:%Y-%m-%d}", "n": len(built)}
    if built:
        messages.success(request, _("%(tenant)s, %(day)s: %(n)d registries.") % names)
    else:
        messages.info(
            request, _("%(tenant)s, %(day)s: no supplier has payments to register.") % names
        )
    return redirect(f"{reverse('registry-list')}?day_from={day:%Y-%m-%d}&day_to={day:%Y-%m-%d}")


@require_POST
@login_required
def registry_payout(request, pk: int):
    registry = _registry_or_404(request, pk)
    may_settle(request.user, registry.tenant_id)
    try:
        payout = payout_create(registry=registry, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Payout of %(amount)s to %(supplier)s is booked (EndToEndId %(number)s).")
            % {
                "amount": format_currency(payout.amount, registry.tenant),
                "supplier": registry.supplier.name,
                "number": payout.end_to_end_id,
            },
        )
    return redirect(safe_next(request, "registry-list"))  # back with its filters


@login_required
def registry_download(request, pk: int, file_format: str):
    registry = _registry_or_404(request, pk)
    if file_format not in FORMATS:
        raise Http404
    if file_format in PAYMENT_ORDERS and registry.status != RegistryStatus.PAID:
        may_settle(request.user, registry.tenant_id)
    try:
        content, filename = registry_file(
            registry=registry, file_format=file_format, actor=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("registry-list")
    except ValueError as exc:  # the file writers refuse bank details the format cannot carry
        messages.error(
            request,
            _("The %(format)s file of %(number)s could not be made: %(error)s")
            % {"format": file_format, "number": registry.number, "error": exc},
        )
        return redirect("registry-list")
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
