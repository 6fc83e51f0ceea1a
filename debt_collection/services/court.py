"""Court and enforcement: filing a claim, the decision, the bailiffs' enforcement and what they
collect. Each step moves the debt case (COURT, then ENFORCEMENT) and writes a case event and an
audit row. Amounts in minor units.

What enforcement collected is either entered by staff (`collection_record(amount=…)`, as the
bailiff's statement says) or read from the account's booked payments since enforcement opened
(`collection_record(amount=None)`), capped at what the court awarded plus the state fee."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.errors import ApplicationError
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseStage,
    CourtProceeding,
    DebtCase,
    ProceedingStage,
    SystemNote,
)
from splitting.models import Payment, PaymentStatus
from warehouse.models import AuditEvent


def _refuse(message: str, code: str, status: int = 422):
    raise ApplicationError(message, code=code, status_code=status)


def _move(case: DebtCase, stage: str, *, actor, at, note: str = "") -> None:
    if case.stage == stage:
        return
    old = case.stage
    case.stage = stage
    case.save(update_fields=["stage"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.STAGE,
        note=note,
        detail={"from": old, "to": stage},
        actor=actor,
        at=at,
    )


def _audit(proceeding: CourtProceeding, action: str, actor, **detail) -> None:
    AuditEvent.objects.create(
        tenant_id=proceeding.tenant_id,
        actor=actor,
        action=f"collections.court_{action}",
        detail={"case": proceeding.case_id, "proceeding": proceeding.pk, **detail},
    )


def _today(case: DebtCase) -> dt.date:
    return timezone.localdate(timezone=ZoneInfo(case.tenant.timezone or "UTC"))


@transaction.atomic
def court_file(
    *,
    case: DebtCase,
    court_name: str,
    filed_on: dt.date,
    amount_claimed: int,
    state_fee: int = 0,
    case_number: str = "",
    hearing_on: dt.date | None = None,
    actor=None,
) -> CourtProceeding:
    """A claim filed with a court; the case goes to the COURT stage."""
    case = DebtCase.objects.select_for_update().get(pk=case.pk)
    if case.stage == CaseStage.CLOSED:
        _refuse(gettext("the case is closed"), "case_closed", 409)
    if not court_name.strip():
        _refuse(gettext("name the court"), "no_court")
    if amount_claimed <= 0:
        _refuse(gettext("the amount claimed must be positive"), "amount_not_positive")
    if state_fee < 0:
        _refuse(gettext("the state fee cannot be negative"), "negative_fee")
    if filed_on > _today(case):
        _refuse(gettext("a claim cannot be filed in the future"), "date_in_future")
    if hearing_on and hearing_on < filed_on:
        _refuse(gettext("the hearing cannot be before the filing"), "hearing_before_filing")
    now = timezone.now()
    try:
        with transaction.atomic():
            proceeding = CourtProceeding.objects.create(
                tenant_id=case.tenant_id,
                case=case,
                court_name=court_name.strip()[:300],
                filed_on=filed_on,
                case_number=case_number.strip()[:60],
                hearing_on=hearing_on,
                amount_claimed=amount_claimed,
                state_fee=state_fee,
                created_by=actor,
                created_at=now,
            )
    except IntegrityError:
        _refuse(gettext("the case already has a proceeding open"), "proceeding_open", 409)
    _move(case, CaseStage.COURT, actor=actor, at=now, note=court_name.strip())
    _audit(proceeding, "file", actor, claimed=amount_claimed)
    return proceeding


def _locked(proceeding: CourtProceeding) -> CourtProceeding:
    return (
        CourtProceeding.objects.select_for_update()
        .select_related("case", "tenant")
        .get(pk=proceeding.pk)
    )


@transaction.atomic
def court_decide(
    *,
    proceeding: CourtProceeding,
    decided_on: dt.date,
    amount_awarded: int,
    case_number: str = "",
    note: str = "",
    actor=None,
) -> CourtProceeding:
    """The court's decision. More than was claimed is refused unless a note says why."""
    proceeding = _locked(proceeding)
    if proceeding.stage != ProceedingStage.COURT:
        _refuse(gettext("the decision is recorded while the claim is in court"), "wrong_stage", 409)
    if decided_on < proceeding.filed_on:
        _refuse(gettext("the decision cannot be before the filing"), "decided_before_filing")
    if decided_on > _today(proceeding.case):
        _refuse(gettext("a decision cannot be dated in the future"), "date_in_future")
    if amount_awarded < 0:
        _refuse(gettext("the amount awarded cannot be negative"), "negative_award")
    if amount_awarded > proceeding.amount_claimed and not note.strip():
        _refuse(
            gettext("more awarded than claimed: say why in the note"),
            "awarded_over_claimed_without_note",
        )
    proceeding.decided_on = decided_on
    proceeding.amount_awarded = amount_awarded
    proceeding.award_note = note.strip()[:300]
    if case_number.strip():
        proceeding.case_number = case_number.strip()[:60]
    proceeding.save()
    CaseEvent.objects.create(
        case=proceeding.case,
        kind=CaseEventKind.NOTE,
        note=(
            note := SystemNote(gettext_noop("decision: %(number)s"), number=proceeding.case_number)
        ),
        detail={"proceeding": proceeding.pk, "awarded": amount_awarded, "said": note.said()},
        actor=actor,
        at=timezone.now(),
    )
    _audit(proceeding, "decide", actor, awarded=amount_awarded)
    return proceeding


@transaction.atomic
def enforcement_open(
    *,
    proceeding: CourtProceeding,
    opened_on: dt.date,
    writ_number: str,
    bailiff_office: str,
    actor=None,
) -> CourtProceeding:
    """The writ goes to the bailiffs; the case goes to the ENFORCEMENT stage."""
    proceeding = _locked(proceeding)
    if proceeding.stage != ProceedingStage.COURT or proceeding.decided_on is None:
        _refuse(gettext("enforcement follows a decision"), "not_decided", 409)
    if not proceeding.amount_awarded:
        _refuse(gettext("nothing was awarded to enforce"), "nothing_awarded", 409)
    if opened_on < proceeding.decided_on:
        _refuse(gettext("enforcement cannot open before the decision"), "opened_before_decision")
    if opened_on > _today(proceeding.case):
        _refuse(gettext("enforcement cannot open in the future"), "date_in_future")
    if not writ_number.strip() or not bailiff_office.strip():
        _refuse(gettext("the writ number and the bailiff office are needed"), "writ_missing")
    proceeding.stage = ProceedingStage.ENFORCEMENT
    proceeding.enforcement_opened_on = opened_on
    proceeding.writ_number = writ_number.strip()[:60]
    proceeding.bailiff_office = bailiff_office.strip()[:300]
    proceeding.save()
    _move(proceeding.case, CaseStage.ENFORCEMENT, actor=actor, at=timezone.now(), note=writ_number)
    _audit(proceeding, "enforce", actor, writ=proceeding.writ_number)
    return proceeding


def collected_from_payments(proceeding: CourtProceeding) -> int:
    """The account's booked payments since enforcement opened, up to the award and fee."""
    if proceeding.enforcement_opened_on is None:
        return 0
    zone = ZoneInfo(proceeding.tenant.timezone or "UTC")
    since = dt.datetime.combine(proceeding.enforcement_opened_on, dt.time(), tzinfo=zone)
    paid = (
        Payment.objects.filter(
            account_id=proceeding.case.account_id,
            status=PaymentStatus.BOOKED,
            booked_at__gte=since,
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    return min(paid, (proceeding.amount_awarded or 0) + proceeding.state_fee)


@transaction.atomic
def collection_record(
    *, proceeding: CourtProceeding, amount: int | None = None, actor=None
) -> CourtProceeding:
    """Adds what the bailiffs report collected (`amount`), or, with no amount, sets it to the
    booked payments since enforcement opened."""
    proceeding = _locked(proceeding)
    if proceeding.stage != ProceedingStage.ENFORCEMENT:
        _refuse(gettext("collections are recorded during enforcement"), "wrong_stage", 409)
    ceiling = (proceeding.amount_awarded or 0) + proceeding.state_fee
    if amount is None:
        total = collected_from_payments(proceeding)
    else:
        if amount <= 0:
            _refuse(gettext("the amount collected must be positive"), "amount_not_positive")
        total = proceeding.amount_collected + amount
        if total > ceiling:
            _refuse(gettext("more collected than awarded"), "collected_over_awarded")
    before = proceeding.amount_collected
    proceeding.amount_collected = total
    proceeding.save(update_fields=["amount_collected"])
    CaseEvent.objects.create(
        case=proceeding.case,
        kind=CaseEventKind.NOTE,
        note=(note := SystemNote(gettext_noop("collected by enforcement"))),
        detail={
            "proceeding": proceeding.pk,
            "collected": total,
            "before": before,
            "said": note.said(),
        },
        actor=actor,
        at=timezone.now(),
    )
    _audit(
        proceeding, "collect", actor, collected=total, source="entered" if amount else "payments"
    )
    return proceeding


@transaction.atomic
def proceeding_close(
    *, proceeding: CourtProceeding, closed_on: dt.date, actor=None
) -> CourtProceeding:
    """Ends the proceeding (enforcement finished or the claim dropped); the case stays in its
    stage until staff close it or hand it on."""
    proceeding = _locked(proceeding)
    if proceeding.stage == ProceedingStage.CLOSED:
        _refuse(gettext("the proceeding is closed already"), "closed", 409)
    if closed_on < proceeding.filed_on:
        _refuse(gettext("it cannot close before it was filed"), "closed_before_filing")
    proceeding.stage = ProceedingStage.CLOSED
    proceeding.closed_on = closed_on
    proceeding.save(update_fields=["stage", "closed_on"])
    CaseEvent.objects.create(
        case=proceeding.case,
        kind=CaseEventKind.NOTE,
        note=(note := SystemNote(gettext_noop("court proceeding closed"))),
        detail={"proceeding": proceeding.pk, "said": note.said()},
        actor=actor,
        at=timezone.now(),
    )
    _audit(proceeding, "close", actor)
    return proceeding
