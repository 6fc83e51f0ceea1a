"""The clerk's page of a coupon office (`/office/`): a clerk types the coupon's number (or a
USB/Bluetooth scanner types it and presses Enter, or the camera reads the QR code), sees what
the coupon is worth and whether it may be accepted, and records its use with the office's case
reference. The page works without JavaScript; `static/js/office.js` only adds the camera.

Who may come in: the clerks of an active office (`Office.users`); anyone else signed in gets
403. A clerk sees only the coupons of their offices' fees: any other number reads "unknown",
exactly as a number that was never issued (`office_coupon`)."""

from dataclasses import dataclass, replace
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.money import format_currency
from wallets.models import Coupon, CouponStatus
from wallets.selectors import clerk_offices
from wallets.services.coupons import (
    coupon_redeem,
    coupon_state,
    identifier_format,
    identifier_normalise,
    identifier_valid,
    last_valid_day,
    office_coupon,
)
from wallets.services.errors import CouponConflict

RECENT_REDEMPTIONS = 20
UNKNOWN = "unknown"
REDEEMED_NOW = "redeemed"


def _clerk_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        offices = list(clerk_offices(request.user).select_related("tenant", "supplier"))
        if not offices:
            raise PermissionDenied
        return view(request, offices, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class CouponNumberField(forms.CharField):
    def clean(self, value):
        number = identifier_normalise(super().clean(value) or "")
        if not identifier_valid(number):
            raise forms.ValidationError(
                _(
                    "A coupon number has 13 digits and its last one checks the others: "
                    "look at the number again."
                ),
                code="bad_number",
            )
        return number


def _number_widget():
    return forms.TextInput(
        attrs={
            "autofocus": True,
            "inputmode": "numeric",
            "autocomplete": "off",
            "spellcheck": "false",
            "maxlength": 24,
            "placeholder": "0000 0000 0000 0",
        }
    )


class VerifyForm(forms.Form):
    number = CouponNumberField(
        label=gettext_lazy("Coupon number"),
        max_length=40,
        widget=_number_widget(),
        help_text=gettext_lazy("Type the 13 digits, scan the QR code, or use the camera."),
    )


class RedeemForm(forms.Form):
    number = CouponNumberField(max_length=40, widget=forms.HiddenInput)
    case_reference = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=100,
        help_text=gettext_lazy("Your office's number of the service performed for this coupon."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


@dataclass(frozen=True)
class CouponCard:
    """What the clerk is shown of one number."""

    number: str
    state: str
    coupon: Coupon | None = None

    @property
    def formatted(self) -> str:
        return identifier_format(self.number)

    @property
    def valid_until(self) -> date | None:
        """The last day the coupon may be used, in the operator's time zone."""
        if self.coupon is None:
            return None
        return last_valid_day(self.coupon.expires_at, self.coupon.tenant)

    @property
    def receiver(self) -> str:
        supplier = self.coupon.office.supplier if self.coupon else None
        return supplier.name if supplier else (self.coupon.tenant.name if self.coupon else "")


def coupon_card(user, number: str) -> CouponCard:
    coupon = office_coupon(user, number)
    if coupon is None:
        return CouponCard(number=number, state=UNKNOWN)
    return CouponCard(number=number, state=coupon_state(coupon), coupon=coupon)


def _recent(offices) -> list[Coupon]:
    return list(
        Coupon.objects.filter(office__in=offices, status=CouponStatus.USED)
        .select_related("fee", "office", "wallet__payer", "tenant", "redeemed_by")
        .order_by("-used_at", "-pk")[:RECENT_REDEMPTIONS]
    )


def _page(request, offices, *, verify_form, card=None, redeem_form=None, refusal=None):
    if card is not None and card.state == CouponStatus.VALID and redeem_form is None:
        redeem_form = RedeemForm(initial={"number": card.number})
    if redeem_form is not None and card.state == CouponStatus.VALID:
        # The number is read: the case reference is what the clerk types next.
        verify_form.fields["number"].widget.attrs.pop("autofocus", None)
        redeem_form.fields["case_reference"].widget.attrs["autofocus"] = True
    context = {
        "offices": offices,
        "verify_form": verify_form,
        "card": card,
        "redeem_form": redeem_form if card and card.state == CouponStatus.VALID else None,
        "refusal": refusal,
        "recent": _recent(offices),
        "section": "office",
    }
    return render(request, "wallets/office/home.html", context)


@_clerk_required
def office_home(request, offices):
    """GET `?number=` verifies: a scanner's Enter submits the form, the answer is the card."""
    if "number" not in request.GET:
        return _page(request, offices, verify_form=VerifyForm())
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return _page(request, offices, verify_form=form)
    card = coupon_card(request.user, form.cleaned_data["number"])
    if request.GET.get("redeemed") and _redeemed_by(card, request.user):
        card = replace(card, state=REDEEMED_NOW)
    return _page(request, offices, verify_form=VerifyForm(), card=card)


def _redeemed_by(card: CouponCard, user) -> bool:
    """The clerk comes back from redeeming this coupon: it reads "redeemed, go ahead", not
    "already used"."""
    return card.state == CouponStatus.USED and card.coupon.redeemed_by_id == user.pk


def _card_url(number: str, **extra) -> str:
    return f"{reverse('office-home')}?{urlencode({'number': number, **extra})}"


@require_POST
@_clerk_required
def office_redeem(request, offices):
    form = RedeemForm(request.POST)
    if not form.is_valid():
        number = identifier_normalise(request.POST.get("number", ""))
        if not identifier_valid(number):
            messages.error(request, _("That is not a coupon number."))
            return redirect("office-home")
        card = coupon_card(request.user, number)
        return _page(request, offices, verify_form=VerifyForm(), card=card, redeem_form=form)
    number = form.cleaned_data["number"]
    coupon = office_coupon(request.user, number)
    if coupon is None:
        return _page(
            request,
            offices,
            verify_form=VerifyForm(),
            card=CouponCard(number=number, state=UNKNOWN),
        )
    try:
        outcome = coupon_redeem(
            coupon=coupon, case_reference=form.cleaned_data["case_reference"], actor=request.user
        )
    except CouponConflict as exc:
        card = coupon_card(request.user, number)
        return _page(
            request, offices, verify_form=VerifyForm(), card=card, refusal=_refusal(exc, card)
        )
    except ApplicationError as exc:
        form.add_error("case_reference", exc.message)
        card = coupon_card(request.user, number)
        return _page(request, offices, verify_form=VerifyForm(), card=card, redeem_form=form)
    used = outcome.coupon
    names = {
        "number": identifier_format(used.identifier),
        "amount": format_currency(used.amount, coupon.tenant),
        "case": used.case_reference,
    }
    if outcome.replayed:
        messages.info(
            request,
            _(
                "Coupon %(number)s was already recorded as used for case %(case)s; nothing more "
                "was taken."
            )
            % names,
        )
    else:
        messages.success(
            request,
            _(
                "Coupon %(number)s is used for case %(case)s: %(amount)s is paid. You may perform "
                "the service."
            )
            % names,
        )
    return redirect(_card_url(used.identifier, redeemed=1))


def _refusal(exc: CouponConflict, card: CouponCard) -> str:
    if exc.code == "already_used":
        return _(
            "Not accepted: this coupon was already used for case %(case)s. Do not perform the "
            "service for it again."
        ) % {"case": exc.extra.get("case_reference", "")}
    if card.state == CouponStatus.EXPIRED:
        return _("Not accepted: this coupon has expired.")
    if card.state == CouponStatus.CANCELLED:
        return _("Not accepted: the payer cancelled this coupon.")
    return exc.message
