"""Payment terminals: the processors' check/pay protocol (payment-standards.md §7). The wire
format lives in `integrations.terminals`; here is what each command means for us. `pay` is
idempotent by the processor's `txn_id`: it is the payment's external id, unique per channel."""

from zoneinfo import ZoneInfo

from django.db import DatabaseError

from integrations.terminals import Outcome, TerminalAnswer, TerminalRequest, mask_name
from integrations.terminals.osmp import format_sum
from splitting.core.payments import PaymentConflict, PaymentRefused, payment_post
from splitting.models import Channel, TerminalProcessor
from splitting.selectors import account_position
from warehouse.models import Account


def terminal_external_id(processor: TerminalProcessor, txn_id: str) -> str:
    return f"{processor.code}:{txn_id}"


def terminal_handle(*, processor: TerminalProcessor, request: TerminalRequest) -> TerminalAnswer:
    account = Account.objects.filter(
        tenant_id=processor.tenant_id, account_number=request.account
    ).first()
    if account is None:
        return TerminalAnswer(Outcome.ACCOUNT_NOT_FOUND, request.txn_id)
    if not account.is_active:
        return TerminalAnswer(Outcome.ACCOUNT_INACTIVE, request.txn_id)
    if request.amount < processor.min_amount:
        return TerminalAnswer(Outcome.AMOUNT_TOO_SMALL, request.txn_id, amount=request.amount)
    if request.amount > processor.max_amount:
        return TerminalAnswer(Outcome.AMOUNT_TOO_LARGE, request.txn_id, amount=request.amount)
    if request.command == "check":
        try:
            due = account_position(account).total_due
        except DatabaseError:
            return TerminalAnswer(Outcome.CANNOT_CHECK, request.txn_id)
        return TerminalAnswer(
            Outcome.OK,
            request.txn_id,
            amount=request.amount,
            fields={"FIO": mask_name(account.payer_name), "DEBT": format_sum(due)},
        )
    received = None
    if request.txn_date is not None:
        received = request.txn_date.replace(tzinfo=ZoneInfo(processor.tenant.timezone))
    try:
        outcome = payment_post(
            tenant=processor.tenant,
            account=account,
            amount=request.amount,
            channel=Channel.TERMINAL,
            external_id=terminal_external_id(processor, request.txn_id),
            received_at=received,
        )
    except PaymentConflict:
        return TerminalAnswer(
            Outcome.OTHER, request.txn_id, comment="txn_id already used for another payment"
        )
    except PaymentRefused as refused:
        return TerminalAnswer(Outcome.FORBIDDEN, request.txn_id, comment=refused.message)
    except DatabaseError:
        return TerminalAnswer(Outcome.RETRY, request.txn_id)
    return TerminalAnswer(
        Outcome.OK, request.txn_id, prv_txn=str(outcome.payment.pk), amount=request.amount
    )
