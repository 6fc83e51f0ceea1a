"""What every corporate payer's page shares: who may see it, the page's frame, downloads, and
coupons as the pages list them.

Who may: the members of a payer (`CorporateMember`) see that payer's pages; anyone else gets
404, as do another payer's batches, coupons and invitations. Admins and issuers issue and
cancel, admins manage people; a viewer asking for those gets 403."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wallets.forms import ROLE_NAMES, STATUS_NAMES
from wallets.models import (
    ISSUING_ROLES,
    CorporateMember,
    CorporatePayer,
    CorporateRole,
    CouponStatus,
    Wallet,
)
from wallets.services.coupons import coupon_state, identifier_format, last_valid_day

SECTION = "corporate"


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


def payer_access(request, payer_id: int, roles=None) -> Access:
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
    wallet = wallet_of(payer)
    if wallet is None:
        raise Http404
    return Access(payer, member.role, wallet)


def wallet_of(payer: CorporatePayer) -> Wallet | None:
    """The payer's wallet in the tenant's currency (the one `payer_create` makes)."""
    wallets = Wallet.objects.filter(payer=payer).select_related("tenant", "payer")
    return wallets.filter(currency=payer.tenant.currency).first() or wallets.order_by("pk").first()


def corporate_page(request, template: str, access: Access | None, context: dict, *, status=200):
    """The page in the corporate section; with `access`, the payer, wallet and role beside."""
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


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def coupon_rows(coupons, tenant, now=None) -> list[dict]:
    """Each coupon with its number, state as the pages show it and last valid day."""
    now = now or timezone.now()
    rows = []
    for coupon in coupons:
        state = coupon_state(coupon, now)
        rows.append(
            {
                "coupon": coupon,
                "number": identifier_format(coupon.identifier),
                "state": state,
                "state_name": STATUS_NAMES[state],
                "valid_until": last_valid_day(coupon.expires_at, tenant),
                "cancellable": state == CouponStatus.VALID,
            }
        )
    return rows
