"""Read queries of wallets and coupons."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from wallets.models import (
    CorporateMember,
    CorporatePayer,
    MovementKind,
    Office,
    Wallet,
    WalletMovement,
)


def member_payers(user) -> QuerySet:
    if not user.is_authenticated:
        return CorporatePayer.objects.none()
    return CorporatePayer.objects.filter(members__user=user)


def member_wallets(user) -> QuerySet:
    if not user.is_authenticated:
        return Wallet.objects.none()
    return Wallet.objects.select_related("payer", "tenant").filter(payer__members__user=user)


# --- the wallet statement (docs9) -----------------------------------------------------------


def movement_changes(kind: str, amount: int) -> tuple[int, int]:
    """What a movement does to (available, blocked): funding adds to available, issuing moves
    available to blocked, a release moves it back, a redemption spends blocked funds."""
    return {
        MovementKind.FUNDING: (amount, 0),
        MovementKind.BLOCK: (-amount, amount),
        MovementKind.RELEASE: (amount, -amount),
        MovementKind.REDEEM: (0, -amount),
    }[kind]


@dataclass(frozen=True)
class StatementLine:
    movement: WalletMovement  # with its coupon, batch (and fee) and bank credit at hand
    at: datetime  # in the tenant's time zone
    available_change: int
    blocked_change: int

    @property
    def kind(self) -> str:
        return self.movement.kind

    @property
    def available_after(self) -> int:
        return self.movement.available_after

    @property
    def blocked_after(self) -> int:
        return self.movement.blocked_after


@dataclass(frozen=True)
class KindTotal:
    kind: str
    count: int  # movements; for issuing, `coupons` counts the coupons of the batches
    amount: int
    coupons: int = 0


@dataclass(frozen=True)
class WalletStatement:
    """The movements of the days `start`…`end` (inclusive, in the tenant's time zone) with the
    balances before and after them: opening + the changes = closing, for available and for
    blocked funds alike."""

    wallet: Wallet
    start: date
    end: date
    opening_available: int
    opening_blocked: int
    closing_available: int
    closing_blocked: int
    lines: tuple[StatementLine, ...]
    totals: tuple[KindTotal, ...]  # every kind, in MovementKind's order, zeros included

    @property
    def opening_total(self) -> int:
        return self.opening_available + self.opening_blocked

    @property
    def closing_total(self) -> int:
        return self.closing_available + self.closing_blocked


def wallet_statement(wallet: Wallet, start: date, end: date) -> WalletStatement:
    """Two queries: the last movement before the period (the opening balances) and the
    period's movements in the order they were booked (under the wallet's row lock, so the
    primary key orders them)."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    zone = ZoneInfo(wallet.tenant.timezone)
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    before = (
        WalletMovement.objects.filter(wallet=wallet, at__lt=since)
        .order_by("-at", "-pk")
        .values_list("available_after", "blocked_after")
        .first()
    )
    opening_available, opening_blocked = before or (0, 0)
    movements = (
        WalletMovement.objects.filter(wallet=wallet, at__gte=since, at__lt=until)
        .select_related("coupon", "batch__fee", "bank_credit")
        .order_by("at", "pk")
    )
    lines = tuple(
        StatementLine(
            movement,
            movement.at.astimezone(zone),
            *movement_changes(movement.kind, movement.amount),
        )
        for movement in movements
    )
    totals = tuple(
        KindTotal(
            kind=kind,
            count=sum(1 for line in lines if line.kind == kind),
            amount=sum(line.movement.amount for line in lines if line.kind == kind),
            coupons=sum(
                line.movement.batch.count if line.movement.batch_id else 1
                for line in lines
                if line.kind == kind and kind != MovementKind.FUNDING
            ),
        )
        for kind in MovementKind.values
    )
    return WalletStatement(
        wallet=wallet,
        start=start,
        end=end,
        opening_available=opening_available,
        opening_blocked=opening_blocked,
        closing_available=lines[-1].available_after if lines else opening_available,
        closing_blocked=lines[-1].blocked_after if lines else opening_blocked,
        lines=lines,
        totals=totals,
    )


def corporate_home_for(user) -> str | None:
    """Where a corporate payer's people land after signing in (`config.portal`)."""
    return "corporate-home" if CorporateMember.objects.filter(user=user).exists() else None


def clerk_offices(user) -> QuerySet:
    """The active offices whose clerk `user` is."""
    if not user.is_authenticated:
        return Office.objects.none()
    return Office.objects.filter(users=user, active=True)


def office_home_for(user) -> str | None:
    """Where an office's clerks land after signing in (`config.portal`)."""
    return "office-home" if clerk_offices(user).exists() else None
