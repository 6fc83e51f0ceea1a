"""The corporate payer's pages under /corporate/: the home with the wallet's balance, issuing
coupons, the batches and coupons with their PDFs, cancelling a coupon, the funding instruction,
the reports and the wallet statement, and (for admins) the people, their roles and invitations,
with the invitation page where an invited person accepts, creating an account if needed.

Who may: the members of a payer (`CorporateMember`) see that payer's pages; anyone else gets
404, as do another payer's batches, coupons and invitations. Admins and issuers issue and
cancel, admins manage people; a viewer asking for those gets 403. Views parse input, check the
role and call one service of `wallets.services`, which writes the audit rows."""

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from smtplib import SMTPException
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core.money import display_language
from core.templatetags.money import money
from wallets import reports as wallet_reports
from wallets import selectors
from wallets.documents import (
    coupon_pdf,
    coupons_pdf,
    funding_instruction_pdf,
    wallet_statement_pdf,
    wallet_statement_xlsx,
)
from wallets.forms import (
    ROLE_NAMES,
    STATUS_NAMES,
    CouponFilterForm,
    InvitationSignUpForm,
    InviteForm,
    IssueForm,
    MemberRoleForm,
    StatementForm,
)
from wallets.models import (
    ISSUING_ROLES,
    CorporateInvitation,
    CorporateMember,
    CorporatePayer,
    CorporateRole,
    Coupon,
    CouponBatch,
    CouponStatus,
    Fee,
    MovementKind,
    Wallet,
)
from wallets.selectors import corporate_home_for
from wallets.services import (
    CouponConflict,
    NotPermitted,
    WalletRefused,
    corporate_role,
    coupon_cancel,
    coupon_state,
    coupons_issue,
    identifier_format,
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_revoke,
    member_role_set,
)

BACKEND = "cabinet.auth_backends.EmailOrPhoneBackend"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUPONS_PER_PAGE = 50
BATCHES_PER_PAGE = 25
SECTION = "corporate"
KIND_NAMES = {
    MovementKind.FUNDING: _lazy("Transfer received"),
    MovementKind.BLOCK: _lazy("Coupons issued"),
    MovementKind.RELEASE: _lazy("Coupon released"),
    MovementKind.REDEEM: _lazy("Coupon used"),
}


# --- who may ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    payer: CorporatePayer
    role: str
    wallet: Wallet

    @property
    def tenant(self):
        return self.payer.tenant

    @property
    def may_issue(self) -> bool:
        return self.role in ISSUING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == CorporateRole.ADMIN


def _access(request, payer_id: int, roles=None) -> Access:
    """The user's membership of the payer (404 without one) and the role check (403)."""
    member = (
        CorporateMember.objects.select_related("payer__tenant")
        .filter(payer_id=payer_id, user=request.user)
        .first()
    )
    if member is None:
        raise Http404
    if roles is not None and member.role not in roles:
        raise PermissionDenied
    payer = member.payer
    wallet = _wallet_of(payer)
    if wallet is None:
        raise Http404
    return Access(payer, member.role, wallet)


def _wallet_of(payer: CorporatePayer) -> Wallet | None:
    """The payer's wallet in the tenant's currency (the one `payer_create` makes)."""
    wallets = Wallet.objects.filter(payer=payer).select_related("tenant", "payer")
    return wallets.filter(currency=payer.tenant.currency).first() or wallets.order_by("pk").first()


def _page(request, template: str, access: Access | None, context: dict, *, status=200):
    if access is not None:
        context = {
            "payer": access.payer,
            "wallet": access.wallet,
            "tenant": access.tenant,
            "role": access.role,
            "role_name": ROLE_NAMES[access.role],
            "may_issue": access.may_issue,
            "is_admin": access.is_admin,
            **context,
        }
    return render(request, template, {"section": SECTION, **context}, status=status)


def _valid_until(moment, zone: ZoneInfo) -> date:
    """The last valid day: `expires_at` is the midnight after it, in the tenant's zone."""
    return (moment - timedelta(seconds=1)).astimezone(zone).date()


def _coupon_rows(coupons, tenant, now=None) -> list[dict]:
    zone, now = ZoneInfo(tenant.timezone), now or timezone.now()
    rows = []
    for coupon in coupons:
        state = coupon_state(coupon, now)
        rows.append(
            {
                "coupon": coupon,
                "number": identifier_format(coupon.identifier),
                "state": state,
                "state_name": STATUS_NAMES[state],
                "valid_until": _valid_until(coupon.expires_at, zone),
                "cancellable": state == CouponStatus.VALID,
            }
        )
    return rows


# --- home ---------------------------------------------------------------------------------------


@login_required
def home(request):
    memberships = list(
        CorporateMember.objects.filter(user=request.user)
        .select_related("payer__tenant")
        .order_by("payer__name", "payer_id")
    )
    if not memberships:
        raise PermissionDenied
    if len(memberships) == 1:
        return redirect("corporate-payer", payer=memberships[0].payer_id)
    rows = [
        {"member": m, "role_name": ROLE_NAMES[m.role], "wallet": _wallet_of(m.payer)}
        for m in memberships
    ]
    return _page(request, "wallets/corporate/pick.html", None, {"rows": rows})


@login_required
def payer_home(request, payer: int):
    access = _access(request, payer)
    batches = list(
        CouponBatch.objects.filter(wallet=access.wallet).select_related("fee", "issued_by")[:5]
    )
    return _page(request, "wallets/corporate/home.html", access, {"batches": batches})


# --- issuing ------------------------------------------------------------------------------------


def _fees(tenant):
    return Fee.objects.filter(tenant=tenant, active=True).select_related("office")


def _newest_batch(wallet: Wallet) -> int:
    newest = CouponBatch.objects.filter(wallet=wallet).order_by("-pk").values_list("pk", flat=True)
    return newest.first() or 0


def _refusal_text(exc: WalletRefused, tenant) -> str:
    if exc.code == "insufficient_funds":
        return _(
            "Not issued: these coupons need %(required)s and %(available)s is available. "
            "Fund the wallet or issue fewer."
        ) % {
            "required": money(exc.extra["required"], tenant),
            "available": money(exc.extra["available"], tenant),
        }
    if exc.code == "unknown_fee":
        return _("Not issued: this fee is no longer offered.")
    return _("Not issued: %(reason)s.") % {"reason": exc.message}


@never_cache
@login_required
def issue(request, payer: int):
    """Issues a batch; the answer is the batch's page (POST-redirect-GET).

    Against a second submission of the same form (a double click, the Back button, a retry
    after a lost answer) the form carries the wallet's newest batch at the time it was drawn:
    under the wallet's row lock, a batch this user issued since then for the same fee and count
    is the one this form asked for, and the answer is that batch rather than a second one."""
    access = _access(request, payer, ISSUING_ROLES)
    fees = _fees(access.tenant)
    if request.method != "POST":
        form = IssueForm(fees=fees, initial={"seen_batch": _newest_batch(access.wallet)})
        return _issue_page(request, access, form)
    form = IssueForm(request.POST, fees=fees)
    if not form.is_valid():
        return _issue_page(request, access, form)
    fee, count = form.cleaned_data["fee"], form.cleaned_data["count"]
    try:
        with transaction.atomic():
            Wallet.objects.select_for_update().filter(pk=access.wallet.pk).first()
            earlier = (
                CouponBatch.objects.filter(
                    wallet=access.wallet,
                    pk__gt=form.cleaned_data["seen_batch"],
                    issued_by=request.user,
                    fee=fee,
                    count=count,
                )
                .order_by("pk")
                .first()
            )
            batch = earlier or coupons_issue(
                wallet=access.wallet, fee=fee, count=count, actor=request.user
            )
    except NotPermitted as exc:
        raise PermissionDenied from exc
    except WalletRefused as exc:
        form.add_error(None, _refusal_text(exc, access.tenant))
        return _issue_page(request, access, form)
    if earlier:
        messages.info(request, _("This form was sent before: here is the batch it issued."))
    else:
        messages.success(
            request,
            _("%(count)d coupons issued; %(total)s is blocked for them.")
            % {"count": batch.count, "total": money(batch.total, access.tenant)},
        )
    return redirect("corporate-batch", payer=access.payer.pk, pk=batch.pk)


def _issue_page(request, access: Access, form: IssueForm):
    access.wallet.refresh_from_db(fields=["available", "blocked", "spent", "funded"])
    context = {
        "form": form,
        "money_lang": display_language(access.tenant),
        "money_unit": money(0, access.tenant).rsplit("\N{NO-BREAK SPACE}", 1)[-1],
    }
    return _page(request, "wallets/corporate/issue.html", access, context)


# --- batches and coupons ------------------------------------------------------------------------


@login_required
def batch_list(request, payer: int):
    access = _access(request, payer)
    batches = (
        CouponBatch.objects.filter(wallet=access.wallet)
        .select_related("fee", "issued_by")
        .annotate(
            used=Count("coupons", filter=Q(coupons__status=CouponStatus.USED)),
            open=Count("coupons", filter=Q(coupons__status=CouponStatus.VALID)),
        )
        .order_by("-issued_at", "-pk")
    )
    page = Paginator(batches, BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    return _page(request, "wallets/corporate/batches.html", access, {"page": page})


def _batch(access: Access, pk: int) -> CouponBatch:
    return get_object_or_404(
        CouponBatch.objects.select_related("fee__office", "issued_by"), pk=pk, wallet=access.wallet
    )


def _coupons_for_print(queryset):
    return queryset.select_related(
        "fee", "office", "tenant", "wallet__payer", "wallet__tenant", "batch"
    ).order_by("pk")


@login_required
def batch_detail(request, payer: int, pk: int):
    access = _access(request, payer)
    batch = _batch(access, pk)
    rows = _coupon_rows(batch.coupons.select_related("fee").order_by("pk"), access.tenant)
    valid_until = rows[0]["valid_until"] if rows else None
    context = {"batch": batch, "rows": rows, "valid_until": valid_until}
    return _page(request, "wallets/corporate/batch.html", access, context)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def batch_pdf(request, payer: int, pk: int):
    access = _access(request, payer)
    batch = _batch(access, pk)
    pdf = coupons_pdf(list(_coupons_for_print(batch.coupons.all())))
    return _download(pdf, "application/pdf", f"coupons-batch-{batch.pk}.pdf")


@login_required
def batch_zip(request, payer: int, pk: int):
    """One PDF per coupon, named by its number, in a ZIP (PDFs are compressed already)."""
    access = _access(request, payer)
    batch = _batch(access, pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for coupon in _coupons_for_print(batch.coupons.all()):
            archive.writestr(f"coupon-{coupon.identifier}.pdf", coupon_pdf(coupon))
    return _download(buffer.getvalue(), "application/zip", f"coupons-batch-{batch.pk}.zip")


def _coupon(access: Access, identifier: str) -> Coupon:
    return get_object_or_404(
        _coupons_for_print(Coupon.objects.all()), identifier=identifier, wallet=access.wallet
    )


@login_required
def coupon_pdf_download(request, payer: int, identifier: str):
    access = _access(request, payer)
    coupon = _coupon(access, identifier)
    return _download(coupon_pdf(coupon), "application/pdf", f"coupon-{coupon.identifier}.pdf")


def _status_filter(status: str, now) -> Q:
    """The status as the pages show it: a valid coupon past its expiry reads expired."""
    if status == CouponStatus.VALID:
        return Q(status=CouponStatus.VALID, expires_at__gt=now)
    if status == CouponStatus.EXPIRED:
        return Q(status=CouponStatus.EXPIRED) | Q(status=CouponStatus.VALID, expires_at__lte=now)
    return Q(status=status)


@login_required
def coupon_list(request, payer: int):
    access = _access(request, payer)
    form = CouponFilterForm(request.GET or None)
    coupons = Coupon.objects.filter(wallet=access.wallet).select_related("fee").order_by("-pk")
    now = timezone.now()
    if form.is_valid():
        if form.cleaned_data["status"]:
            coupons = coupons.filter(_status_filter(form.cleaned_data["status"], now))
        if form.cleaned_data["q"]:
            coupons = coupons.filter(identifier__contains=form.cleaned_data["q"])
    page = Paginator(coupons, COUPONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": _coupon_rows(page.object_list, access.tenant, now),
        "query": query.urlencode(),
    }
    return _page(request, "wallets/corporate/coupons.html", access, context)


def _back(request, access: Access) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("corporate-coupons", kwargs={"payer": access.payer.pk})


@login_required
def coupon_cancel_view(request, payer: int, identifier: str):
    """GET asks to confirm; POST cancels and releases the coupon's amount."""
    access = _access(request, payer, ISSUING_ROLES)
    coupon = _coupon(access, identifier)
    back = _back(request, access)
    state = coupon_state(coupon)
    if state != CouponStatus.VALID:
        messages.error(
            request,
            _("Coupon %(number)s is %(state)s: it cannot be cancelled.")
            % {"number": identifier_format(coupon.identifier), "state": STATUS_NAMES[state]},
        )
        return redirect(back)
    if request.method != "POST":
        context = {"row": _coupon_rows([coupon], access.tenant)[0], "back": back}
        return _page(request, "wallets/corporate/cancel.html", access, context)
    try:
        coupon_cancel(coupon=coupon, actor=request.user)
    except NotPermitted as exc:
        raise PermissionDenied from exc
    except (WalletRefused, CouponConflict) as exc:  # used or expired meanwhile
        messages.error(request, _("Not cancelled: %(reason)s.") % {"reason": exc.message})
        return redirect(back)
    messages.success(
        request,
        _("Coupon %(number)s is cancelled; %(amount)s is available again.")
        % {
            "number": identifier_format(coupon.identifier),
            "amount": money(coupon.amount, access.tenant),
        },
    )
    return redirect(back)


# --- funding ------------------------------------------------------------------------------------


@login_required
def funding(request, payer: int):
    access = _access(request, payer)
    fundings = access.wallet.movements.filter(kind=MovementKind.FUNDING).select_related(
        "bank_credit"
    )
    context = {
        "reference": " ".join(
            access.wallet.funding_reference[i : i + 4]
            for i in range(0, len(access.wallet.funding_reference), 4)
        ),
        "fundings": list(fundings.order_by("-at", "-pk")[:20]),
    }
    return _page(request, "wallets/corporate/funding.html", access, context)


@login_required
def funding_pdf(request, payer: int):
    access = _access(request, payer)
    return _download(
        funding_instruction_pdf(access.wallet),
        "application/pdf",
        f"funding-{access.wallet.funding_reference}.pdf",
    )


# --- reports ------------------------------------------------------------------------------------


def _statement_rows(statement) -> list[dict]:
    rows = []
    for line in statement.lines:
        movement = line.movement
        if movement.coupon_id:
            what = identifier_format(movement.coupon.identifier)
            if movement.kind == MovementKind.REDEEM:
                what = _("%(number)s, case %(case)s") % {"number": what, "case": movement.memo}
        elif movement.batch_id:
            what = _("batch #%(pk)d: %(count)d × %(fee)s") % {
                "pk": movement.batch_id,
                "count": movement.batch.count,
                "fee": movement.batch.fee.name,
            }
        elif movement.bank_credit_id:
            what = " · ".join(
                part for part in (movement.bank_credit.bank_reference, movement.memo) if part
            )
        else:
            what = movement.memo
        rows.append({"line": line, "name": KIND_NAMES[movement.kind], "what": what})
    return rows


def _period(request, tenant) -> StatementForm:
    today = timezone.now().astimezone(ZoneInfo(tenant.timezone)).date()
    if "start" in request.GET or "end" in request.GET:
        return StatementForm(request.GET)
    return StatementForm({"start": today.replace(day=1).isoformat(), "end": today.isoformat()})


@login_required
def reports(request, payer: int):
    access = _access(request, payer)
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
    return _page(
        request,
        "wallets/corporate/reports.html",
        access,
        context,
        status=200 if form.is_valid() else 400,
    )


@login_required
def statement_download(request, payer: int, file_format: str):
    writers = {
        "pdf": (wallet_statement_pdf, "application/pdf"),
        "xlsx": (wallet_statement_xlsx, XLSX),
    }
    if file_format not in writers:
        raise Http404
    access = _access(request, payer)
    form = _period(request, access.tenant)
    if not form.is_valid():
        return reports(request, payer)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    write, content_type = writers[file_format]
    return _download(
        write(access.wallet, start, end),
        content_type,
        f"wallet-statement-{start:%Y%m%d}-{end:%Y%m%d}.{file_format}",
    )


# --- people -------------------------------------------------------------------------------------


def _people_page(request, access: Access, invite_form=None, *, status=200):
    members = [
        {
            "member": member,
            "role_name": ROLE_NAMES[member.role],
            "form": MemberRoleForm(initial={"role": member.role}, prefix=f"m{member.pk}"),
        }
        for member in access.payer.members.select_related("user").order_by(
            "user__email", "user__username"
        )
    ]
    pending = [
        {"invitation": invitation, "role_name": ROLE_NAMES[invitation.role]}
        for invitation in access.payer.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("invited_by")
    ]
    context = {
        "members": members,
        "pending": pending,
        "invite_form": invite_form or InviteForm(payer=access.payer),
    }
    return _page(request, "wallets/corporate/people.html", access, context, status=status)


@login_required
def people(request, payer: int):
    access = _access(request, payer, (CorporateRole.ADMIN,))
    return _people_page(request, access)


def _invitation_mail(request, access: Access, invitation: CorporateInvitation, token: str):
    link = request.build_absolute_uri(reverse("corporate-invitation", kwargs={"token": token}))
    zone = ZoneInfo(access.tenant.timezone)
    body = _(
        "Hello,\n\n%(inviter)s invites you to act for %(payer)s on Unibill as %(role)s.\n\n"
        "Accept the invitation here (the link works until %(until)s):\n%(link)s\n\n"
        "If you do not expect this, ignore this e-mail."
    ) % {
        "inviter": request.user.get_full_name() or request.user.email or request.user.username,
        "payer": access.payer.name,
        "role": ROLE_NAMES[invitation.role],
        "until": invitation.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "link": link,
    }
    subject = _("Invitation to %(payer)s on Unibill") % {"payer": access.payer.name}
    return subject, body, link


@require_POST
@login_required
def invite(request, payer: int):
    access = _access(request, payer, (CorporateRole.ADMIN,))
    form = InviteForm(request.POST, payer=access.payer)
    if not form.is_valid():
        return _people_page(request, access, form, status=400)
    try:
        created = invitation_create(
            payer=access.payer,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
    except WalletRefused as exc:
        form.add_error(None, exc.message)
        return _people_page(request, access, form, status=400)
    subject, body, link = _invitation_mail(request, access, created.invitation, created.token)
    try:
        send_mail(subject, body, None, [created.invitation.email])
    except (SMTPException, OSError):
        messages.warning(
            request,
            _(
                "The invitation is saved but the e-mail could not be sent. Send the person this "
                "link yourself: %(link)s"
            )
            % {"link": link},
        )
    else:
        messages.success(
            request,
            _("%(email)s is invited as %(role)s; the e-mail is on its way.")
            % {"email": created.invitation.email, "role": ROLE_NAMES[created.invitation.role]},
        )
    return redirect("corporate-people", payer=access.payer.pk)


@require_POST
@login_required
def member_role(request, payer: int, member: int):
    """Changes a member's role, or removes them (the button named "remove")."""
    access = _access(request, payer, (CorporateRole.ADMIN,))
    target = get_object_or_404(
        CorporateMember.objects.select_related("payer", "user"), pk=member, payer=access.payer
    )
    if "remove" in request.POST:
        role = None
    else:
        form = MemberRoleForm(request.POST, prefix=f"m{target.pk}")
        if not form.is_valid():
            messages.error(request, _("Pick a role."))
            return redirect("corporate-people", payer=access.payer.pk)
        role = form.cleaned_data["role"]
    name = target.user.email or target.user.username
    try:
        member_role_set(member=target, role=role, actor=request.user)
    except NotPermitted as exc:
        raise PermissionDenied from exc
    except WalletRefused as exc:
        if exc.code == "last_admin":
            messages.error(
                request,
                _("%(name)s is the last admin: make someone else admin first.") % {"name": name},
            )
        else:
            messages.error(request, exc.message)
        return redirect("corporate-people", payer=access.payer.pk)
    if role is None:
        messages.success(request, _("%(name)s is removed.") % {"name": name})
    else:
        messages.success(
            request, _("%(name)s is now %(role)s.") % {"name": name, "role": ROLE_NAMES[role]}
        )
    if target.user_id == request.user.pk and role is None:
        return redirect(corporate_home_for(request.user) or "home")
    if target.user_id == request.user.pk and role != CorporateRole.ADMIN:
        return redirect("corporate-payer", payer=access.payer.pk)
    return redirect("corporate-people", payer=access.payer.pk)


@require_POST
@login_required
def invitation_revoke_view(request, payer: int, pk: int):
    access = _access(request, payer, (CorporateRole.ADMIN,))
    invitation = get_object_or_404(CorporateInvitation, pk=pk, payer=access.payer)
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except WalletRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The invitation of %(email)s is revoked.") % {"email": invitation.email}
        )
    return redirect("corporate-people", payer=access.payer.pk)


# --- the invitation link ------------------------------------------------------------------------


def _existing_user(email: str):
    return (
        get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .order_by("pk")
        .first()
    )


@sensitive_post_parameters("password1", "password2")
@never_cache
def invitation(request, token: str):
    """A signed-in person accepts; an anonymous visitor whose e-mail has an account signs in
    first (and comes back here), anyone else creates an account: the e-mail is its username."""
    found = invitation_by_token(token)
    if found is None:
        return _page(request, "wallets/corporate/invitation_invalid.html", None, {}, status=404)
    context = {"invitation": found, "role_name": ROLE_NAMES[found.role], "payer": found.payer}
    if request.user.is_authenticated:
        current = corporate_role(request.user, found.payer)
        if current is not None:
            messages.info(
                request,
                _("You act for %(payer)s as %(role)s already.")
                % {"payer": found.payer.name, "role": ROLE_NAMES[current]},
            )
            return redirect("corporate-payer", payer=found.payer_id)
        if request.method == "POST":
            return _accept(request, found, request.user)
        context["other_email"] = (request.user.email or "").lower() != found.email
        return _page(request, "wallets/corporate/invitation.html", None, context)
    if _existing_user(found.email) is not None:
        messages.info(
            request,
            _("%(email)s has an account already: sign in, and the invitation opens again.")
            % {"email": found.email},
        )
        login_url = reverse("staff-login")
        return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
    form = InvitationSignUpForm(request.POST or None, email=found.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=found.email, email=found.email, password=form.cleaned_data["password1"]
                )
                invitation_accept(invitation=found, user=user)
        except IntegrityError:  # the same e-mail signed up a moment ago
            return redirect(request.get_full_path())
        except WalletRefused:
            return _page(request, "wallets/corporate/invitation_invalid.html", None, {}, status=404)
        login(request, user, backend=BACKEND)
        messages.success(
            request,
            _("Welcome! You act for %(payer)s as %(role)s.")
            % {"payer": found.payer.name, "role": ROLE_NAMES[found.role]},
        )
        return redirect("corporate-payer", payer=found.payer_id)
    context["form"] = form
    return _page(
        request,
        "wallets/corporate/invitation.html",
        None,
        context,
        status=400 if form.errors else 200,
    )


def _accept(request, found: CorporateInvitation, user):
    try:
        invitation_accept(invitation=found, user=user)
    except WalletRefused:
        return _page(request, "wallets/corporate/invitation_invalid.html", None, {}, status=404)
    messages.success(
        request,
        _("You act for %(payer)s as %(role)s now.")
        % {"payer": found.payer.name, "role": ROLE_NAMES[found.role]},
    )
    return redirect("corporate-payer", payer=found.payer_id)
