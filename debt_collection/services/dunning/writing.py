"""Writing what a dunning run decided, set-based: the messages (linked to the account's open
case), the cases that go to people, the steps and the accounts' states — and the resets of the
accounts that paid. The sends leave after commit, in chunks, through Celery."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_noop

from core.db import bulk_upsert, insert_model_rows
from core.errors import ApplicationError
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseMessage,
    CaseStage,
    DebtCase,
    DocumentKind,
    DunningAction,
    DunningOutcome,
    DunningState,
    DunningStep,
    SystemNote,
)
from debt_collection.services.cases import case_close, case_open
from debt_collection.services.dunning.selection import BATCH, Decision
from debt_collection.services.legal_documents.generation import document_generate
from messaging.models import Message, MessageChannel
from warehouse.models import Account, Tenant

if TYPE_CHECKING:
    from debt_collection.services.dunning.result import DunningRunResult

SEND_CHUNK = 500
_STAGE_OF = {
    DunningAction.PRE_TRIAL: CaseStage.PRE_TRIAL,
    DunningAction.COURT: CaseStage.COURT,
    DunningAction.AGENCY: CaseStage.AGENCY,
}
# A dunning level moves a case forward along this line only; promises, plans and closed cases
# are people's decisions and stay as they are.
_STAGE_RANK = {
    CaseStage.QUEUE: 0,
    CaseStage.PRE_TRIAL: 1,
    CaseStage.COURT: 2,
    CaseStage.ENFORCEMENT: 3,
    CaseStage.AGENCY: 4,
}

CLOSED_WHEN_PAID = (CaseStage.QUEUE, CaseStage.PROMISED, CaseStage.PRE_TRIAL)


def reset_paid(states: dict[int, tuple], *, overdue_ids: set[int], now: dt.datetime) -> int:
    """The accounts on a level that owe nothing overdue any more start over (no level, next
    cycle), and their cases close where the debt was all there was; returns how many."""
    paid = [
        pk for a, (_, level_id, _, pk, _) in states.items() if level_id and a not in overdue_ids
    ]
    for start in range(0, len(paid), BATCH):
        DunningState.objects.filter(pk__in=paid[start : start + BATCH]).update(
            cycle=F("cycle") + 1, level=None
        )
    _close_paid_cases(
        [a for a, (_, level_id, *_rest) in states.items() if level_id and a not in overdue_ids],
        now=now,
    )
    return len(paid)


def _close_paid_cases(account_ids: list[int], *, now: dt.datetime) -> None:
    """De-escalation: the open cases of accounts that owe nothing overdue any more close, unless
    they are in court, enforcement, with an agency or on a plan — people (or the plan's own
    check) close those, as court costs and awards are not open items."""
    for start in range(0, len(account_ids), BATCH):
        cases = DebtCase.objects.filter(
            account_id__in=account_ids[start : start + BATCH], stage__in=CLOSED_WHEN_PAID
        )
        for case in cases:
            case_close(case=case, reason=SystemNote(gettext_noop("overdue debt paid")), at=now)


def write_messages(sending: list[Decision], *, tenant: Tenant, now: dt.datetime) -> None:
    """The messages, each linked to its account's open case when there is one (`CaseMessage`,
    so the case page lists what dunning sent while people worked it), made at the run's moment
    `now` — the time the contact limits count them at."""
    still_open = DebtCase.objects.filter(tenant=tenant).exclude(stage=CaseStage.CLOSED)
    cases = dict(still_open.values_list("account_id", "pk")) if sending else {}
    fields = [
        "tenant_id",
        "account_id",
        "channel",
        "recipient",
        "subject",
        "body",
        "source",
        "created_at",
    ]
    rows = [
        (
            tenant.pk,
            d.account_id,
            d.channel,
            d.recipient,
            d.subject,
            d.body,
            "dunning",
            now,
        )
        for d in sending
    ]
    for d, pk in zip(sending, insert_model_rows(Message, fields, rows, with_ids=True), strict=True):
        d.message_id = pk
    links = [(d.message_id, cases[d.account_id]) for d in sending if d.account_id in cases]
    insert_model_rows(CaseMessage, ["message_id", "case_id"], links)


def open_cases(
    decisions: list[Decision], *, on: dt.date, now: dt.datetime, result: DunningRunResult
) -> None:
    """Call tasks and the legal levels go to people: the account's case (opened if none), moved
    forward to the level's stage with a STAGE event. The pre-trial level also writes the claim
    letter (DOCX, `document_generate`) when the case is still worked in the queue; the court
    application needs the court's name, so agents make it."""
    people = [d for d in decisions if d.outcome == DunningOutcome.CASE]
    accounts = Account.objects.in_bulk([d.account_id for d in people])
    for d in people:
        case, _ = case_open(
            account=accounts[d.account_id],
            debt_at_open=d.overdue,
            reason=SystemNote(gettext_noop("dunning: %(level)s"), level=d.level.name),
            at=now,
        )
        d.case_id = case.pk
        result.cases += 1
        if d.level.action == DunningAction.PRE_TRIAL and case.stage == CaseStage.QUEUE:
            _claim_letter(case, on=on)
        _advance_stage(case, d, now=now)


def _advance_stage(case: DebtCase, d: Decision, *, now: dt.datetime) -> None:
    """The case moves forward to the level's stage (never back, never off a promise or plan)."""
    target = _STAGE_OF.get(d.level.action)
    if target is None or case.stage not in _STAGE_RANK:
        return
    if _STAGE_RANK[case.stage] >= _STAGE_RANK[target]:
        return
    before, case.stage = case.stage, target
    case.save(update_fields=["stage"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.STAGE,
        note=(note := SystemNote(gettext_noop("dunning: %(level)s"), level=d.level.name)),
        detail={
            "from": before,
            "to": target,
            "dunning_level": d.level.position,
            "said": note.said(),
        },
        at=now,
    )


def _claim_letter(case, *, on: dt.date) -> None:
    """The pre-trial claim letter; a case the letter cannot be made for (no overdue debt by the
    legal table's reckoning) keeps going without it."""
    try:
        with transaction.atomic():
            document_generate(case=case, kind=DocumentKind.PRE_TRIAL, document_date=on)
    except ApplicationError:
        return
    case.refresh_from_db(fields=["stage"])


def write_steps(
    decisions: list[Decision],
    *,
    tenant: Tenant,
    on: dt.date,
    now: dt.datetime,
    states: dict[int, tuple],
) -> None:
    """The steps of the run, and each account's state: its level and the date of this step,
    and the moment of its last message (this run's when the step sent one)."""
    fields = [
        "tenant_id",
        "account_id",
        "level_id",
        "cycle",
        "run_date",
        "at",
        "outcome",
        "overdue",
        "days_past_due",
        "message_id",
        "case_id",
    ]
    rows = [
        (
            tenant.pk,
            d.account_id,
            d.level.pk,
            d.cycle,
            on,
            now,
            d.outcome,
            d.overdue,
            d.dpd,
            d.message_id,
            d.case_id,
        )
        for d in decisions
    ]
    insert_model_rows(DunningStep, fields, rows)
    last_message = {a: state[4] for a, state in states.items()}
    bulk_upsert(
        DunningState,
        (
            (
                tenant.pk,
                d.account_id,
                d.cycle,
                d.level.pk,
                on,
                now if d.message_id else last_message.get(d.account_id),
            )
            for d in decisions
        ),
        fields=["tenant_id", "account_id", "cycle", "level_id", "last_step_on", "last_message_at"],
        unique_fields=["account_id"],
        update_fields=["level_id", "last_step_on", "last_message_at"],
    )


def send_after_commit(sending: list[Decision]) -> None:
    """The messages to send (letters go to print, not to a sender) are handed to Celery once
    the run's transaction commits."""
    to_send = [d.message_id for d in sending if d.channel != MessageChannel.LETTER]
    if to_send:
        transaction.on_commit(partial(_enqueue_sends, to_send))


def _enqueue_sends(message_ids: list[int]) -> None:
    from messaging.tasks import send_messages

    for start in range(0, len(message_ids), SEND_CHUNK):
        send_messages.delay(message_ids[start : start + SEND_CHUNK])
