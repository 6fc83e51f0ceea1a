"""The bank statement pages: the statements read (and uploading one), the suspense queue of
credits no account was found for, and a credit's page where staff assign it (to one account,
or split across several) or refund it. Views check who may come in, parse input and call one
service of `splitting.channels.statements`; the reads are in `splitting.selectors`.

Who may do what: every operator staff member of a tenant may look at its statements and its
suspense queue; operator admins and accountants (`selectors.can_take_payments`) upload
statements, assign and refund; anyone else gets 403. A credit of another tenant is 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core.errors import ApplicationError
from core.money import format_currency, format_minor
from core.ui.forms import form_errors
from splitting import selectors
from splitting.access import may_settle
from splitting.channels.statements import (
    statement_import,
    suspense_assign,
    suspense_refund,
    suspense_suggestions,
)
from splitting.models import BankCredit
from splitting.views.statement_tables import (
    AmountField,
    StatementImportTable,
    SuspenseFilter,
    SuspenseTable,
)
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.selectors import staff_scope

STATEMENTS_PER_PAGE = 50
CREDITS_PER_PAGE = 50


class StatementUploadForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=gettext_lazy("Tenant")
    )
    file = forms.FileField(
        label=gettext_lazy("Statement file"),
        help_text=gettext_lazy("camt.053 / camt.054 (XML), MT940 or 1C (1CClientBankExchange)"),
    )

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants
        if not self.is_bound:
            only = list(tenants[:2])
            if len(only) == 1:
                self.fields["tenant"].initial = only[0].code


class AssignForm(forms.Form):
    """Gives (part of) a credit's open amount to one of its tenant's accounts; `account` in
    `cleaned_data` is the account found by its number."""

    account_number = forms.CharField(max_length=32, label=gettext_lazy("Account number"))
    amount = AmountField(
        label=gettext_lazy("Amount"),
        help_text=gettext_lazy("In major units, e.g. 123.45; at most what waits."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 20}),
    )

    def __init__(self, *args, credit: BankCredit, **kwargs):
        super().__init__(*args, **kwargs)
        self.credit = credit
        self.fields["amount"].initial = format_minor(credit.open_amount)

    def clean_account_number(self):
        number = self.cleaned_data["account_number"].strip()
        account = selectors.account_by_number(self.credit.tenant_id, number)
        if account is None:
            raise forms.ValidationError(
                _("%(tenant)s has no account %(number)s.")
                % {"tenant": self.credit.tenant.name, "number": number},
                code="unknown_account",
            )
        self.cleaned_data["account"] = account
        return number

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("Assign a positive amount."), code="not_positive")
        if amount > self.credit.open_amount:
            raise forms.ValidationError(
                _("Only %(open)s of this credit waits in suspense.")
                % {"open": format_currency(self.credit.open_amount, self.credit.tenant)},
                code="too_much",
            )
        return amount


class RefundForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Kept in the audit log and in the refund's ledger memo."),
    )


# --- statements -------------------------------------------------------------------------------


@staff_required
def statement_list(request):
    table = StatementImportTable(selectors.statements_of(request.user))
    RequestConfig(request, paginate={"per_page": STATEMENTS_PER_PAGE}).configure(table)
    tenants = selectors.settlement_tenants(request.user)
    upload_form = StatementUploadForm(tenants=tenants) if tenants.exists() else None
    context = {"table": table, "upload_form": upload_form, "section": "statements"}
    return render(request, "splitting/statements/list.html", context)


@require_POST
@staff_required
def statement_upload(request):
    if not selectors.settlement_tenants(request.user).exists():
        raise PermissionDenied
    form = StatementUploadForm(
        request.POST, request.FILES, tenants=staff_scope(request.user, Tenant)
    )
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("statement-list")
    tenant, upload = form.cleaned_data["tenant"], form.cleaned_data["file"]
    may_settle(request.user, tenant.pk)
    try:
        outcome = statement_import(
            tenant=tenant, data=upload.read(), filename=upload.name, actor=request.user
        )
    except ApplicationError as exc:
        messages.error(
            request,
            _("%(file)s was not imported: %(reason)s")
            % {"file": upload.name, "reason": exc.message},
        )
        return redirect("statement-list")
    names = {
        "file": upload.name,
        "matched": outcome.matched,
        "parked": outcome.parked,
        "duplicates": outcome.duplicates,
    }
    text = (
        _(
            "%(file)s: %(matched)d matched and posted, %(parked)d in suspense, "
            "%(duplicates)d already imported."
        )
        % names
    )
    records = outcome.statements or (outcome.statement,)
    bank = {
        "confirmed": sum(r.payouts_confirmed for r in records),
        "returned": sum(r.payouts_returned for r in records),
        "unmatched": sum(r.debits_unmatched for r in records),
    }
    if any(bank.values()):
        text += (
            " "
            + _(
                "Payouts: %(confirmed)d confirmed, %(returned)d returned; %(unmatched)d debits "
                "no payout explains."
            )
            % bank
        )
    if outcome.parked:
        messages.warning(request, text)
    else:
        messages.success(request, text)
    for warning in [w for r in records for w in r.warnings.splitlines()][:5]:
        messages.warning(request, warning)
    return redirect("statement-list")


# --- the suspense queue -----------------------------------------------------------------------


def _credit_or_404(request, pk: int) -> BankCredit:
    credit = selectors.credit_of(request.user, pk)
    if credit is None:
        raise Http404
    return credit


@staff_required
def suspense_list(request):
    filterset = SuspenseFilter(
        request.GET or None, queryset=selectors.suspense_of(request.user), request=request
    )
    table = SuspenseTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": CREDITS_PER_PAGE}).configure(table)
    context = {"filter": filterset, "table": table, "section": "suspense"}
    return render(request, "splitting/statements/suspense.html", context)


def _credit_page(request, credit: BankCredit, *, assign_form=None, refund_form=None):
    may_act = credit.open_amount > 0 and selectors.can_take_payments(request.user, credit.tenant_id)
    suggestions = []
    if may_act:
        suggestions = [
            {"document": document, "amount": format_minor(credit.open_amount)}
            for document in suspense_suggestions(credit)
        ]
    context = {
        "credit": credit,
        "payments": selectors.credit_payments(credit),
        "suggestions": suggestions,
        "may_act": may_act,
        "assign_form": assign_form or AssignForm(credit=credit),
        "refund_form": refund_form or RefundForm(),
        "section": "suspense",
    }
    return render(request, "splitting/statements/credit.html", context)


@staff_required
def credit_detail(request, pk: int):
    return _credit_page(request, _credit_or_404(request, pk))


@require_POST
@staff_required
def credit_assign(request, pk: int):
    credit = _credit_or_404(request, pk)
    may_settle(request.user, credit.tenant_id)
    form = AssignForm(request.POST, credit=credit)
    if not form.is_valid():
        return _credit_page(request, credit, assign_form=form)
    account, amount = form.cleaned_data["account"], form.cleaned_data["amount"]
    try:
        credit = suspense_assign(credit=credit, account=account, amount=amount, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("suspense-credit", pk=pk)
    names = {
        "amount": format_currency(amount, credit.tenant),
        "number": account.account_number,
        "open": format_currency(credit.open_amount, credit.tenant),
    }
    if credit.open_amount:
        messages.success(
            request,
            _("%(amount)s is paid to account %(number)s; %(open)s still waits in suspense.")
            % names,
        )
    else:
        messages.success(
            request,
            _("%(amount)s is paid to account %(number)s; nothing of the credit waits any more.")
            % names,
        )
    return redirect("suspense-credit", pk=pk)


@require_POST
@staff_required
def credit_refund(request, pk: int):
    credit = _credit_or_404(request, pk)
    may_settle(request.user, credit.tenant_id)
    form = RefundForm(request.POST)
    if not form.is_valid():
        return _credit_page(request, credit, refund_form=form)
    open_amount = credit.open_amount
    try:
        suspense_refund(credit=credit, actor=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(amount)s is booked as refunded to %(payer)s.")
            % {
                "amount": format_currency(open_amount, credit.tenant),
                "payer": credit.payer_name or _("the payer"),
            },
        )
    return redirect("suspense-credit", pk=pk)
