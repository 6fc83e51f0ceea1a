"""Coupons, from issue to use or release: issuing a batch blocks its amount in the wallet, a
clerk's redemption spends it, cancelling or expiry releases it. A coupon's number is 12 random
digits and a check digit, printed in groups of four."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import status

from core.money import format_minor
from invoicing.references import check_digit_valid, with_check_digit
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.core.outbox import COUPON_REDEEMED, events_enqueue, supplier_event_write
from splitting.models import TransactionKind
from wallets.models import (
    ISSUING_ROLES,
    Coupon,
    CouponBatch,
    CouponStatus,
    Fee,
    MovementKind,
    Wallet,
)
from wallets.services.booking import (
    FEE_INCOME,
    audit,
    available_code,
    blocked_code,
    movement_record,
)
from wallets.services.errors import CouponConflict, WalletRefused
from wallets.services.payers import require_role
from warehouse.models import Tenant

MAX_BATCH = 500
IDENTIFIER_DIGITS = 12


# --- numbers and validity -------------------------------------------------------------------


def identifier_normalise(text: str) -> str:
    """What a clerk typed or a scanner sent: spaces and dashes dropped."""
    return "".join(ch for ch in str(text) if ch not in " -\u00a0\t")


def identifier_valid(text: str) -> bool:
    return len(text) == IDENTIFIER_DIGITS + 1 and check_digit_valid(text)


def identifier_format(identifier: str) -> str:
    return " ".join(identifier[i : i + 4] for i in range(0, len(identifier), 4))


def _new_identifiers(count: int) -> list[str]:
    fresh: set[str] = set()
    while len(fresh) < count:
        needed = count - len(fresh)
        candidates = {
            with_check_digit(str(10 ** (IDENTIFIER_DIGITS - 1) + secrets.randbelow(9 * 10**11)))
            for _ in range(needed)
        } - fresh
        taken = set(
            Coupon.objects.filter(identifier__in=candidates).values_list("identifier", flat=True)
        )
        fresh |= candidates - taken
    return sorted(fresh)[:count]


def expiry(tenant: Tenant, issued_at: datetime, days: int) -> datetime:
    """Valid through the `days`-th day after the day of issue, in the tenant's time zone."""
    zone = ZoneInfo(tenant.timezone)
    last_day = issued_at.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)


def last_valid_day(expires_at: datetime, tenant: Tenant) -> date:
    """The day a coupon is valid through, in the tenant's time zone: `expires_at` (`expiry`) is
    the first instant it is not, the midnight after that day."""
    return (expires_at - timedelta(seconds=1)).astimezone(ZoneInfo(tenant.timezone)).date()


def coupon_state(coupon: Coupon, now: datetime | None = None) -> str:
    """A valid coupon past its expiry reads expired before the sweep releases it."""
    if coupon.status == CouponStatus.VALID and coupon.expires_at <= (now or timezone.now()):
        return CouponStatus.EXPIRED
    return coupon.status


# --- issuing --------------------------------------------------------------------------------


def _check_issue(wallet: Wallet, fee: Fee, count: int) -> None:
    if not 1 <= count <= MAX_BATCH:
        raise WalletRefused(
            f"issue 1 to {MAX_BATCH} coupons at a time",
            code="bad_count",
            extra={"count": [f"Between 1 and {MAX_BATCH}."]},
        )
    if fee.tenant_id != wallet.tenant_id or not fee.active:
        raise WalletRefused(
            gettext("no such fee"), code="unknown_fee", extra={"fee": [gettext("No such fee.")]}
        )


def _coupons_create(wallet: Wallet, batch: CouponBatch, fee: Fee, count: int) -> None:
    expires_at = expiry(wallet.tenant, batch.issued_at, fee.validity_days)
    Coupon.objects.bulk_create(
        [
            Coupon(
                tenant_id=wallet.tenant_id,
                identifier=identifier,
                wallet=wallet,
                batch=batch,
                fee=fee,
                office_id=fee.office_id,
                amount=fee.amount,
                issued_at=batch.issued_at,
                expires_at=expires_at,
                status=CouponStatus.VALID,
            )
            for identifier in _new_identifiers(count)
        ]
    )


@transaction.atomic
def coupons_issue(*, wallet: Wallet, fee: Fee, count: int, actor) -> CouponBatch:
    """Blocks `count` × the fee and issues the coupons — all of them, or none when the available
    balance is short."""
    require_role(actor, wallet.payer, ISSUING_ROLES)
    _check_issue(wallet, fee, count)
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    total = fee.amount * count
    if total > locked.available:
        raise WalletRefused(
            f"{count} coupons need {total}; {locked.available} is available",
            code="insufficient_funds",
            extra={"required": total, "available": locked.available},
        )
    now = timezone.now()
    batch = CouponBatch.objects.create(
        tenant_id=locked.tenant_id,
        wallet=locked,
        fee=fee,
        count=count,
        amount_each=fee.amount,
        total=total,
        issued_by=actor,
        issued_at=now,
    )
    _coupons_create(locked, batch, fee, count)
    txn = ledger.transaction_post(
        tenant_id=locked.tenant_id,
        kind=TransactionKind.BLOCK,
        legs=[Leg(available_code(locked.pk), total), Leg(blocked_code(locked.pk), -total)],
        memo=f"{count} × {fee.code} coupons, batch {batch.pk}",
        at=now,
    )
    locked.available -= total
    locked.blocked += total
    locked.save(update_fields=["available", "blocked"])
    movement_record(locked, MovementKind.BLOCK, total, txn, actor, batch=batch, memo=fee.name[:200])
    audit(
        locked.tenant_id,
        actor,
        "wallet.coupons_issued",
        wallet=locked.pk,
        batch=batch.pk,
        fee=fee.code,
        count=count,
        total=total,
    )
    return batch


# --- releasing: cancelled or expired --------------------------------------------------------


def _release(coupon: Coupon, new_status: str, actor) -> None:
    """Inside the caller's transaction, with the coupon locked and still valid."""
    wallet = Wallet.objects.select_for_update().get(pk=coupon.wallet_id)
    txn = ledger.transaction_post(
        tenant_id=wallet.tenant_id,
        kind=TransactionKind.RELEASE,
        legs=[
            Leg(blocked_code(wallet.pk), coupon.amount),
            Leg(available_code(wallet.pk), -coupon.amount),
        ],
        memo=f"coupon {coupon.identifier} {new_status}",
    )
    wallet.blocked -= coupon.amount
    wallet.available += coupon.amount
    wallet.save(update_fields=["available", "blocked"])
    coupon.status = new_status
    coupon.released_at, coupon.released_by = txn.posted_at, actor
    coupon.save(update_fields=["status", "released_at", "released_by"])
    movement_record(
        wallet, MovementKind.RELEASE, coupon.amount, txn, actor, coupon=coupon, memo=new_status
    )
    audit(
        wallet.tenant_id,
        actor,
        f"wallet.coupon_{new_status}",
        coupon=coupon.identifier,
        amount=coupon.amount,
    )


def _state_refusal(coupon: Coupon) -> CouponConflict:
    return CouponConflict(
        f"coupon {coupon.identifier} is {coupon.status}",
        code=f"coupon_{coupon.status}",
        extra={"state": coupon.status},
    )


@transaction.atomic
def coupon_cancel(*, coupon: Coupon, actor) -> Coupon:
    locked = (
        Coupon.objects.select_for_update(of=("self",))
        .select_related("wallet__payer")
        .get(pk=coupon.pk)
    )
    require_role(actor, locked.wallet.payer, ISSUING_ROLES)
    if locked.status != CouponStatus.VALID:
        raise _state_refusal(locked)
    _release(locked, CouponStatus.CANCELLED, actor)
    return locked


def coupons_expire(now: datetime | None = None, *, limit: int = 5000) -> int:
    """Releases the coupons whose validity has passed, each in its own short transaction; the
    rows are taken with SKIP LOCKED so a redemption in progress is never waited on."""
    now = now or timezone.now()
    due = list(
        Coupon.objects.filter(status=CouponStatus.VALID, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    released = 0
    for pk in due:
        with transaction.atomic():
            coupon = (
                Coupon.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=CouponStatus.VALID, expires_at__lte=now)
                .first()
            )
            if coupon is not None:
                _release(coupon, CouponStatus.EXPIRED, None)
                released += 1
    return released


# --- redeeming at an office -----------------------------------------------------------------


def office_coupon(user, identifier: str) -> Coupon | None:
    """The coupon as an office user may see it: only coupons of their offices' fees."""
    identifier = identifier_normalise(identifier)
    if not identifier_valid(identifier) or not user.is_authenticated:
        return None
    return (
        Coupon.objects.select_related("fee", "office__supplier", "wallet__payer", "tenant")
        .filter(identifier=identifier, office__users=user, office__active=True)
        .first()
    )


@dataclass(frozen=True)
class Redemption:
    coupon: Coupon
    replayed: bool  # the same office and case reference redeemed it before


def _check_case_reference(case_reference: str) -> None:
    if not 1 <= len(case_reference) <= 100:
        raise WalletRefused(
            "a case reference of 1 to 100 characters is required",
            code="case_reference_required",
            extra={"case_reference": ["This field is required."]},
            status_code=status.HTTP_400_BAD_REQUEST,
        )


def _used_refusal(locked: Coupon) -> CouponConflict:
    return CouponConflict(
        f"coupon {locked.identifier} was already used for case {locked.case_reference}",
        code="already_used",
        extra={
            "state": locked.status,
            "case_reference": locked.case_reference,
            "used_at": locked.used_at.isoformat(),
        },
    )


def _spend(locked: Coupon, case_reference: str, actor) -> None:
    """Inside the caller's transaction, with the coupon locked and valid: the blocked amount goes
    to the office's supplier (or the operator's fee income) and the coupon is used."""
    wallet = Wallet.objects.select_for_update().get(pk=locked.wallet_id)
    receiver = (
        ledger.payable(locked.office.supplier_id) if locked.office.supplier_id else FEE_INCOME
    )
    txn = ledger.transaction_post(
        tenant_id=wallet.tenant_id,
        kind=TransactionKind.REDEEM,
        legs=[Leg(blocked_code(wallet.pk), locked.amount), Leg(receiver, -locked.amount)],
        memo=f"coupon {locked.identifier} used: {case_reference}",
    )
    wallet.blocked -= locked.amount
    wallet.spent += locked.amount
    wallet.save(update_fields=["blocked", "spent"])
    locked.status = CouponStatus.USED
    locked.used_at, locked.case_reference, locked.redeemed_by = (
        txn.posted_at,
        case_reference,
        actor,
    )
    locked.save(update_fields=["status", "used_at", "case_reference", "redeemed_by"])
    movement_record(
        wallet,
        MovementKind.REDEEM,
        locked.amount,
        txn,
        actor,
        coupon=locked,
        memo=case_reference[:200],
    )
    audit(
        wallet.tenant_id,
        actor,
        "wallet.coupon_used",
        coupon=locked.identifier,
        amount=locked.amount,
        office=locked.office.code,
        case_reference=case_reference,
    )
    if locked.office.supplier_id:
        _announce_redeemed(locked, wallet)


def _announce_redeemed(coupon: Coupon, wallet) -> None:
    """The office's supplier hears of a coupon used for it, like of a payment."""
    event = supplier_event_write(
        supplier=coupon.office.supplier,
        event=COUPON_REDEEMED,
        body={
            "coupon": {
                "identifier": coupon.identifier,
                "amount": format_minor(coupon.amount),
                "case_reference": coupon.case_reference,
                "used_at": coupon.used_at.isoformat(),
                "payer_tax_id": wallet.payer.tax_id,
                "office": coupon.office.code,
            }
        },
        at=coupon.used_at,
    )
    events_enqueue([event] if event else [])


def coupon_redeem(*, coupon: Coupon, case_reference: str, actor) -> Redemption:
    """Spends the coupon's blocked amount, once. Redeeming again with the same case reference
    answers as the first time; with another, `coupon_used` names the first."""
    case_reference = case_reference.strip()
    _check_case_reference(case_reference)
    with transaction.atomic():
        locked = (
            Coupon.objects.select_for_update(of=("self",))
            .select_related("office")
            .get(pk=coupon.pk)
        )
        if locked.status == CouponStatus.USED:
            if locked.case_reference == case_reference and locked.office_id == coupon.office_id:
                return Redemption(locked, replayed=True)
            raise _used_refusal(locked)
        if coupon_state(locked) != CouponStatus.VALID:
            locked.status = coupon_state(locked)
            raise _state_refusal(locked)
        _spend(locked, case_reference, actor)
    return Redemption(locked, replayed=False)
