"""Debt cases: opening and closing them, who works them, and what agents record on them.

Every action of a person writes a `CaseEvent` (the case's history) and an `AuditEvent` (the
operator's audit log) in the same transaction as the change."""

import datetime as dt
from itertools import cycle

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import ApplicationError
from core.permissions import Permission, roles_with
from debt_collection.models import (
    WORKED_STAGES,
    CaseEvent,
    CaseEventKind,
    CaseMessage,
    CaseStage,
    DebtCase,
    SystemNote,
)
from debt_collection.services.contact_limits import (
    CALL_NOT_STARTED,
    MessageLimits,
    call_refusal,
)
from messaging.models import MessageChannel
from messaging.services.messages import message_queue
from warehouse.models import Account, AuditEvent, Membership, User

# An agent's call logged within this time of their own click-to-call on the case is that
# call's outcome, not another call.
CALL_LOG_WINDOW = dt.timedelta(hours=1)


class CaseRefused(ApplicationError):
    """The action does not fit the case as it is (422)."""


class ContactLimitReached(CaseRefused):
    """The contact would break a limit of the law or of the tenant (230-ФЗ ст. 7 for RU); the
    message names the limit, `extra["limit"]` gives its code (day, week, month,
    hours_working_day, hours_weekend, quiet_hours)."""


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


def _said(note) -> dict:
    """A system note's msgid and arguments for the event's detail (`CaseEvent.text`)."""
    return {"said": note.said()} if isinstance(note, SystemNote) else {}


def _event(case, kind, *, actor=None, at=None, outcome="", note="", **detail) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        outcome=outcome,
        note=note,
        detail={**detail, **_said(note)},
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
    )


def _open(case: DebtCase) -> DebtCase:
    """The case locked for the change, refused when it is closed."""
    locked = DebtCase.objects.select_for_update().select_related("account").get(pk=case.pk)
    if locked.stage == CaseStage.CLOSED:
        raise CaseRefused(_("the case is closed"), code="case_closed")
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
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.OPENED, note=reason, detail=_said(reason), actor=actor, at=at
    )
    return case, True


def case_close(*, case: DebtCase, reason: str, actor=None, at=None) -> DebtCase:
    """Closes the case; a person's closing is audited (the daily checks close as nobody)."""
    at = at or timezone.now()
    case.stage, case.closed_at, case.closed_reason = CaseStage.CLOSED, at, reason[:100]
    case.save(update_fields=["stage", "closed_at", "closed_reason"])
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.CLOSED, note=reason, detail=_said(reason), actor=actor, at=at
    )
    if actor is not None:
        audit(case=case, action="debt_case.close", actor=actor, reason=reason[:100])
    return case


@transaction.atomic
def case_close_by_agent(*, case: DebtCase, reason: str, actor) -> DebtCase:
    if not reason.strip():
        raise CaseRefused(_("say why the case is closed"), code="no_reason")
    return case_close(case=_open(case), reason=reason.strip(), actor=actor)


# --- assignment -------------------------------------------------------------------------------


def _check_agent(agent: User, tenant_id: int) -> None:
    if not (
        agent.is_active
        and Membership.objects.filter(
            user=agent, tenant_id=tenant_id, role__in=roles_with(Permission.MANAGE_DEBT)
        ).exists()
    ):
        raise CaseRefused(
            _("%(username)s is not a collector or operator admin of this tenant")
            % {"username": agent.username},
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
        note=(
            SystemNote(gettext_noop("assigned to %(name)s"), name=name)
            if agent
            else SystemNote(gettext_noop("unassigned"))
        ),
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
        raise CaseRefused(_("name at least one agent"), code="no_agents")
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


def _click_to_call_to_log(case: DebtCase, actor, now) -> CaseEvent | None:
    """The agent's own click-to-call on the case whose outcome is not logged yet, when it is the
    case's latest call and at most CALL_LOG_WINDOW old: logging a call then completes it."""
    if actor is None or not actor.is_authenticated:
        return None
    latest = (
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.CALL).order_by("-at", "-id").first()
    )
    if (
        latest is not None
        and latest.actor_id == actor.pk
        and latest.detail.get("call_sid")
        and not latest.outcome
        and now - latest.at <= CALL_LOG_WINDOW
    ):
        return latest
    return None


@transaction.atomic
def contact_log(*, case: DebtCase, kind: str, outcome: str, note: str = "", actor) -> CaseEvent:
    """A call or a visit with its outcome; it is the case's last contact. A call is a contact
    the contact limits count (services.contact_limits): the outcome of the agent's own
    click-to-call just made completes that call's event rather than counting a second call;
    any other call logged (dialled by hand) is recorded as made — a fact, never refused."""
    if kind not in (CaseEventKind.CALL, CaseEventKind.VISIT):
        raise CaseRefused(_("a contact is a call or a visit"), code="bad_kind")
    if outcome not in ContactOutcome.values:
        raise CaseRefused(
            _("unknown outcome %(outcome)r") % {"outcome": outcome}, code="bad_outcome"
        )
    locked = _open(case)
    now = timezone.now()
    locked.last_contact_at = now
    locked.save(update_fields=["last_contact_at"])
    started = _click_to_call_to_log(locked, actor, now) if kind == CaseEventKind.CALL else None
    if started is not None:
        started.outcome, started.note = outcome, note.strip()
        started.detail = {**started.detail, "logged_at": now.isoformat()}
        started.save(update_fields=["outcome", "note", "detail"])
        event = started
    else:
        event = _event(locked, kind, actor=actor, at=now, outcome=outcome, note=note.strip())
    audit(case=locked, action=f"debt_case.{kind}", actor=actor, outcome=outcome)
    return event


@transaction.atomic
def note_add(*, case: DebtCase, note: str, actor) -> CaseEvent:
    if not note.strip():
        raise CaseRefused(_("the note is empty"), code="empty_note")
    locked = _open(case)
    event = _event(locked, CaseEventKind.NOTE, actor=actor, note=note.strip())
    audit(case=locked, action="debt_case.note", actor=actor)
    return event


@transaction.atomic
def callback_schedule(*, case: DebtCase, at, note: str = "", actor) -> CaseEvent:
    if at <= timezone.now():
        raise CaseRefused(_("a callback is scheduled in the future"), code="callback_past")
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
    if channel not in (MessageChannel.SMS, MessageChannel.LETTER):
        raise CaseRefused(_("send an SMS or a letter"), code="bad_channel")
    if not body.strip():
        raise CaseRefused(_("the message is empty"), code="empty_message")
    locked = _open(case)
    account = locked.account
    recipient = None
    if channel == MessageChannel.SMS:
        if not account.phone:
            raise CaseRefused(_("the account has no phone number"), code="no_phone")
        if not account.sms_consent:
            raise CaseRefused(_("the payer has opted out of SMS"), code="opted_out")
        # An agent's SMS is a message under 230-ФЗ ст. 7 as a dunning one is (a letter on
        # paper is a postal item, not limited there).
        limits = MessageLimits(tenant=account.tenant, now=timezone.now(), account_ids=[account.pk])
        refusal = limits.refusal(account.pk)
        if refusal is not None:
            raise ContactLimitReached(
                _("The message is not allowed now: %(reason)s.") % {"reason": refusal.reason},
                code=f"contact_limit_{refusal.limit}",
                extra={"limit": refusal.limit},
            )
    else:
        recipient = f"{account.payer_name}, {account.premises}"[:254]
    message = message_queue(
        account=account,
        channel=channel,
        body=body.strip(),
        subject=subject,
        recipient=recipient,
        source="manual",
        actor=actor,
    )
    CaseMessage.objects.create(case=locked, message=message)
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

    A call the contact limits refuse (the law's — 230-ФЗ ст. 7 ч. 3 for RU: 08:00–22:00 on
    working days, 09:00–20:00 on weekends and holidays, 1 a day, 2 a calendar week, 8 a calendar
    month — and the tenant's stricter ones) raises `ContactLimitReached` naming the limit, and
    nothing is called. Otherwise, in this order, so that no lock is held while Twilio answers
    and two agents cannot both make the account's last allowed call:
    1. a short transaction locks the open case (one per account), checks the limits against the
       account's calls and records the call event — the contact;
    2. Twilio is asked to start the call, outside any transaction;
    3. a short transaction records Twilio's call SID on the event or, when Twilio refused, marks
       it `CALL_NOT_STARTED` (no contact happened, the limits do not count it).
    The agent logs the call's outcome as for any call (`contact_log` completes this event)."""
    from debt_collection.services.calls import voice_backend
    from integrations.voice import VoiceError

    voice = voice_backend()
    if voice is None:
        raise CaseRefused(_("calls through Twilio are not configured"), code="no_voice")
    if not getattr(actor, "phone", ""):
        raise CaseRefused(_("add your phone number to your profile first"), code="no_agent_phone")
    account = case.account
    if not account.phone:
        raise CaseRefused(_("the account has no phone number"), code="no_phone")
    with transaction.atomic():
        locked = _open(case)
        now = timezone.now()
        refusal = call_refusal(account=locked.account, now=now)
        if refusal is not None:
            raise ContactLimitReached(
                _("The call is not allowed now: %(reason)s.") % {"reason": refusal.reason},
                code=f"contact_limit_{refusal.limit}",
                extra={"limit": refusal.limit},
            )
        event = _event(locked, CaseEventKind.CALL, actor=actor, at=now, note="Call through Twilio")
    try:
        sid = voice.bridge(agent=actor.phone, debtor=account.phone)
    except VoiceError as error:
        with transaction.atomic():
            event.outcome = CALL_NOT_STARTED
            event.detail = {**event.detail, "error": str(error)[:300]}
            event.save(update_fields=["outcome", "detail"])
            audit(case=locked, action="debt_case.call_failed", actor=actor, error=str(error)[:300])
        raise CaseRefused(str(error), code="call_failed") from None
    with transaction.atomic():
        event.detail = {**event.detail, "call_sid": sid}
        event.save(update_fields=["detail"])
        audit(case=locked, action="debt_case.call_started", actor=actor, call_sid=sid)
    return event
