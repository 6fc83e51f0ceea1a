"""The cash desk pages: a cashier opens a shift with the cash in the drawer, finds a payer's
account (its number, a payment document's reference, or the document's payment QR scanned into
the search box), takes cash or card, prints the receipt, and closes the shift with the cash
counted, which gives the hand-over report. Views check who may come in, parse the forms and
call one service of `splitting.channels.cashdesk`; the reads are in
`splitting.channels.cashdesk_selectors`.

Who may: operator admins and accountants (`selectors.can_take_payments`); other staff get
403. A cashier works their own shift; receipts and reports are open to the operator admins and
accountants of the shift's tenant. Another tenant's receipt or report is 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.money import format_currency, format_minor
from splitting import selectors
from splitting.access import may_settle
from splitting.channels import cashdesk_selectors as desk
from splitting.channels.cashdesk import (
    MIN_REASON,
    TOKEN_RE,
    DeskMatch,
    account_find,
    cash_payment_take,
    desk_token,
    shift_close,
    shift_open,
)
from splitting.channels.receipts import receipt_pdf, shift_report_pdf, supplier_names
from splitting.models import CashShift, DeskMethod
from splitting.views.statement_tables import AmountField
from warehouse.access import staff_required
from warehouse.models import Tenant

PAYMENTS_SHOWN = 20  # the shift's latest payments on the desk page
MONEY_INPUT = {"inputmode": "decimal", "maxlength": 20, "autocomplete": "off"}
CONFIRM = "yes"  # the close page's confirmation of a drawer that does not agree


def _amount(label, *, required=True, help_text=""):
    return AmountField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=MONEY_INPUT),
    )


class OpenShiftForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=gettext_lazy("Tenant")
    )
    opening_cash = _amount(
        gettext_lazy("Cash in the drawer"),
        help_text=gettext_lazy("Count the drawer before the first payer, e.g. 5000.00."),
    )

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants
        only = list(tenants[:2])
        self.only = only[0] if len(only) == 1 else None
        if self.only is not None:  # nothing to choose: the cashier's one tenant
            self.fields["tenant"].initial = self.only.code
            self.fields["tenant"].required = False
            self.fields["tenant"].widget = forms.HiddenInput()

    def clean_tenant(self):
        return self.cleaned_data["tenant"] or self.only

    def clean_opening_cash(self):
        amount = self.cleaned_data["opening_cash"]
        if amount < 0:
            raise forms.ValidationError(_("The cash cannot be negative."), code="negative")
        return amount


class SearchForm(forms.Form):
    q = forms.CharField(
        max_length=2000,
        label=gettext_lazy("Account number, reference or scanned QR"),
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "autofocus": True,
                "spellcheck": "false",
                "autocomplete": "off",
                "data-desk-search": "",
            }
        ),
    )


class PaymentForm(forms.Form):
    """One payer's payment; `token` is the one-time token of the rendered form (the payment's
    external id), `q` the search that found the account (to show the page again)."""

    account_number = forms.CharField(max_length=32, widget=forms.HiddenInput())
    document_reference = forms.CharField(max_length=35, required=False, widget=forms.HiddenInput())
    token = forms.CharField(max_length=64, widget=forms.HiddenInput())
    q = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput())
    amount = _amount(gettext_lazy("Amount"))
    method = forms.ChoiceField(
        label=gettext_lazy("Paid by"),
        choices=[(DeskMethod.CASH, gettext_lazy("Cash")), (DeskMethod.CARD, gettext_lazy("Card"))],
        initial=DeskMethod.CASH,
        widget=forms.RadioSelect(attrs={"data-desk-method": ""}),
    )
    tendered = _amount(
        gettext_lazy("Cash tendered"),
        required=False,
        help_text=gettext_lazy("What the payer hands over; empty when it is the exact amount."),
    )

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not TOKEN_RE.fullmatch(token):
            raise forms.ValidationError(_("The form is stale; find the account again."))
        return token

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("Enter a positive amount."), code="not_positive")
        return amount

    def clean(self):
        data = super().clean()
        if data.get("method") == DeskMethod.CARD:
            data["tendered"] = None
        elif None not in (data.get("tendered"), data.get("amount")) and (
            data["tendered"] < data["amount"]
        ):
            self.add_error("tendered", _("Less than the amount."))
        return data


class CloseShiftForm(forms.Form):
    counted_cash = _amount(
        gettext_lazy("Cash counted in the drawer"),
        help_text=gettext_lazy("All the cash in the drawer now, the opening cash included."),
    )
    # The confirmation step of a drawer that does not agree (`shift_close_view`).
    reason = forms.CharField(
        label=gettext_lazy("Why the drawer does not agree"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Required when the counted cash differs: what happened, as the senior cashier "
            "should read it in the hand-over report."
        ),
    )
    seen_difference = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def clean_counted_cash(self):
        amount = self.cleaned_data["counted_cash"]
        if amount < 0:
            raise forms.ValidationError(_("The cash cannot be negative."), code="negative")
        return amount


# --- who may ------------------------------------------------------------------------------------


def _may_work_desk(user) -> None:
    if not selectors.settlement_tenants(user).exists():
        raise PermissionDenied


def _open_shift(request) -> CashShift | None:
    shift = desk.open_shift_of(request.user)
    if shift is not None:
        may_settle(request.user, shift.tenant_id)
    return shift


# --- the desk -----------------------------------------------------------------------------------


@staff_required
def cashdesk(request):
    _may_work_desk(request.user)
    shift = _open_shift(request)
    if shift is None:
        return _no_shift_page(request)
    return _desk_page(request, shift, request.GET.get("q", ""))


def _no_shift_page(request, open_form=None):
    tenants = selectors.settlement_tenants(request.user)
    context = {
        "open_form": open_form or OpenShiftForm(tenants=tenants),
        "recent": desk.recent_shifts_of(request.user),
        "section": "cashdesk",
    }
    return render(request, "splitting/cashdesk/open.html", context)


def _desk_page(request, shift: CashShift, query: str, *, pay_form=None, match=None):
    query = query.strip()
    search_form = SearchForm(initial={"q": query})
    position = None
    if match is None and query:
        match = account_find(tenant=shift.tenant, query=query)
    if match is not None:
        position = selectors.account_position(match.account)
        pay_form = pay_form or PaymentForm(
            initial={
                "account_number": match.account.account_number,
                "document_reference": match.document_reference,
                "token": desk_token(),
                "q": query,
                "amount": format_minor(position.total_due) if position.total_due else "",
            }
        )
    payments = list(desk.shift_payments(shift).order_by("-taken_at", "-pk")[:PAYMENTS_SHOWN])
    context = {
        "shift": shift,
        "tenant": shift.tenant,
        "totals": desk.shift_totals(shift),
        "search_form": search_form,
        "query": query,
        "match": match,
        "found_by": _found_by(match),
        "position": position,
        "debts": _debts(position) if position else [],
        "pay_form": pay_form,
        "payments": payments,
        "section": "cashdesk",
    }
    return render(request, "splitting/cashdesk/desk.html", context)


def _found_by(match: DeskMatch | None) -> str:
    if match is None:
        return ""
    return {
        "account_number": _("account number"),
        "reference": _("payment document reference"),
        "qr": _("scanned payment QR"),
        "supplier_number": _("supplier's account number"),
    }[match.found_by]


def _debts(position) -> list[dict]:
    """The account's open amounts per supplier, each with its periods, largest debt first."""
    rows = [
        {
            "supplier": item.supplier,
            "open": item.open,
            "overdue": item.overdue,
            "periods": sorted(item.periods.items()),
        }
        for item in position.suppliers
    ]
    return sorted(rows, key=lambda row: (-row["open"], row["supplier"].code))


@require_POST
@staff_required
def shift_open_view(request):
    _may_work_desk(request.user)
    if _open_shift(request) is not None:
        messages.info(request, _("Your shift is open already."))
        return redirect("cashdesk")
    tenants = selectors.settlement_tenants(request.user)
    form = OpenShiftForm(request.POST, tenants=tenants)
    if not form.is_valid():
        return _no_shift_page(request, open_form=form)
    tenant = form.cleaned_data["tenant"]
    try:
        shift = shift_open(
            tenant=tenant, cashier=request.user, opening_cash=form.cleaned_data["opening_cash"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("cashdesk")
    messages.success(
        request,
        _("Shift #%(pk)d is open with %(cash)s in the drawer.")
        % {"pk": shift.pk, "cash": format_currency(shift.opening_cash, tenant)},
    )
    return redirect("cashdesk")


@require_POST
@staff_required
def cashdesk_pay(request):
    _may_work_desk(request.user)
    shift = _open_shift(request)
    if shift is None:
        messages.error(request, _("Open a shift before taking payments."))
        return redirect("cashdesk")
    form = PaymentForm(request.POST)
    number = request.POST.get("account_number", "").strip()
    account = selectors.account_by_number(shift.tenant_id, number) if number else None
    if account is None:
        messages.error(request, _("No account %(number)s here.") % {"number": number or "—"})
        return redirect("cashdesk")
    match = DeskMatch(account, "account_number", request.POST.get("document_reference", ""))
    query = request.POST.get("q", "") or account.account_number
    if not form.is_valid():
        return _desk_page(request, shift, query, pay_form=form, match=_refound(shift, query, match))
    data = form.cleaned_data
    try:
        outcome = cash_payment_take(
            shift=shift,
            account=account,
            amount=data["amount"],
            method=data["method"],
            tendered=data["tendered"],
            document_reference=data["document_reference"],
            token=data["token"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _desk_page(request, shift, query, pay_form=form, match=_refound(shift, query, match))
    payment = outcome.desk_payment.payment
    if not outcome.created:  # (a new payment's page says what was taken)
        messages.info(request, _("This form was sent before: this is the payment it took."))
    return redirect("cashdesk-payment", pk=payment.pk)


def _refound(shift, query: str, fallback: DeskMatch) -> DeskMatch:
    found = account_find(tenant=shift.tenant, query=query) if query else None
    return found if found and found.account.pk == fallback.account.pk else fallback


def _desk_payment_or_404(request, pk: int):
    _may_work_desk(request.user)
    row = desk.desk_payment_of(request.user, pk)
    if row is None:
        raise Http404
    return row


@staff_required
def desk_payment(request, pk: int):
    row = _desk_payment_or_404(request, pk)
    tenant = row.shift.tenant
    names = supplier_names(tenant.pk)
    lines = [
        {"line": line, "name": names.get(line.supplier, line.supplier)}
        for line in selectors.payment_allocations(row.payment)
    ]
    context = {
        "row": row,
        "payment": row.payment,
        "tenant": tenant,
        "lines": lines,
        "mine": row.shift.cashier_id == request.user.pk,
        "section": "cashdesk",
    }
    return render(request, "splitting/cashdesk/payment.html", context)


@staff_required
def receipt(request, pk: int):
    row = _desk_payment_or_404(request, pk)
    pdf = receipt_pdf(row, selectors.payment_allocations(row.payment))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{row.payment_id}.pdf"'
    return response


# --- closing and the hand-over report -----------------------------------------------------------


@staff_required
def shift_close_view(request):
    _may_work_desk(request.user)
    shift = _open_shift(request)
    if shift is None:
        recent = desk.recent_shifts_of(request.user)
        if request.method == "POST" and recent:
            messages.info(request, _("This shift is closed already."))
            return redirect("cashdesk-shift", pk=recent[0].pk)
        messages.info(request, _("You have no open shift."))
        return redirect("cashdesk")
    form = CloseShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        counted = form.cleaned_data["counted_cash"]
        difference = counted - desk.shift_totals(shift).expected
        confirmed = (
            request.POST.get("confirm") == CONFIRM
            and form.cleaned_data["seen_difference"] == difference
        )
        if difference and not confirmed:
            # A drawer that does not agree: first show the difference and ask for the reason.
            return _close_page(request, shift, _confirm_form(form, difference), difference)
        try:
            totals = shift_close(
                shift=shift, counted_cash=counted, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            if exc.code == "reason_required":
                form.add_error("reason", exc.message)
                return _close_page(request, shift, form, difference)
            messages.error(request, exc.message)
            return redirect("cashdesk")
        difference = totals.difference or 0
        text = _("Shift #%(pk)d is closed.") % {"pk": shift.pk}
        if difference:
            text += " " + _("The drawer is %(sign)s by %(amount)s.") % {
                "sign": _("over") if difference > 0 else _("short"),
                "amount": format_currency(abs(difference), shift.tenant),
            }
            messages.warning(request, text)
        else:
            messages.success(request, text + " " + _("The drawer agrees."))
        return redirect("cashdesk-shift", pk=shift.pk)
    return _close_page(request, shift, form, None)


def _confirm_form(form: CloseShiftForm, difference: int) -> CloseShiftForm:
    """The same figures again, with the difference the cashier is shown (so a confirmation
    given for another difference — payments taken meanwhile, a recount — is asked again)."""
    data = form.data.copy()
    data["seen_difference"] = str(difference)
    confirm = CloseShiftForm(data)
    confirm.is_valid()
    return confirm


def _close_page(request, shift: CashShift, form: CloseShiftForm, difference: int | None):
    context = {
        "shift": shift,
        "tenant": shift.tenant,
        "totals": desk.shift_totals(shift),
        "form": form,
        "difference": difference or None,
        "short": (difference or 0) < 0,
        "gap": abs(difference or 0),
        "min_reason": MIN_REASON,
        "confirm": CONFIRM,
        "section": "cashdesk",
    }
    return render(request, "splitting/cashdesk/close.html", context)


def _shift_or_404(request, pk: int) -> CashShift:
    _may_work_desk(request.user)
    shift = desk.shift_of(request.user, pk)
    if shift is None:
        raise Http404
    return shift


@staff_required
def shift_report(request, pk: int):
    shift = _shift_or_404(request, pk)
    context = {
        "shift": shift,
        "tenant": shift.tenant,
        "totals": desk.shift_totals(shift),
        "payments": desk.shift_payments(shift),
        "pdf_url": reverse("cashdesk-shift-pdf", kwargs={"pk": shift.pk}),
        "section": "cashdesk",
    }
    return render(request, "splitting/cashdesk/report.html", context)


@staff_required
def shift_report_download(request, pk: int):
    shift = _shift_or_404(request, pk)
    pdf = shift_report_pdf(shift, desk.shift_totals(shift), list(desk.shift_payments(shift)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="shift-{shift.pk}.pdf"'
    return response
