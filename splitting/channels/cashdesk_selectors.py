"""Reads of the cash desk: a cashier's open shift, a shift's totals and payments, a desk
payment with what it paid. Amounts in minor units. Who may see what: the operator admins and
accountants of the shift's tenant (`selectors.settlement_tenants`), the cashier among them."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from splitting.models import CashDeskPayment, CashShift, DeskMethod, PaymentStatus, ShiftStatus
from splitting.selectors import settlement_tenants

RECENT_SHIFTS = 10


def open_shift_of(user) -> CashShift | None:
    if not user.is_authenticated:
        return None
    return (
        CashShift.objects.select_related("tenant")
        .filter(cashier=user, status=ShiftStatus.OPEN)
        .first()
    )


def shifts_of(user) -> QuerySet[CashShift]:
    return CashShift.objects.select_related("tenant", "cashier").filter(
        tenant__in=settlement_tenants(user)
    )


def shift_of(user, pk: int) -> CashShift | None:
    return shifts_of(user).filter(pk=pk).first()


def recent_shifts_of(user) -> list[CashShift]:
    """The cashier's own last closed shifts, newest first (their hand-over reports)."""
    rows = shifts_of(user).filter(cashier=user, status=ShiftStatus.CLOSED)
    return list(rows.order_by("-opened_at", "-pk")[:RECENT_SHIFTS])


def desk_payment_of(user, payment_pk: int) -> CashDeskPayment | None:
    """The desk record of payment `payment_pk`, with its payment, account, shift and tenant."""
    return (
        CashDeskPayment.objects.select_related(
            "payment",
            "payment__account",
            "payment__account__premises__building",
            "shift",
            "shift__tenant",
            "shift__cashier",
        )
        .filter(payment_id=payment_pk, shift__tenant__in=settlement_tenants(user))
        .first()
    )


def shift_payments(shift: CashShift) -> QuerySet[CashDeskPayment]:
    return (
        CashDeskPayment.objects.filter(shift=shift)
        .select_related("payment", "payment__account")
        .order_by("taken_at", "pk")
    )


@dataclass(frozen=True)
class ShiftTotals:
    """What a shift took, and what its drawer should hold: the opening cash plus the cash taken,
    less the cash handed back for payments reversed while the shift was open (card payments
    never reach the drawer; a reversal after the close is an accounting correction, the cash
    had already been handed over). `counted` and `difference` (counted − expected: negative is
    a shortage) once it is closed."""

    opening: int
    cash_in: int
    card_in: int
    cash_count: int
    card_count: int
    counted: int | None
    cash_returned: int = 0
    returned_count: int = 0

    @property
    def expected(self) -> int:
        return self.opening + self.cash_in - self.cash_returned

    @property
    def total_in(self) -> int:
        return self.cash_in + self.card_in

    @property
    def count(self) -> int:
        return self.cash_count + self.card_count

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected


def shift_totals(shift: CashShift) -> ShiftTotals:
    cash, card = Q(method=DeskMethod.CASH), Q(method=DeskMethod.CARD)
    returned = cash & Q(payment__status=PaymentStatus.REVERSED)
    if shift.closed_at is not None:
        returned &= Q(payment__reversed_at__lte=shift.closed_at)
    sums = CashDeskPayment.objects.filter(shift=shift).aggregate(
        cash_in=Coalesce(Sum("amount", filter=cash), 0),
        card_in=Coalesce(Sum("amount", filter=card), 0),
        cash_count=Count("pk", filter=cash),
        card_count=Count("pk", filter=card),
        cash_returned=Coalesce(Sum("amount", filter=returned), 0),
        returned_count=Count("pk", filter=returned),
    )
    return ShiftTotals(opening=shift.opening_cash, counted=shift.closing_cash_counted, **sums)
