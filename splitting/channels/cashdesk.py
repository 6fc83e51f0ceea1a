"""The cash desk: a cashier's shift — opened with the cash counted into the drawer, closed with
the cash counted out of it — the payments taken during it, in cash or by card, and finding the
account a payer stands for (by its number, a payment document's reference, or the payment QR
of the document scanned).

A payment is booked by `payment_post` on the "cash_desk" channel, in its own transaction (it
is the outermost service), then recorded against the shift. Its external id is
``desk:<shift>:<token>``, the token coming with the page's form, so a form sent twice books
one payment: the second `payment_post` finds the first and the desk record is looked up
before it is created. (If the process stops between the two steps, sending the form again
books nothing and records the desk row.) Each step writes an `AuditEvent` with the cashier.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.qr_scan import payload_scan
from invoicing.references import ReferenceError as BadReference
from invoicing.references import reference_parse
from splitting.channels.cashdesk_selectors import ShiftTotals, shift_totals
from splitting.core.payments import payment_post
from splitting.models import CashDeskPayment, CashShift, Channel, DeskMethod, Payment, ShiftStatus
from warehouse.models import Account, AccountLink, AuditEvent, Tenant
from warehouse.selectors import accounts_of_reference

TOKEN_RE = re.compile(r"[0-9A-Za-z_-]{16,64}")
MAX_AMOUNT = 10**13  # minor units: a hundred billion, far above any desk payment
MIN_REASON = 10  # characters: why a drawer that does not agree is closed so


class CashDeskError(ApplicationError):
    """The cash desk refused the operation (422)."""


# --- finding the account ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeskMatch:
    """The account found, and the issued document the query named (its reference, for
    `payment_post` to pay that document first), if it named one."""

    account: Account
    found_by: str  # "account_number", "reference", "qr", "supplier_number"
    document_reference: str = ""
    period: str = ""


def account_find(*, tenant: Tenant, query: str) -> DeskMatch | None:
    """The tenant's account that `query` names: a scanned payment QR (GOST, EPC or Swiss), our
    account number, a payment document's reference, or a supplier's own account number for it
    (when only one account has that number). None when nothing, or more than one, matches."""
    text = (query or "").strip()
    if not text:
        return None
    scanned = payload_scan(text)
    if scanned is not None:
        if scanned.reference:
            match = _by_reference(tenant, scanned.reference, found_by="qr")
            if match and scanned.account_number in ("", match.account.account_number):
                return match
        account = _account(tenant, scanned.account_number)
        if account is None:
            return None
        document = _issued(tenant, account=account, period=scanned.period)
        reference = document.reference if document else ""
        return DeskMatch(account, "qr", reference, scanned.period)
    account = _account(tenant, text) or _account(tenant, "".join(text.split()))
    if account is not None:
        return DeskMatch(account, "account_number")
    match = _by_reference(tenant, "".join(text.split()).upper(), found_by="reference")
    if match is not None:
        return match
    accounts = list(
        Account.objects.filter(
            pk__in=AccountLink.objects.filter(tenant=tenant, external_number=text).values(
                "account_id"
            )
        )[:2]
    )
    if len(accounts) == 1:
        return DeskMatch(accounts[0], "supplier_number")
    return None


def _account(tenant: Tenant, number: str) -> Account | None:
    if not number or len(number) > 32:
        return None
    return (
        Account.objects.select_related("tenant", "premises__building")
        .filter(tenant=tenant, account_number=number)
        .first()
    )


def _issued(tenant: Tenant, *, account=None, period="", reference="") -> PaymentDocument | None:
    documents = PaymentDocument.objects.filter(tenant=tenant, status=DocumentStatus.ISSUED)
    if reference:
        documents = documents.filter(reference=reference)
    elif account is not None and period:
        documents = documents.filter(account=account, period=period)
    else:
        return None
    return documents.select_related("account__tenant", "account__premises__building").first()


def _by_reference(tenant: Tenant, reference: str, *, found_by: str) -> DeskMatch | None:
    try:
        parsed = reference_parse(reference)
    except (BadReference, ValueError):
        return None
    document = _issued(tenant, reference=reference)
    if document is not None:
        return DeskMatch(document.account, found_by, document.reference, document.period)
    # A reference of ours whose document is not issued (superseded, or not closed yet): the
    # account it encodes, paid oldest first.
    account = (
        accounts_of_reference(tenant, parsed.account_number)
        .select_related("tenant", "premises__building")
        .first()
    )
    return DeskMatch(account, found_by, "", parsed.period) if account else None


# --- the shift ----------------------------------------------------------------------------------


def shift_open(*, tenant: Tenant, cashier, opening_cash: int) -> CashShift:
    """Opens `cashier`'s shift at `tenant`'s desk with `opening_cash` minor units in the
    drawer. A cashier has one open shift at a time."""
    if isinstance(opening_cash, bool) or not isinstance(opening_cash, int):
        raise CashDeskError("the opening cash is a whole number of minor units", code="bad_amount")
    if not 0 <= opening_cash < MAX_AMOUNT:
        raise CashDeskError("the opening cash cannot be negative", code="bad_amount")
    try:
        return _shift_open(tenant=tenant, cashier=cashier, opening_cash=opening_cash)
    except IntegrityError:
        # Two opening forms at once: the partial unique index let one through.
        raise CashDeskError("you have a shift open already", code="shift_already_open") from None


@transaction.atomic(durable=True)
def _shift_open(*, tenant, cashier, opening_cash) -> CashShift:
    if CashShift.objects.filter(cashier=cashier, status=ShiftStatus.OPEN).exists():
        raise CashDeskError("you have a shift open already", code="shift_already_open")
    shift = CashShift.objects.create(
        tenant=tenant,
        cashier=cashier,
        status=ShiftStatus.OPEN,
        opened_at=timezone.now(),
        opening_cash=opening_cash,
    )
    AuditEvent.objects.create(
        tenant=tenant,
        actor=cashier,
        action="cashdesk.shift_opened",
        detail={"shift": shift.pk, "opening_cash": opening_cash},
    )
    return shift


@transaction.atomic(durable=True)
def shift_close(*, shift: CashShift, counted_cash: int, reason: str = "") -> ShiftTotals:
    """Closes the shift with the cash counted in the drawer; its totals then carry the
    difference from what the drawer should hold (negative: a shortage). A drawer that does not
    agree closes only with the cashier's `reason` (at least `MIN_REASON` characters), kept on
    the shift and in its audit event; without one the shift stays open."""
    if isinstance(counted_cash, bool) or not isinstance(counted_cash, int):
        raise CashDeskError("the counted cash is a whole number of minor units", code="bad_amount")
    if not 0 <= counted_cash < MAX_AMOUNT:
        raise CashDeskError("the counted cash cannot be negative", code="bad_amount")
    locked = CashShift.objects.select_for_update().get(pk=shift.pk)
    if locked.status != ShiftStatus.OPEN:
        raise CashDeskError("this shift is closed already", code="shift_closed")
    reason = " ".join(str(reason or "").split())
    difference = counted_cash - shift_totals(locked).expected
    if difference and len(reason) < MIN_REASON:
        raise CashDeskError(
            _(
                "The counted cash differs from what the drawer should hold: say why (at least "
                "%(n)d characters) to close the shift."
            )
            % {"n": MIN_REASON},
            code="reason_required",
            extra={"difference": difference},
        )
    locked.status = ShiftStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closing_cash_counted = counted_cash
    locked.close_reason = reason if difference else ""
    locked.save(update_fields=["status", "closed_at", "closing_cash_counted", "close_reason"])
    totals = shift_totals(locked)
    AuditEvent.objects.create(
        tenant_id=locked.tenant_id,
        actor_id=locked.cashier_id,
        action="cashdesk.shift_closed",
        detail={
            "shift": locked.pk,
            "opening_cash": totals.opening,
            "cash_in": totals.cash_in,
            "card_in": totals.card_in,
            "expected_cash": totals.expected,
            "counted_cash": counted_cash,
            "difference": totals.difference,
            "reason": locked.close_reason,
        },
    )
    shift.status, shift.closed_at = locked.status, locked.closed_at
    shift.closing_cash_counted, shift.close_reason = counted_cash, locked.close_reason
    return totals


# --- taking a payment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskOutcome:
    desk_payment: CashDeskPayment
    created: bool  # False: the form was sent before, this is what it booked then


def desk_token() -> str:
    """The one-time token a payment form carries (its payment's external id)."""
    return uuid.uuid4().hex


def cash_payment_take(
    *,
    shift: CashShift,
    account: Account,
    amount: int,
    method: str,
    tendered: int | None = None,
    document_reference: str = "",
    token: str | None = None,
) -> DeskOutcome:
    """Takes `amount` minor units for `account` on the cashier's open `shift`, in cash
    (`tendered` what the payer handed over, the amount itself if None; the change is the rest)
    or by card. `token` is the form's one-time token: the same token books once."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount < MAX_AMOUNT:
        raise CashDeskError("the amount must be positive", code="bad_amount")
    if method not in DeskMethod.values:
        raise CashDeskError(f"unknown payment method {method!r}", code="bad_method")
    if method == DeskMethod.CARD:
        if tendered is not None:
            raise CashDeskError("a card payment has no cash tendered", code="bad_tendered")
        change = 0
    else:
        tendered = amount if tendered is None else tendered
        if isinstance(tendered, bool) or not isinstance(tendered, int) or tendered < amount:
            raise CashDeskError(
                "the cash tendered is less than the amount",
                code="tendered_short",
                extra={"tendered": ["Less than the amount."]},
            )
        change = tendered - amount
    token = token or desk_token()
    if not TOKEN_RE.fullmatch(token):
        raise CashDeskError("the form's token is malformed; reload the page", code="bad_token")
    current = CashShift.objects.filter(pk=shift.pk).values_list("status", flat=True).first()
    if current != ShiftStatus.OPEN:
        raise CashDeskError("this shift is closed; open a new one", code="shift_closed")

    def record(payment: Payment) -> None:
        """In the payment's transaction: the shift is locked against a concurrent close, so a
        payment is on an open shift's report or not booked at all."""
        locked = CashShift.objects.select_for_update().filter(pk=shift.pk).values("status")
        if locked.get()["status"] != ShiftStatus.OPEN:
            raise CashDeskError("this shift is closed; open a new one", code="shift_closed")
        CashDeskPayment.objects.create(
            payment=payment,
            shift=shift,
            method=method,
            amount=amount,
            tendered=tendered,
            change=change,
            taken_at=payment.booked_at,
        )
        AuditEvent.objects.create(
            tenant_id=shift.tenant_id,
            actor_id=shift.cashier_id,
            action="cashdesk.payment_taken",
            detail={
                "shift": shift.pk,
                "payment": payment.pk,
                "account": account.account_number,
                "amount": amount,
                "method": method,
                "tendered": tendered,
                "change": change,
            },
        )

    outcome = payment_post(
        tenant=shift.tenant,
        account=account,
        amount=amount,
        channel=Channel.CASH_DESK,
        external_id=f"desk:{shift.pk}:{token}",
        document_reference=document_reference,
        booked_with=record,
    )
    row = CashDeskPayment.objects.get(payment=outcome.payment)
    return DeskOutcome(row, created=outcome.created)
