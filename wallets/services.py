"""Wallet and coupon operations. Each is one database transaction that locks what it changes —
lock order: a coupon before its wallet — updates the wallet's counters, writes the statement
line and books the same amounts in the ledger:

- funding:  clearing:bank → wallet:<id>            (the payer's money, owed to them)
- issuing:  wallet:<id> → wallet_blocked:<id>       (held for the coupons)
- release:  wallet_blocked:<id> → wallet:<id>       (cancelled or expired)
- redeeming: wallet_blocked:<id> → payable:<supplier> or fee_income (spent)

A refused operation raises before writing anything."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from rest_framework import status

from core.errors import ApplicationError
from invoicing.references import check_digit_valid, rf_creditor_reference, with_check_digit
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.models import BankCredit, Channel, TransactionKind
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
    WalletMovement,
)
from warehouse.models import AuditEvent, Tenant
from warehouse.scoping import staff_tenant_ids

FEE_INCOME = "fee_income"
MAX_BATCH = 500
IDENTIFIER_DIGITS = 12
INVITATION_DAYS = 7


def available_code(wallet_id: int) -> str:
    return f"wallet:{wallet_id}"


def blocked_code(wallet_id: int) -> str:
    return f"wallet_blocked:{wallet_id}"


class WalletRefused(ApplicationError):
    """The operation is not allowed as asked (422); nothing was written."""


class NotPermitted(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN


class CouponConflict(ApplicationError):
    """The coupon is not valid any more: used, cancelled or expired (409)."""

    status_code = status.HTTP_409_CONFLICT


# --- corporate payers and their people ------------------------------------------------------


def _audit(tenant_id: int, actor, action: str, **detail) -> None:
    AuditEvent.objects.create(tenant_id=tenant_id, actor=actor, action=action, detail=detail)


def corporate_role(user, payer: CorporatePayer) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        CorporateMember.objects.filter(payer=payer, user=user)
        .values_list("role", flat=True)
        .first()
    )


def require_role(user, payer: CorporatePayer, roles) -> str:
    role = corporate_role(user, payer)
    if role not in roles:
        raise NotPermitted(
            "your role for this payer does not allow this", code="role_not_permitted"
        )
    return role


def _funding_reference(tenant: Tenant) -> str:
    """A new RF reference, body W + 10 random digits: never one of a document's (those start
    with an account number and end with a period), and hard to mistype into another wallet's."""
    while True:
        reference = rf_creditor_reference(f"W{secrets.randbelow(10**10):010d}")
        if not Wallet.objects.filter(tenant=tenant, funding_reference=reference).exists():
            return reference


@transaction.atomic
def payer_create(*, tenant: Tenant, name: str, tax_id: str, actor, **contacts) -> CorporatePayer:
    """The payer and its wallet in the tenant's currency."""
    if CorporatePayer.objects.filter(tenant=tenant, tax_id=tax_id).exists():
        raise WalletRefused(
            f"a corporate payer with tax id {tax_id} exists",
            code="payer_exists",
            extra={"tax_id": ["A payer with this tax id exists."]},
        )
    now = timezone.now()
    payer = CorporatePayer.objects.create(
        tenant=tenant, name=name, tax_id=tax_id, created_at=now, **contacts
    )
    wallet = Wallet.objects.create(
        tenant=tenant,
        payer=payer,
        currency=tenant.currency,
        funding_reference=_funding_reference(tenant),
        created_at=now,
    )
    _audit(tenant.pk, actor, "wallet.payer_created", payer=payer.pk, wallet=wallet.pk, name=name)
    return payer


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    invitation: CorporateInvitation
    token: str  # shown once, in the e-mail's link


@transaction.atomic
def invitation_create(*, payer: CorporatePayer, email: str, role: str, actor) -> Invitation:
    """Admins of the payer invite people (operator staff invite the first admin)."""
    if not (actor.is_superuser or payer.tenant_id in staff_tenant_ids(actor)):
        require_role(actor, payer, (CorporateRole.ADMIN,))
    if role not in CorporateRole.values:
        raise WalletRefused(f"no role {role!r}", code="bad_role", extra={"role": ["Pick a role."]})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = CorporateInvitation.objects.create(
        payer=payer,
        email=email.strip().lower(),
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    _audit(
        payer.tenant_id,
        actor,
        "wallet.user_invited",
        payer=payer.pk,
        email=invitation.email,
        role=role,
    )
    return Invitation(invitation, token)


def invitation_by_token(token: str) -> CorporateInvitation | None:
    invitation = (
        CorporateInvitation.objects.select_related("payer")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    if invitation.expires_at <= timezone.now():
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: CorporateInvitation, user) -> CorporateMember:
    locked = CorporateInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at or locked.revoked_at or locked.expires_at <= timezone.now():
        raise WalletRefused("this invitation is no longer valid", code="invitation_invalid")
    if CorporateMember.objects.filter(payer_id=locked.payer_id, user=user).exists():
        raise WalletRefused(
            "you are a member of this payer already; an admin changes roles on the people page",
            code="already_member",
        )
    now = timezone.now()
    member = CorporateMember.objects.create(
        payer_id=locked.payer_id, user=user, role=locked.role, added_at=now
    )
    locked.accepted_at, locked.accepted_by = now, user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    _audit(
        locked.payer.tenant_id,
        user,
        "wallet.invitation_accepted",
        payer=locked.payer_id,
        role=locked.role,
    )
    return member


@transaction.atomic
def invitation_revoke(*, invitation: CorporateInvitation, actor) -> CorporateInvitation:
    """An admin withdraws a pending invitation; its link stops working."""
    locked = (
        CorporateInvitation.objects.select_for_update()
        .select_related("payer")
        .get(pk=invitation.pk)
    )
    require_role(actor, locked.payer, (CorporateRole.ADMIN,))
    if locked.accepted_at or locked.revoked_at:
        raise WalletRefused(
            "this invitation was accepted or revoked already", code="invitation_closed"
        )
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    _audit(
        locked.payer.tenant_id,
        actor,
        "wallet.invitation_revoked",
        payer=locked.payer_id,
        email=locked.email,
    )
    return locked


@transaction.atomic
def member_role_set(*, member: CorporateMember, role: str | None, actor) -> None:
    """Grants another role, or removes the person (`role=None`). The last admin stays."""
    require_role(actor, member.payer, (CorporateRole.ADMIN,))
    admins = CorporateMember.objects.select_for_update().filter(
        payer=member.payer, role=CorporateRole.ADMIN
    )
    if member.role == CorporateRole.ADMIN and role != CorporateRole.ADMIN and admins.count() == 1:
        raise WalletRefused("a payer keeps at least one admin", code="last_admin")
    if role is None:
        member.delete()
    else:
        if role not in CorporateRole.values:
            raise WalletRefused(f"no role {role!r}", code="bad_role")
        member.role = role
        member.save(update_fields=["role"])
    _audit(
        member.payer.tenant_id,
        actor,
        "wallet.member_role_set",
        payer=member.payer_id,
        user=member.user_id,
        role=role or "removed",
    )


# --- money in -------------------------------------------------------------------------------


def _movement(wallet: Wallet, kind: str, amount: int, txn, actor=None, **links) -> WalletMovement:
    return WalletMovement.objects.create(
        wallet=wallet,
        kind=kind,
        amount=amount,
        available_after=wallet.available,
        blocked_after=wallet.blocked,
        transaction=txn,
        at=txn.posted_at,
        actor=actor,
        **links,
    )


def wallet_for_reference(tenant: Tenant, text: str) -> Wallet | None:
    compact = "".join(text.split()).upper()
    if not compact.startswith("RF"):
        return None
    return Wallet.objects.filter(tenant=tenant, funding_reference=compact).first()


@transaction.atomic
def wallet_fund(*, wallet: Wallet, credit: BankCredit, actor=None) -> WalletMovement:
    """Books a bank credit (already saved, status matched) as the wallet's funding."""
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    txn = ledger.transaction_post(
        tenant_id=locked.tenant_id,
        kind=TransactionKind.FUNDING,
        legs=[
            Leg(ledger.clearing(Channel.BANK), credit.amount),
            Leg(available_code(locked.pk), -credit.amount),
        ],
        memo=f"wallet {locked.funding_reference} funded ({credit.bank_reference})",
    )
    locked.funded += credit.amount
    locked.available += credit.amount
    locked.save(update_fields=["funded", "available"])
    movement = _movement(
        locked,
        MovementKind.FUNDING,
        credit.amount,
        txn,
        actor,
        bank_credit=credit,
        memo=credit.payer_name[:200],
    )
    _audit(
        locked.tenant_id,
        actor,
        "wallet.funded",
        wallet=locked.pk,
        amount=credit.amount,
        credit=credit.pk,
    )
    return movement


# --- coupons --------------------------------------------------------------------------------


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


@transaction.atomic
def coupons_issue(*, wallet: Wallet, fee: Fee, count: int, actor) -> CouponBatch:
    """Blocks `count` × the fee and issues the coupons — all of them, or none when the available
    balance is short."""
    require_role(actor, wallet.payer, ISSUING_ROLES)
    if not 1 <= count <= MAX_BATCH:
        raise WalletRefused(
            f"issue 1 to {MAX_BATCH} coupons at a time",
            code="bad_count",
            extra={"count": [f"Between 1 and {MAX_BATCH}."]},
        )
    if fee.tenant_id != wallet.tenant_id or not fee.active:
        raise WalletRefused("no such fee", code="unknown_fee", extra={"fee": ["No such fee."]})
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
    expires_at = expiry(locked.tenant, now, fee.validity_days)
    Coupon.objects.bulk_create(
        [
            Coupon(
                tenant_id=locked.tenant_id,
                identifier=identifier,
                wallet=locked,
                batch=batch,
                fee=fee,
                office_id=fee.office_id,
                amount=fee.amount,
                issued_at=now,
                expires_at=expires_at,
                status=CouponStatus.VALID,
            )
            for identifier in _new_identifiers(count)
        ]
    )
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
    _movement(locked, MovementKind.BLOCK, total, txn, actor, batch=batch, memo=fee.name[:200])
    _audit(
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
    _movement(
        wallet, MovementKind.RELEASE, coupon.amount, txn, actor, coupon=coupon, memo=new_status
    )
    _audit(
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


def coupon_state(coupon: Coupon, now: datetime | None = None) -> str:
    """A valid coupon past its expiry reads expired before the sweep releases it."""
    if coupon.status == CouponStatus.VALID and coupon.expires_at <= (now or timezone.now()):
        return CouponStatus.EXPIRED
    return coupon.status


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


def coupon_redeem(*, coupon: Coupon, case_reference: str, actor) -> Redemption:
    """Spends the coupon's blocked amount, once. Redeeming again with the same case reference
    answers as the first time; with another, `coupon_used` names the first."""
    case_reference = case_reference.strip()
    if not 1 <= len(case_reference) <= 100:
        raise WalletRefused(
            "a case reference of 1 to 100 characters is required",
            code="case_reference_required",
            extra={"case_reference": ["This field is required."]},
            status_code=status.HTTP_400_BAD_REQUEST,
        )
    with transaction.atomic():
        locked = (
            Coupon.objects.select_for_update(of=("self",))
            .select_related("office")
            .get(pk=coupon.pk)
        )
        if locked.status == CouponStatus.USED:
            if locked.case_reference == case_reference and locked.office_id == coupon.office_id:
                return Redemption(locked, replayed=True)
            raise CouponConflict(
                f"coupon {locked.identifier} was already used for case {locked.case_reference}",
                code="already_used",
                extra={
                    "state": locked.status,
                    "case_reference": locked.case_reference,
                    "used_at": locked.used_at.isoformat(),
                },
            )
        if coupon_state(locked) != CouponStatus.VALID:
            locked.status = coupon_state(locked)
            raise _state_refusal(locked)
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
        _movement(
            wallet,
            MovementKind.REDEEM,
            locked.amount,
            txn,
            actor,
            coupon=locked,
            memo=case_reference[:200],
        )
        _audit(
            wallet.tenant_id,
            actor,
            "wallet.coupon_used",
            coupon=locked.identifier,
            amount=locked.amount,
            office=locked.office.code,
            case_reference=case_reference,
        )
    return Redemption(locked, replayed=False)


# --- offices --------------------------------------------------------------------------------


def office_service_username(office) -> str:
    return f"office-{office.tenant.code}-{office.code}"[:150]


@transaction.atomic
def office_api_token_issue(*, office, actor) -> str:
    """A new API token for the office's system, replacing any earlier one (which stops working
    at once). The system signs in as the office's service user — a clerk of the office without
    a password — so it sees exactly the coupons the office's clerks see."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user, created = get_user_model().objects.get_or_create(
        username=office_service_username(office),
        defaults={"first_name": office.name[:150], "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    office.users.add(user)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    _audit(office.tenant_id, actor, "wallet.office_token_issued", office=office.code, user=user.pk)
    return token.key
