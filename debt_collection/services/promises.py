"""Promises to pay. A promise takes the case out of the queue until its date; the account's
booked payments since the promise was made keep it; past its date unpaid it is broken and the
case goes back to the queue with the `promise_broken` flag."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.money import format_minor
from debt_collection.models import (
    WORKED_STAGES,
    CaseEventKind,
    CaseStage,
    CollectionSettings,
    DebtCase,
    PromiseStatus,
    PromiseToPay,
    SystemNote,
)
from debt_collection.selectors import account_overdue, paid_since
from debt_collection.services.cases import CaseRefused, _event, _open, audit, case_close


@transaction.atomic
def promise_record(*, case: DebtCase, amount: int, due_date: date, actor) -> PromiseToPay:
    """Records a promise of `amount` minor units by `due_date` (today … today +
    promise_max_days of the tenant's settings); the case leaves the queue."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise CaseRefused(_("the promised amount must be positive"), code="bad_amount")
    today = timezone.localdate()
    limit = CollectionSettings.for_tenant(case.tenant).promise_max_days
    if due_date < today:
        raise CaseRefused(_("the promised date is in the past"), code="promise_past")
    if due_date > today + timedelta(days=limit):
        raise CaseRefused(
            _("a promise may be dated at most %(limit)s days ahead") % {"limit": limit},
            code="promise_too_far",
        )
    locked = _open(case)
    if locked.stage not in (*WORKED_STAGES, CaseStage.PROMISED):
        raise CaseRefused(
            _("the case is at the stage «%(stage)s»") % {"stage": locked.get_stage_display()},
            code="bad_stage",
        )
    now = timezone.now()
    previous = PromiseToPay.objects.filter(case=locked, status=PromiseStatus.OPEN).first()
    if previous is not None:
        previous.status, previous.resolved_at = PromiseStatus.SUPERSEDED, now
        previous.save(update_fields=["status", "resolved_at"])
    promise = PromiseToPay.objects.create(
        tenant_id=locked.tenant_id,
        case=locked,
        account=locked.account,
        amount=amount,
        due_date=due_date,
        created_at=now,
        created_by=actor,
    )
    locked.stage, locked.promise_broken, locked.callback_at = CaseStage.PROMISED, False, None
    locked.save(update_fields=["stage", "promise_broken", "callback_at"])
    _event(
        locked,
        CaseEventKind.PROMISE,
        actor=actor,
        at=now,
        note=SystemNote(
            gettext_noop("promised %(amount_minor)s by %(due_date)s"),
            amount_minor=format_minor(amount),
            due_date=f"{due_date:%Y-%m-%d}",
        ),
        promise=promise.pk,
        amount=amount,
        due_date=f"{due_date:%Y-%m-%d}",
    )
    audit(
        case=locked,
        action="debt_case.promise",
        actor=actor,
        amount=amount,
        due_date=f"{due_date:%Y-%m-%d}",
    )
    return promise


def _back_to_queue_or_close(case: DebtCase, on: date, why: str) -> None:
    if account_overdue(case.account, on=on) <= 0:
        case_close(case=case, reason=why)
    else:
        case.stage = CaseStage.QUEUE
        case.save(update_fields=["stage"])


def _check_one(promise: PromiseToPay, on: date) -> str:
    """ "kept", "broken" or "open" for one (locked) promise."""
    case = promise.case
    paid = paid_since(promise.account, promise.created_at)
    now = timezone.now()
    if paid != promise.paid:
        promise.paid = paid
        promise.save(update_fields=["paid"])
    if paid >= promise.amount:
        promise.status, promise.resolved_at = PromiseStatus.KEPT, now
        promise.save(update_fields=["status", "resolved_at"])
        _event(
            case,
            CaseEventKind.PROMISE,
            at=now,
            note=SystemNote(gettext_noop("promise kept")),
            promise=promise.pk,
        )
        if case.stage == CaseStage.PROMISED:
            case.promise_broken = False
            case.save(update_fields=["promise_broken"])
            _back_to_queue_or_close(
                case, on, SystemNote(gettext_noop("promise kept, nothing overdue"))
            )
        return "kept"
    if on > promise.due_date:
        promise.status, promise.resolved_at = PromiseStatus.BROKEN, now
        promise.save(update_fields=["status", "resolved_at"])
        if case.stage == CaseStage.PROMISED:
            case.stage, case.promise_broken = CaseStage.QUEUE, True
            case.save(update_fields=["stage", "promise_broken"])
        _event(
            case,
            CaseEventKind.PROMISE,
            at=now,
            note=SystemNote(
                gettext_noop(
                    "promise broken: %(paid_minor)s of %(amount_minor)s paid by %(due_date)s"
                ),
                paid_minor=format_minor(paid),
                amount_minor=format_minor(promise.amount),
                due_date=f"{promise.due_date:%Y-%m-%d}",
            ),
            promise=promise.pk,
            broken=True,
            paid=paid,
        )
        return "broken"
    return "open"


def promises_check(*, on: date, case: DebtCase | None = None) -> dict[str, int]:
    """Checks every open promise (or the one of `case`), each in its own short transaction.
    {"kept": n, "broken": n, "open": n}."""
    counts = {"kept": 0, "broken": 0, "open": 0}
    pending = PromiseToPay.objects.filter(status=PromiseStatus.OPEN)
    if case is not None:
        pending = pending.filter(case=case)
    for pk in pending.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            promise = (
                PromiseToPay.objects.select_for_update()
                .select_related("case__account", "account")
                .filter(pk=pk, status=PromiseStatus.OPEN)
                .first()
            )
            if promise is None:
                continue
            DebtCase.objects.select_for_update().filter(pk=promise.case_id).first()
            counts[_check_one(promise, on)] += 1
    return counts
