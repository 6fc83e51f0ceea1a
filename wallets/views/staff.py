"""The operator's wallet pages (`/staff/wallets/`): the corporate payers and "New payer" (which
invites the payer's first admin by e-mail), a payer's page (wallet balances and statement, its
people, its invitations) and the coupon report (on screen and as XLSX).

Who may do what: every operator staff member of a tenant reads its payers and the report;
operator admins and accountants (`selectors.can_take_payments`) create payers and invite;
anyone else gets 403. A payer of another tenant is 404."""

from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.errors import ApplicationError
from core.http import public_url
from splitting import selectors
from splitting.access import may_settle
from wallets.models import (
    CorporateInvitation,
    CorporateMember,
    CorporatePayer,
    CorporateRole,
    Wallet,
    WalletMovement,
)
from wallets.reports import operator_report, operator_report_xlsx
from wallets.services.payers import invitation_create, payer_create
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.selectors import staff_scope, tenants_of

PAYERS_PER_PAGE = 50
MOVEMENTS_SHOWN = 100


class PayerForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=gettext_lazy("Tenant")
    )
    name = forms.CharField(max_length=200, label=gettext_lazy("Organisation"))
    tax_id = forms.CharField(max_length=32, label=gettext_lazy("Tax id"))
    address = forms.CharField(max_length=300, required=False, label=gettext_lazy("Address"))
    contact_name = forms.CharField(
        max_length=200, required=False, label=gettext_lazy("Contact person")
    )
    contact_email = forms.EmailField(required=False, label=gettext_lazy("Contact e-mail"))
    contact_phone = forms.CharField(max_length=32, required=False, label=gettext_lazy("Phone"))
    admin_email = forms.EmailField(
        label=gettext_lazy("First admin's e-mail"),
        help_text=gettext_lazy(
            "They get an invitation link to sign up and manage the payer's people and coupons."
        ),
    )

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants
        if not self.is_bound:
            only = list(tenants[:2])
            if len(only) == 1:
                self.fields["tenant"].initial = only[0].code

    def clean_tax_id(self):
        return self.cleaned_data["tax_id"].strip()


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    role = forms.ChoiceField(
        choices=CorporateRole.choices, initial=CorporateRole.ADMIN, label=gettext_lazy("Role")
    )


class ReportForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=gettext_lazy("Tenant")
    )
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The period ends before it starts."))
        if start and end and (end - start).days > 3660:
            self.add_error("start", _("Choose a period of at most ten years."))
        return cleaned


# --- payers -----------------------------------------------------------------------------------


def _payers(user):
    return (
        staff_scope(user, CorporatePayer)
        .select_related("tenant")
        .prefetch_related(Prefetch("wallets", queryset=Wallet.objects.order_by("currency")))
        .annotate(people=Count("members", distinct=True))
        .order_by("tenant__code", "name", "pk")
    )


def _payer_list(request, form=None):
    tenants = selectors.settlement_tenants(request.user)
    if form is None and tenants.exists():
        form = PayerForm(tenants=tenants)
    page = Paginator(_payers(request.user), PAYERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "section": "wallets"}
    return render(request, "wallets/staff/payers.html", context)


@staff_required
def payer_list(request):
    return _payer_list(request)


def _invitation_link(request, token: str) -> str:
    return public_url(reverse("corporate-invitation", args=[token]))


def _send_invitation(request, invitation: CorporateInvitation, token: str) -> None:
    """After commit: an e-mail never goes out for a payer that was rolled back."""
    names = {
        "payer": invitation.payer.name,
        "role": invitation.get_role_display(),
        "link": _invitation_link(request, token),
        "days": (invitation.expires_at - timezone.now()).days,
    }
    subject = _("Your invitation to %(payer)s's coupon wallet") % names
    body = (
        _(
            "You are invited to act for %(payer)s as %(role)s: to fund the prepaid wallet, "
            "issue payment coupons and follow their use.\n\n"
            "Open this link to accept (valid for %(days)s days):\n%(link)s\n"
        )
        % names
    )
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    )


@require_POST
@staff_required
def payer_new(request):
    tenants = selectors.settlement_tenants(request.user)
    if not tenants.exists():
        raise Http404
    form = PayerForm(request.POST, tenants=tenants)
    if not form.is_valid():
        return _payer_list(request, form)
    data = form.cleaned_data
    tenant = data["tenant"]
    may_settle(request.user, tenant.pk)
    contacts = {k: data[k] for k in ("address", "contact_name", "contact_email", "contact_phone")}
    try:
        with transaction.atomic():
            payer = payer_create(
                tenant=tenant,
                name=data["name"].strip(),
                tax_id=data["tax_id"],
                actor=request.user,
                **contacts,
            )
            invited = invitation_create(
                payer=payer, email=data["admin_email"], role=CorporateRole.ADMIN, actor=request.user
            )
            _send_invitation(request, invited.invitation, invited.token)
    except ApplicationError as exc:
        for name, errors in (exc.extra or {}).items():
            if name in form.fields and isinstance(errors, list):
                form.add_error(name, errors)
        if not form.errors:
            form.add_error(None, exc.message)
        return _payer_list(request, form)
    messages.success(
        request,
        _("%(payer)s is set up with a wallet; an invitation went to %(email)s.")
        % {"payer": payer.name, "email": invited.invitation.email},
    )
    return redirect("staff-wallet-payer", pk=payer.pk)


def _payer_or_404(request, pk: int) -> CorporatePayer:
    payer = staff_scope(request.user, CorporatePayer).select_related("tenant").filter(pk=pk).first()
    if payer is None:
        raise Http404
    return payer


def _payer_page(request, payer: CorporatePayer, invite_form=None):
    may_act = selectors.can_take_payments(request.user, payer.tenant_id)
    wallets = list(payer.wallets.order_by("currency"))
    movements = {
        w.pk: list(
            WalletMovement.objects.filter(wallet=w)
            .select_related("coupon", "batch__fee", "bank_credit", "actor")
            .order_by("-pk")[:MOVEMENTS_SHOWN]
        )
        for w in wallets
    }
    context = {
        "payer": payer,
        "wallets": [(w, movements[w.pk]) for w in wallets],
        "members": CorporateMember.objects.filter(payer=payer).select_related("user"),
        "invitations": payer.invitations.select_related("invited_by", "accepted_by"),
        "now": timezone.now(),
        "may_act": may_act,
        "invite_form": invite_form or (InviteForm() if may_act else None),
        "movements_shown": MOVEMENTS_SHOWN,
        "section": "wallets",
    }
    return render(request, "wallets/staff/payer.html", context)


@staff_required
def payer_detail(request, pk: int):
    return _payer_page(request, _payer_or_404(request, pk))


@require_POST
@staff_required
def payer_invite(request, pk: int):
    """Operator staff may (re-)invite, e.g. when the first admin's invitation lapsed."""
    payer = _payer_or_404(request, pk)
    may_settle(request.user, payer.tenant_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _payer_page(request, payer, invite_form=form)
    try:
        with transaction.atomic():
            invited = invitation_create(
                payer=payer,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
            _send_invitation(request, invited.invitation, invited.token)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _payer_page(request, payer, invite_form=form)
    messages.success(
        request, _("An invitation went to %(email)s.") % {"email": invited.invitation.email}
    )
    return redirect("staff-wallet-payer", pk=payer.pk)


# --- the operator's report --------------------------------------------------------------------


@staff_required
def wallet_report(request):
    tenants = tenants_of(request.user)
    first = tenants.first()
    if first is None:
        raise Http404
    today = timezone.localdate()
    given = request.GET.copy()
    given.setdefault("tenant", first.code)
    given.setdefault("start", date(today.year, today.month, 1).isoformat())
    given.setdefault("end", today.isoformat())
    form = ReportForm(given, tenants=tenants)
    report = None
    if form.is_valid():
        data = form.cleaned_data
        report = operator_report(data["tenant"], data["start"], data["end"])
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(operator_report_xlsx(report), content_type=XLSX_CONTENT_TYPE)
            name = f"coupons-{report.tenant.code}-{report.start}-{report.end}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    context = {"form": form, "report": report, "section": "wallets"}
    return render(request, "wallets/staff/report.html", context)
