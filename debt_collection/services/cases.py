"""Debt cases: opening and closing them, who works them, and what agents record on them.

Every action of a person writes a `CaseEvent` (the case's history) and an `AuditEvent` (the
operator's audit log) in the same transaction as the change."""

from itertools import cycle

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from config.errors import ApplicationError
from debt_collection.models import (
    WORKED_STAGES,
    CaseEvent,
    CaseEventKind,
    CaseStage,
    DebtCase,
    MessageChannel,
)
from warehouse.models import Account, AuditEvent, Membership, User


class CaseRefused(ApplicationError):
    """The action does not fit the case as it is (422)."""


class ContactOutcome:
    """The fixed list of outcomes of a call or visit."""

    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    PROMISED = "promised_to_pay"
    REFUSED = "refused"
    PAID_ALREADY = "paid_already"
    CALL_BACK = "call_back_later"
    DISPUTES = "disputes"

    choices = [
        (NO_ANSWER, gettext_lazy("No answer")),
        (WRONG_NUMBER, gettext_lazy("Wrong number")),
        (PROMISED, gettext_lazy("Promised to pay")),
        (REFUSED, gettext_lazy("Refused to pay")),
        (PAID_ALREADY, gettext_lazy("Says paid already")),
        (CALL_BACK, gettext_lazy("Call back later")),
        (DISPUTES, gettext_lazy("Disputes the debt")),
    ]
    values = [value for value, _label in choices]


ASSIGN_STRATEGIES = ("round_robin", "least_loaded")


def audit(*, case: DebtCase, action: str, actor=None, **detail) -> None:
    AuditEvent.objects.create(
        tenant_id=case.tenant_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        detail={"case": case.pk, "account": case.account.account_number, **detail},
    )


def _event(case, kind, *, actor=None, at=None, outcome="", note="", **detail) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        outcome=outcome,
        note=note,
        detail=detail,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
    )


def _open(case: DebtCase) -> DebtCase:
    """The case locked for the change, refused when it is closed."""
    locked = DebtCase.objects.select_for_update().select_related("account").get(pk=case.pk)
    if locked.stage == CaseStage.CLOSED:
        raise CaseRefused("the case is closed", code="case_closed")
    return locked


def case_open(
    *, account: Account, debt_at_open: int, reason: str, actor=None, at=None
) -> tuple[DebtCase, bool]:
    """The account's open case, or a new one in the queue. (case, created)."""
    at = at or timezone.now()
    found = DebtCase.objects.exclude(stage=CaseStage.CLOSED).filter(account=account).first()
    if found:
        return found, False
    try:
        with transaction.atomic():
            case = DebtCase.objects.create(
                tenant_id=account.tenant_id,
                account=account,
                debt_at_open=debt_at_open,
                opened_at=at,
            )
    except IntegrityError:  # opened concurrently: the one open case wins
        return DebtCase.objects.exclude(stage=CaseStage.CLOSED).get(account=account), False
    CaseEvent.objects.create(case=case, kind=CaseEventKind.OPENED, note=reason, actor=actor, at=at)
    return case, True


def case_close(*, case: DebtCase, reason: str, actor=None, at=None) -> DebtCase:
    """Closes the case; a person's closing is audited (the daily checks close as nobody)."""
    at = at or timezone.now()
    case.stage, case.closed_at, case.closed_reason = CaseStage.CLOSED, at, reason[:100]
    case.save(update_fields=["stage", "closed_at", "closed_reason"])
    CaseEvent.objects.create(case=case, kind=CaseEventKind.CLOSED, note=reason, actor=actor, at=at)
    if actor is not None:
        audit(case=case, action="debt_case.close", actor=actor, reason=reason[:100])
    return case


@transaction.atomic
def case_close_by_agent(*, case: DebtCase, reason: str, actor) -> DebtCase:
    if not reason.strip():
        raise CaseRefused("say why the case is closed", code="no_reason")
    return case_close(case=_open(case), reason=reason.strip(), actor=actor)


# --- assignment -------------------------------------------------------------------------------


def _check_agent(agent: User, tenant_id: int) -> None:
    from debt_collection.selectors import WORKING_ROLES

    if not (
        agent.is_active
        and Membership.objects.filter(
            user=agent, tenant_id=tenant_id, role__in=WORKING_ROLES
        ).exists()
    ):
        raise CaseRefused(
            f"{agent.username} is not a collector or operator admin of this tenant",
            code="not_an_agent",
        )


def _assign(case: DebtCase, agent: User | None, actor, how: str) -> DebtCase:
    previous = case.assigned_to_id
    if previous == (agent.pk if agent else None):
        return case
    case.assigned_to = agent
    case.save(update_fields=["assigned_to"])
    name = agent.username if agent else ""
    _event(
        case,
        CaseEventKind.ASSIGNED,
        actor=actor,
        note=f"assigned to {name}" if agent else "unassigned",
        agent=name,
        previous=previous,
        how=how,
    )
    audit(case=case, action="debt_case.assign", actor=actor, agent=name, how=how)
    return case


@transaction.atomic
def case_assign(*, case: DebtCase, agent: User | None, actor) -> DebtCase:
    """Manual (re)assignment; `agent` None unassigns."""
    locked = _open(case)
    if agent is not None:
        _check_agent(agent, locked.tenant_id)
    return _assign(locked, agent, actor, "manual")


@transaction.atomic
def cases_assign_bulk(*, cases, agent: User | None, actor) -> int:
    """Assigns the given cases (from the queue's checkboxes) to one agent; the closed ones are
    skipped. The number assigned."""
    done = 0
    for case in (
        DebtCase.objects.select_for_update()
        .filter(pk__in=[c.pk for c in cases])
        .exclude(stage=CaseStage.CLOSED)
        .select_related("account")
        .order_by("pk")
    ):
        if agent is not None:
            _check_agent(agent, case.tenant_id)
        _assign(case, agent, actor, "bulk")
        done += 1
    return done


@transaction.atomic
def cases_assign(*, tenant, agents, strategy: str = "round_robin", actor=None) -> dict[int, int]:
    """Hands the tenant's unassigned cases in the queue to `agents`, oldest case first:
    `round_robin` deals them in turn; `least_loaded` gives each to the agent with the fewest
    open cases at that moment (ties to the earlier agent in `agents`). {agent id: cases given}."""
    if strategy not in ASSIGN_STRATEGIES:
        raise CaseRefused(f"unknown strategy {strategy!r}", code="bad_strategy")
    agents = list(agents)
    if not agents:
        raise CaseRefused("name at least one agent", code="no_agents")
    for agent in agents:
        _check_agent(agent, tenant.pk)
    unassigned = list(
        DebtCase.objects.select_for_update()
        .filter(tenant=tenant, stage__in=WORKED_STAGES, assigned_to__isnull=True)
        .select_related("account")
        .order_by("opened_at", "pk")
    )
    given = {agent.pk: 0 for agent in agents}
    if strategy == "round_robin":
        for case, agent in zip(unassigned, cycle(agents)):
            _assign(case, agent, actor, strategy)
            given[agent.pk] += 1
        return given
    open_cases = Count("debt_cases", filter=~Q(debt_cases__stage=CaseStage.CLOSED))
    load = dict(User.objects.filter(pk__in=given).annotate(n=open_cases).values_list("pk", "n"))
    for case in unassigned:
        agent = min(agents, key=lambda a: load[a.pk])
        _assign(case, agent, actor, strategy)
        load[agent.pk] += 1
        given[agent.pk] += 1
    return given


# --- what agents record -----------------------------------------------------------------------


@transaction.atomic
def contact_log(*, case: DebtCase, kind: str, outcome: str, note: str = "", actor) -> CaseEvent:
    """A call or a visit with its outcome; it is the case's last contact."""
    if kind not in (CaseEventKind.CALL, CaseEventKind.VISIT):
        raise CaseRefused("a contact is a call or a visit", code="bad_kind")
    if outcome not in ContactOutcome.values:
        raise CaseRefused(f"unknown outcome {outcome!r}", code="bad_outcome")
    locked = _open(case)
    now = timezone.now()
    locked.last_contact_at = now
    locked.save(update_fields=["last_contact_at"])
    event = _event(locked, kind, actor=actor, at=now, outcome=outcome, note=note.strip())
    audit(case=locked, action=f"debt_case.{kind}", actor=actor, outcome=outcome)
    return event


@transaction.atomic
def note_add(*, case: DebtCase, note: str, actor) -> CaseEvent:
    if not note.strip():
        raise CaseRefused("the note is empty", code="empty_note")
    locked = _open(case)
    event = _event(locked, CaseEventKind.NOTE, actor=actor, note=note.strip())
    audit(case=locked, action="debt_case.note", actor=actor)
    return event


@transaction.atomic
def callback_schedule(*, case: DebtCase, at, note: str = "", actor) -> CaseEvent:
    if at <= timezone.now():
        raise CaseRefused("a callback is scheduled in the future", code="callback_past")
    locked = _open(case)
    locked.callback_at = at
    locked.save(update_fields=["callback_at"])
    event = _event(
        locked, CaseEventKind.CALLBACK, actor=actor, note=note.strip(), callback_at=at.isoformat()
    )
    audit(case=locked, action="debt_case.callback", actor=actor, callback_at=at.isoformat())
    return event


@transaction.atomic
def case_message_send(*, case: DebtCase, channel: str, body: str, subject: str = "", actor):
    """An SMS or a letter now, queued through `message_queue` (source "manual"). An SMS is
    refused when the account has no phone or has opted out of SMS."""
    from debt_collection.services.messages import message_queue

    if channel not in (MessageChannel.SMS, MessageChannel.LETTER):
        raise CaseRefused("send an SMS or a letter", code="bad_channel")
    if not body.strip():
        raise CaseRefused("the message is empty", code="empty_message")
    locked = _open(case)
    account = locked.account
    recipient = None
    if channel == MessageChannel.SMS:
        if not account.phone:
            raise CaseRefused("the account has no phone number", code="no_phone")
        if not account.sms_consent:
            raise CaseRefused("the payer has opted out of SMS", code="opted_out")
    else:
        recipient = f"{account.payer_name}, {account.premises}"[:254]
    message = message_queue(
        account=account,
        channel=channel,
        body=body.strip(),
        subject=subject,
        recipient=recipient,
        case=locked,
        source="manual",
        actor=actor,
    )
    _event(
        locked,
        CaseEventKind.MESSAGE,
        actor=actor,
        note=body.strip()[:500],
        channel=channel,
        message=message.pk,
    )
    audit(case=locked, action=f"debt_case.{channel}", actor=actor, message=message.pk)
    return message


def case_call(*, case: DebtCase, actor) -> CaseEvent:
    """Click-to-call: Twilio rings the agent's phone (their user profile's) and then the payer.
    The call is made outside any transaction; the case records it once Twilio took it, and the
    agent logs its outcome as for any call."""
    from debt_collection.services.sending import voice_backend
    from integrations.voice import VoiceError

    voice = voice_backend()
    if voice is None:
        raise CaseRefused("calls through Twilio are not configured", code="no_voice")
    if not getattr(actor, "phone", ""):
        raise CaseRefused("add your phone number to your profile first", code="no_agent_phone")
    account = case.account
    if not account.phone:
        raise CaseRefused("the account has no phone number", code="no_phone")
    try:
        sid = voice.bridge(agent=actor.phone, debtor=account.phone)
    except VoiceError as error:
        raise CaseRefused(str(error), code="call_failed") from None
    with transaction.atomic():
        locked = _open(case)
        event = _event(
            locked, CaseEventKind.CALL, actor=actor, note="Call through Twilio", call_sid=sid
        )
        audit(case=locked, action="debt_case.call_started", actor=actor, call_sid=sid)
    return event
