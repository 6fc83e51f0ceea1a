"""The corporate payer's coupons: issuing a batch, the batches and coupons with their PDFs (one
file, or a ZIP of one per coupon), and cancelling a valid coupon, which releases its amount."""

import io
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.money import NBSP, display_language, format_currency
from core.ui.redirects import safe_next
from wallets.documents.coupons import coupon_pdf, coupons_pdf
from wallets.forms import STATUS_NAMES, CouponFilterForm, IssueForm
from wallets.models import ISSUING_ROLES, Coupon, CouponBatch, CouponStatus, Fee, Wallet
from wallets.services.coupons import coupon_cancel, coupon_state, coupons_issue, identifier_format
from wallets.services.errors import CouponConflict, NotPermitted, WalletRefused
from wallets.services.issue_preview import confirm_threshold, issue_preview
from wallets.views.corporate import (
    Access,
    corporate_page,
    coupon_rows,
    download,
    payer_access,
)

COUPONS_PER_PAGE = 50
CONFIRM = "yes"  # the confirmation page's button: a batch over the threshold is issued with it
BATCHES_PER_PAGE = 25


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
            "required": format_currency(exc.extra["required"], tenant),
            "available": format_currency(exc.extra["available"], tenant),
        }
    if exc.code == "unknown_fee":
        return _("Not issued: this fee is no longer offered.")
    return _("Not issued: %(reason)s.") % {"reason": exc.message}


def _issued_before(access: Access, form: IssueForm, user) -> CouponBatch | None:
    """Under the wallet's row lock (the caller's transaction): the batch this user issued since
    the form was drawn for the same fee and count, which is the one this form asked for."""
    Wallet.objects.select_for_update().filter(pk=access.wallet.pk).first()
    return (
        CouponBatch.objects.filter(
            wallet=access.wallet,
            pk__gt=form.cleaned_data["seen_batch"],
            issued_by=user,
            fee=form.cleaned_data["fee"],
            count=form.cleaned_data["count"],
        )
        .order_by("pk")
        .first()
    )


@never_cache
@login_required
def issue(request, payer: int):
    """Issues a batch; the answer is the batch's page (POST-redirect-GET). A batch blocking
    more than the threshold (`wallets.services.issue_preview`) is answered first with a page to
    confirm it; only the POST carrying `confirm` issues it.

    Against a second submission of the same form (a double click, the Back button, a retry
    after a lost answer) the form carries the wallet's newest batch at the time it was drawn:
    under the wallet's row lock, a batch this user issued since then for the same fee and count
    is the one this form asked for, and the answer is that batch rather than a second one."""
    access = payer_access(request, payer, ISSUING_ROLES)
    fees = _fees(access.tenant)
    if request.method != "POST":
        form = IssueForm(fees=fees, initial={"seen_batch": _newest_batch(access.wallet)})
        return _issue_page(request, access, form)
    form = IssueForm(request.POST, fees=fees)
    if not form.is_valid():
        return _issue_page(request, access, form)
    fee, count = form.cleaned_data["fee"], form.cleaned_data["count"]
    if request.POST.get("confirm") != CONFIRM:
        access.wallet.refresh_from_db(fields=["available", "blocked", "spent", "funded"])
        preview = issue_preview(wallet=access.wallet, fee=fee, count=count)
        if preview.needs_confirmation:
            return _confirm_page(request, access, form, preview)
    try:
        with transaction.atomic():
            earlier = _issued_before(access, form, request.user)
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
            % {"count": batch.count, "total": format_currency(batch.total, access.tenant)},
        )
    return redirect("corporate-batch", payer=access.payer.pk, pk=batch.pk)


def _confirm_page(request, access: Access, form: IssueForm, preview):
    """A batch over the threshold: what it blocks, the balance before and after, the validity;
    the same form again with `confirm`, so the answer is the issue (or the batch it issued)."""
    context = {"form": form, "preview": preview, "confirm": CONFIRM}
    return corporate_page(request, "wallets/corporate/issue_confirm.html", access, context)


def _issue_page(request, access: Access, form: IssueForm):
    access.wallet.refresh_from_db(fields=["available", "blocked", "spent", "funded"])
    context = {
        "form": form,
        "confirm_threshold": confirm_threshold(),
        "money_lang": display_language(access.tenant),
        "money_unit": format_currency(0, access.tenant).rsplit(NBSP, 1)[-1],
    }
    return corporate_page(request, "wallets/corporate/issue.html", access, context)


# --- batches and coupons ------------------------------------------------------------------------


@login_required
def batch_list(request, payer: int):
    access = payer_access(request, payer)
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
    return corporate_page(request, "wallets/corporate/batches.html", access, {"page": page})


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
    access = payer_access(request, payer)
    batch = _batch(access, pk)
    rows = coupon_rows(batch.coupons.select_related("fee").order_by("pk"), access.tenant)
    valid_until = rows[0]["valid_until"] if rows else None
    context = {"batch": batch, "rows": rows, "valid_until": valid_until}
    return corporate_page(request, "wallets/corporate/batch.html", access, context)


@login_required
def batch_pdf(request, payer: int, pk: int):
    access = payer_access(request, payer)
    batch = _batch(access, pk)
    pdf = coupons_pdf(list(_coupons_for_print(batch.coupons.all())))
    return download(pdf, "application/pdf", f"coupons-batch-{batch.pk}.pdf")


@login_required
def batch_zip(request, payer: int, pk: int):
    """One PDF per coupon, named by its number, in a ZIP (PDFs are compressed already)."""
    access = payer_access(request, payer)
    batch = _batch(access, pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for coupon in _coupons_for_print(batch.coupons.all()):
            archive.writestr(f"coupon-{coupon.identifier}.pdf", coupon_pdf(coupon))
    return download(buffer.getvalue(), "application/zip", f"coupons-batch-{batch.pk}.zip")


def _coupon(access: Access, identifier: str) -> Coupon:
    return get_object_or_404(
        _coupons_for_print(Coupon.objects.all()), identifier=identifier, wallet=access.wallet
    )


@login_required
def coupon_pdf_download(request, payer: int, identifier: str):
    access = payer_access(request, payer)
    coupon = _coupon(access, identifier)
    return download(coupon_pdf(coupon), "application/pdf", f"coupon-{coupon.identifier}.pdf")


def _status_filter(status: str, now) -> Q:
    """The status as the pages show it: a valid coupon past its expiry reads expired."""
    if status == CouponStatus.VALID:
        return Q(status=CouponStatus.VALID, expires_at__gt=now)
    if status == CouponStatus.EXPIRED:
        return Q(status=CouponStatus.EXPIRED) | Q(status=CouponStatus.VALID, expires_at__lte=now)
    return Q(status=status)


@login_required
def coupon_list(request, payer: int):
    access = payer_access(request, payer)
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
        "rows": coupon_rows(page.object_list, access.tenant, now),
        "query": query.urlencode(),
    }
    return corporate_page(request, "wallets/corporate/coupons.html", access, context)


# --- cancelling ---------------------------------------------------------------------------------


def _back(request, access: Access) -> str:
    """The list the cancel button was pressed on (its `next`, when ours), else the coupons."""
    return safe_next(request, reverse("corporate-coupons", kwargs={"payer": access.payer.pk}))


@login_required
def coupon_cancel_view(request, payer: int, identifier: str):
    """GET asks to confirm; POST cancels and releases the coupon's amount."""
    access = payer_access(request, payer, ISSUING_ROLES)
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
        context = {"row": coupon_rows([coupon], access.tenant)[0], "back": back}
        return corporate_page(request, "wallets/corporate/cancel.html", access, context)
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
            "amount": format_currency(coupon.amount, access.tenant),
        },
    )
    return redirect(back)
