"""The settlement pages: supplier registries (building them, their files), settling them — one
registry or a whole day, always by POST after a confirmation page that shows what will be paid
and what recovered — the payouts with what the bank said of them, the bank debits nobody's
payout explains, and what suppliers owe back.

Who may do what: operator staff of a tenant see its registries and payouts; supplier users see
their own supplier's registries. Operator admins and accountants (`may_settle`) build, settle,
download payment orders and clear debits; anyone else gets 403. Reading a file books nothing."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core.documents.csv import CSV_CONTENT_TYPE
from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.errors import ApplicationError
from core.http import attachment
from core.money import format_currency, to_minor
from core.ui.forms import form_errors
from core.ui.redirects import safe_next
from splitting import selectors
from splitting.access import may_settle
from splitting.core.payables import supplier_claims
from splitting.filters import RegistryFilter
from splitting.models import (
    BankCredit,
    BankDebit,
    BankDebitStatus,
    Payout,
    PayoutFile,
    RegistryStatus,
)
from splitting.settlement.bank_debits import debit_clear
from splitting.settlement.claims import claim_repay
from splitting.settlement.orders import PAYMENT_ORDER_FORMATS, orders_file, payment_order_format
from splitting.settlement.payee import payee_of
from splitting.settlement.payouts import day_settle, registry_settle, settlement_preview
from splitting.settlement.registries import FORMATS, registries_build, registry_file
from splitting.tables import RegistryTable
from warehouse.access import staff_required
from warehouse.models import Supplier, Tenant
from warehouse.selectors import staff_scope

REGISTRIES_PER_PAGE = 50
CONTENT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": XLSX_CONTENT_TYPE,
    "1c": "text/plain; charset=windows-1251",
    "pain001": "application/xml",
}
ORDER_FORMAT_CHOICES = [("1c", "1C (ClientBankExchange)"), ("pain001", "ISO 20022 pain.001")]


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


class SettleForm(forms.Form):
    """The confirmation: nothing is paid unless the box is ticked in a POST."""

    file_format = forms.ChoiceField(
        choices=ORDER_FORMAT_CHOICES, label=gettext_lazy("Payment-order file")
    )
    confirm = forms.BooleanField(
        required=True,
        label=gettext_lazy("I confirm: book these payouts and write the payment-order file."),
        error_messages={"required": gettext_lazy("Tick the confirmation to book the payouts.")},
    )


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


@login_required
def registry_settle_view(request, pk: int):
    """GET: what settling the registry would pay and recover, and the confirmation form.
    POST (CSRF-checked, confirmation ticked): settles it."""
    registry = _registry_or_404(request, pk)
    may_settle(request.user, registry.tenant_id)
    form = SettleForm(
        request.POST or None, initial={"file_format": payment_order_format(registry.tenant)}
    )
    if request.method == "POST" and registry.status == RegistryStatus.BUILT and form.is_valid():
        try:
            settlement = registry_settle(
                registry=registry,
                actor=request.user,
                file_format=form.cleaned_data["file_format"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            _settled_message(request, registry, settlement)
            return redirect(safe_next(request, "registry-list"))
    unsettled = registry.status == RegistryStatus.BUILT
    context = {
        "registry": registry,
        "preview": settlement_preview(registry) if unsettled else None,
        "payee": payee_of(registry.supplier),
        "payouts": registry.payouts.select_related("file").order_by("pk"),
        "form": form,
        "next": request.GET.get("next") or request.POST.get("next") or "",
        "section": "registries",
    }
    return render(request, "splitting/registries/settle.html", context)


def _settled_message(request, registry, settlement) -> None:
    money = {
        "supplier": registry.supplier.name,
        "recovered": format_currency(settlement.recovered, registry.tenant),
    }
    if settlement.payout is None:
        messages.info(
            request,
            _("%(number)s: nothing to pay to %(supplier)s (recovered %(recovered)s).")
            % {**money, "number": registry.number},
        )
        return
    messages.success(
        request,
        _(
            "Payout of %(amount)s to %(supplier)s is booked (EndToEndId %(number)s, "
            "recovered %(recovered)s)."
        )
        % {
            **money,
            "amount": format_currency(settlement.payout.amount, registry.tenant),
            "number": settlement.payout.end_to_end_id,
        },
    )


class DayForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.none(), to_field_name="code")
    day = forms.DateField()

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants


@login_required
def day_settle_view(request):
    """GET ?tenant=&day=: every registry of the day still to settle, with what each would pay;
    POST (confirmed): settles them all with one payment-order file."""
    tenants = selectors.settlement_tenants(request.user)
    if not tenants.exists():
        raise PermissionDenied
    which = DayForm(request.GET or request.POST or None, tenants=tenants)
    if not which.is_valid():
        messages.error(request, form_errors(which) if which.is_bound else _("Choose a day."))
        return redirect("registry-list")
    tenant, day = which.cleaned_data["tenant"], which.cleaned_data["day"]
    may_settle(request.user, tenant.pk)
    form = SettleForm(
        request.POST if request.method == "POST" else None,
        initial={"file_format": payment_order_format(tenant)},
    )
    if request.method == "POST" and form.is_valid():
        result = day_settle(
            tenant=tenant, day=day, actor=request.user, file_format=form.cleaned_data["file_format"]
        )
        _day_messages(request, tenant, day, result)
        return redirect(f"{reverse('payout-list')}?tenant={tenant.code}")
    registries = list(
        selectors.registries_of(request.user).filter(
            tenant=tenant, day=day, status=RegistryStatus.BUILT
        )
    )
    rows = [(registry, settlement_preview(registry)) for registry in registries]
    context = {
        "tenant": tenant,
        "day": day,
        "rows": rows,
        "total_paid": sum(preview.paid for _, preview in rows),
        "total_recovered": sum(preview.recovered for _, preview in rows),
        "form": form,
        "hidden_fields": [("tenant", tenant.code), ("day", f"{day:%Y-%m-%d}")],
        "section": "registries",
    }
    return render(request, "splitting/registries/settle_day.html", context)


def _day_messages(request, tenant: Tenant, day: date, result) -> None:
    paid = sum(p.amount for p in result.payouts)
    messages.success(
        request,
        _(
            "%(tenant)s, %(day)s: %(n)d registries settled, %(count)d payouts of %(amount)s "
            "in %(file)s."
        )
        % {
            "tenant": tenant.name,
            "day": f"{day:%Y-%m-%d}",
            "n": len(result.settled),
            "count": len(result.payouts),
            "amount": format_currency(paid, tenant),
            "file": result.file.filename if result.file else "—",
        },
    )
    for registry, reason in result.refused:
        messages.error(request, f"{registry.number} ({registry.supplier.name}): {reason}")


@login_required
def registry_download(request, pk: int, file_format: str):
    """The registry's lines (CSV, XLSX, 1C registry): everyone who sees the registry."""
    registry = _registry_or_404(request, pk)
    if file_format not in FORMATS:
        raise Http404
    try:
        content, filename = registry_file(registry=registry, file_format=file_format)
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("registry-list")
    return attachment(content, filename, CONTENT_TYPES[file_format])


@login_required
def payout_file_download(request, pk: int):
    """A payment-order file as it was written when its payouts were booked."""
    record = get_object_or_404(PayoutFile, pk=pk)
    may_settle(request.user, record.tenant_id)
    return attachment(bytes(record.content), record.filename, CONTENT_TYPES[record.format])


@login_required
def payout_order_download(request, pk: int):
    """One payout's own payment order (of a day's file, this supplier's part)."""
    payout = get_object_or_404(
        Payout.objects.select_related("registry__tenant", "registry__supplier", "file"), pk=pk
    )
    may_settle(request.user, payout.tenant_id)
    tenant = payout.registry.tenant
    file_format = payout.file.format if payout.file else payment_order_format(tenant)
    if file_format not in PAYMENT_ORDER_FORMATS:
        raise Http404
    content, filename = orders_file(
        payout.registry.tenant,
        [payout],
        day=payout.registry.day,
        file_format=file_format,
        created_at=payout.created_at,
    )
    return attachment(content, filename, CONTENT_TYPES[file_format])


@staff_required
def payout_list(request):
    """The payouts and what the bank said of them, the bank debits no payout explains, and
    what suppliers owe back (claims once older than the tenant allows)."""
    tenants = list(selectors.settlement_tenants(request.user))
    wanted = request.GET.get("tenant")
    if wanted:
        tenants = [t for t in tenants if t.code == wanted]
    ids = [t.pk for t in tenants]
    payouts = (
        Payout.objects.filter(tenant_id__in=ids)
        .select_related("tenant", "supplier", "registry", "file", "confirmed_by", "returned_by")
        .order_by("-created_at", "-pk")[:200]
    )
    debits = (
        BankDebit.objects.filter(tenant_id__in=ids, status=BankDebitStatus.UNMATCHED)
        .select_related("tenant", "statement")
        .order_by("booked_on", "pk")
    )
    files = PayoutFile.objects.filter(tenant_id__in=ids).select_related("tenant")[:30]
    credits = (
        BankCredit.objects.filter(tenant_id__in=ids, open_amount__gt=0)
        .select_related("tenant")
        .order_by("booked_on", "pk")[:100]
    )
    context = {
        "payouts": payouts,
        "debits": debits,
        "credits": credits,
        "files": files,
        "claims": [(tenant, claim) for tenant in tenants for claim in supplier_claims(tenant)],
        "tenants": tenants,
        "section": "payouts",
    }
    return render(request, "splitting/payouts/list.html", context)


class RepayForm(forms.Form):
    supplier = forms.IntegerField()
    credit = forms.IntegerField()
    amount = forms.CharField(max_length=20)


@require_POST
@staff_required
def claim_repay_view(request):
    """Staff take a supplier's transfer out of the suspense queue for what it owes back."""
    form = RepayForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("payout-list")
    supplier = get_object_or_404(Supplier, pk=form.cleaned_data["supplier"])
    may_settle(request.user, supplier.tenant_id)
    credit = get_object_or_404(BankCredit, pk=form.cleaned_data["credit"], tenant=supplier.tenant)
    try:
        amount = to_minor(form.cleaned_data["amount"])
        claim_repay(credit=credit, supplier=supplier, amount=amount, actor=request.user)
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(
            request,
            _("%(supplier)s paid back %(amount)s.")
            % {"supplier": supplier.name, "amount": format_currency(amount, supplier.tenant)},
        )
    return redirect("payout-list")


@require_POST
@staff_required
def bank_debit_clear_view(request, pk: int):
    debit = get_object_or_404(BankDebit, pk=pk)
    may_settle(request.user, debit.tenant_id)
    try:
        debit_clear(debit=debit, note=request.POST.get("note", ""), actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The debit is cleared."))
    return redirect("payout-list")
