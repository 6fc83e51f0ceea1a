"""The dunning run: once a day per tenant, every overdue account climbs one level of the
tenant's procedure when it qualifies, and an account whose overdue debt is paid starts over.

The run is set-based so that 200,000 accounts take seconds, not hours: one aggregate query
over open items gives every account's overdue debt and days past due, one query reads every
account's `DunningState`, the decisions are made in Python, and steps, messages and states are
written with `bulk_create`. Sending leaves after commit, in chunks, through Celery.

Rules (one run for tenant T on date D at moment `now`):
- overdue debt = open amount of the account's debts due before D (charges and penalties);
  days past due = D minus the due date of the oldest overdue charges item (of any item when only
  penalties are overdue).
- The level that may fire is the first one after the account's current level (position order)
  whose `days_past_due` and `min_debt` the account reaches; it fires only when the previous
  level's `wait_days` have passed since that level's step, and never twice for one account on one
  date — which makes a second run for the same date a no-op, and at most one level per day.
- Overdue debt paid (none left) → the state resets: no level, next cycle.
- SMS during the tenant's quiet hours (its time zone), any message over the frequency cap
  (`max_messages_per_week` dunning messages in the 7 days up to D), and an SMS or e-mail that
  would break a contact limit of the law (230-ФЗ ст. 7 ч. 5 for RU: the hours, 2 a day, 4 a
  calendar week, 16 a calendar month, counting every message the account had — see
  services.contact_limits) are *deferred*: nothing is recorded, so a later run — the same day
  after the quiet hours, or a later day — fires them. The result counts them per limit.
- An account that opted out of the level's channel, or has no phone / e-mail for it, gets the
  step recorded as suppressed and no message. The level counts as done: the procedure goes on
  to the next channels and to people, rather than waiting for ever on a channel the payer closed
  (which would also stop the legal levels that must follow)."""

import datetime as dt
import time
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.template import Context, Engine
from django.template.base import TextNode, Variable, VariableNode
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize

from core.db import bulk_upsert, insert_model_rows
from core.errors import ApplicationError
from core.money import format_currency
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseMessage,
    CaseStage,
    CollectionSettings,
    DebtCase,
    DocumentKind,
    DunningAction,
    DunningLevel,
    DunningOutcome,
    DunningState,
    DunningStep,
)
from debt_collection.services.cases import case_close, case_open
from debt_collection.services.contact_limits import MessageLimits
from debt_collection.services.legal_documents import document_generate
from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.services import pay_links
from messaging.models import Message, MessageChannel, MessageTemplate
from warehouse.models import Account, AuditEvent, OpenItem, Supplier, Tenant

BATCH = 5000
SEND_CHUNK = 500
_ADVISORY_NAMESPACE = 0x44554E  # "DUN": one dunning run per tenant at a time

_CHANNEL_OF = {
    DunningAction.SMS: MessageChannel.SMS,
    DunningAction.EMAIL: MessageChannel.EMAIL,
    DunningAction.LETTER: MessageChannel.LETTER,
}
# Messages in 230-ФЗ ст. 7 ч. 5 (ст. 4 ч. 1 п. 2); a letter is a postal item (п. 3).
_LIMITED = (DunningAction.SMS, DunningAction.EMAIL)
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

# Plain text: no HTML escaping of "&" or quotes in an SMS. The context holds plain values only,
# so a template can reach nothing but what `_context` puts there.
_ENGINE = Engine(autoescape=False)


@dataclass
class DunningRunResult:
    tenant: str
    on: dt.date
    accounts_overdue: int = 0
    steps: Counter = field(default_factory=Counter)  # (position, outcome) → count
    deferred_quiet: int = 0
    deferred_cap: int = 0
    deferred_limits: Counter = field(default_factory=Counter)  # law's limit → count
    waiting: int = 0  # a level is due but the previous level's wait has not passed
    deescalated: int = 0
    messages_queued: int = 0
    cases: int = 0
    timings: dict = field(default_factory=dict)  # phase → seconds

    @property
    def fired(self) -> int:
        return sum(self.steps.values())

    def by_outcome(self) -> Counter:
        totals = Counter()
        for (_, outcome), count in self.steps.items():
            totals[outcome] += count
        return totals

    def summary(self) -> str:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.by_outcome().items())) or "none"
        return (
            f"Dunning {self.tenant} {self.on}: {self.accounts_overdue} overdue accounts, "
            f"{self.fired} steps ({outcomes}), {self.messages_queued} messages queued, "
            f"{self.cases} cases; deferred {self.deferred_quiet} quiet hours, "
            f"{self.deferred_cap} cap{self._limits_summary()}; "
            f"{self.deescalated} paid and reset"
        )

    def _limits_summary(self) -> str:
        if not self.deferred_limits:
            return ""
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.deferred_limits.items()))
        return f", contact limits of the law: {parts}"


@dataclass
class _Decision:
    account_id: int
    level: DunningLevel
    cycle: int
    overdue: int
    total: int
    dpd: int
    oldest_period: str
    outcome: str = ""
    channel: str = ""
    recipient: str = ""
    payer: str = ""
    number: str = ""
    subject: str = ""
    body: str = ""
    message_id: int | None = None
    case_id: int | None = None


# --- defaults ----------------------------------------------------------------------------------

_DEFAULT_TEXTS = {
    "en": {
        "sms": (
            "",
            "{{ tenant }}: account {{ account_number }} is {{ days_past_due }} days overdue, "
            "{{ overdue }} to pay. Pay: {{ pay_url }}",
        ),
        "email": (
            "Payment reminder: account {{ account_number }}",
            "Dear {{ payer_name }},\n\nour records show {{ overdue }} overdue on account "
            "{{ account_number }} since {{ oldest_period }} ({{ days_past_due }} days).\n"
            "{% for s in suppliers %}- {{ s.name }}: {{ s.overdue }}\n{% endfor %}"
            "Total due: {{ total_due }}.\n\nPay online: {{ pay_url }}\n\n{{ tenant }}",
        ),
        "letter": (
            "Notice of overdue payment",
            "{{ payer_name }}\nAccount {{ account_number }}\n\n"
            "The account has {{ overdue }} overdue for {{ days_past_due }} days "
            "(since {{ oldest_period }}):\n"
            "{% for s in suppliers %}  {{ s.name }}: {{ s.overdue }}\n{% endfor %}"
            "Please pay {{ total_due }} within 10 days to avoid further action.\n"
            "Pay online: {{ pay_url }}\n\n{{ tenant }}",
        ),
    },
    "ru": {
        "sms": (
            "",
            "{{ tenant }}: по л/с {{ account_number }} долг {{ overdue }}, просрочка "
            "{{ days_past_due }} дн. Оплата: {{ pay_url }}",
        ),
        "email": (
            "Напоминание об оплате: л/с {{ account_number }}",
            "Уважаемый(ая) {{ payer_name }}!\n\nПо лицевому счёту {{ account_number }} "
            "просрочена оплата {{ overdue }} с {{ oldest_period }} ({{ days_past_due }} дн.).\n"
            "{% for s in suppliers %}- {{ s.name }}: {{ s.overdue }}\n{% endfor %}"
            "Всего к оплате: {{ total_due }}.\n\nОплатить: {{ pay_url }}\n\n{{ tenant }}",
        ),
        "letter": (
            "Уведомление о задолженности",
            "{{ payer_name }}\nЛицевой счёт {{ account_number }}\n\n"
            "Задолженность {{ overdue }}, просрочка {{ days_past_due }} дн. "
            "(с {{ oldest_period }}):\n"
            "{% for s in suppliers %}  {{ s.name }}: {{ s.overdue }}\n{% endfor %}"
            "Просим оплатить {{ total_due }} в течение 10 дней.\n"
            "Оплатить: {{ pay_url }}\n\n{{ tenant }}",
        ),
    },
}

# (position, name, days past due, action, wait days, template code)
_DEFAULT_LEVELS = (
    (1, "SMS reminder", 5, DunningAction.SMS, 7, "dunning-sms"),
    (2, "E-mail reminder", 15, DunningAction.EMAIL, 7, "dunning-email"),
    (3, "Letter", 30, DunningAction.LETTER, 10, "dunning-letter"),
    (4, "Call task", 45, DunningAction.CALL_TASK, 10, None),
    (5, "Pre-trial claim", 60, DunningAction.PRE_TRIAL, 20, None),
    (6, "Court claim", 90, DunningAction.COURT, 0, None),
)
DEFAULT_MIN_DEBT = 10000  # 100.00


def _language(tenant: Tenant) -> str:
    return tenant.country.message_language(tenant.locale)


def dunning_defaults(*, tenant: Tenant) -> list[DunningLevel]:
    """The demo procedure (SMS at 5 days past due and 100.00 overdue, e-mail at 15, letter at
    30, call task at 45, pre-trial claim at 60, court claim at 90) and its templates in the
    tenant's language. Idempotent: existing templates and levels are left as staff edited
    them."""
    texts = _DEFAULT_TEXTS[_language(tenant)]
    templates = {}
    with transaction.atomic():
        for channel, (subject, body) in texts.items():
            templates[f"dunning-{channel}"], _ = MessageTemplate.objects.get_or_create(
                tenant=tenant,
                code=f"dunning-{channel}",
                defaults={"channel": channel, "subject": subject, "body": body},
            )
        for position, name, dpd, action, wait, code in _DEFAULT_LEVELS:
            DunningLevel.objects.get_or_create(
                tenant=tenant,
                position=position,
                defaults={
                    "name": name,
                    "days_past_due": dpd,
                    "min_debt": DEFAULT_MIN_DEBT,
                    "action": action,
                    "wait_days": wait,
                    "template": templates.get(code),
                },
            )
    return list(DunningLevel.objects.filter(tenant=tenant).order_by("position"))


# --- templates ---------------------------------------------------------------------------------


class CompiledTemplate:
    """A template compiled once per run. A template of plain text and bare `{{ name }}`
    variables — the usual SMS — renders by joining its parts, which gives exactly what Django's
    renderer gives (same localisation of non-text values, no escaping) at a fraction of the
    cost; anything else (filters, tags, dotted names) renders through Django."""

    def __init__(self, text: str):
        self.template = _ENGINE.from_string(text)
        self.parts = self._plain_parts()

    def _plain_parts(self):
        parts = []
        for node in self.template.nodelist:
            if isinstance(node, TextNode):
                parts.append(node.s)
                continue
            if not isinstance(node, VariableNode):
                return None
            expression = node.filter_expression
            var = expression.var
            if expression.filters or not isinstance(var, Variable) or var.literal is not None:
                return None
            if var.lookups is None or len(var.lookups) != 1:
                return None
            parts.append((var.lookups[0],))
        return parts

    def render(self, context: dict) -> str:
        if self.parts is None:
            return self.template.render(Context(context, autoescape=False))
        out = []
        for part in self.parts:
            if type(part) is str:
                out.append(part)
            else:
                value = context.get(part[0], "")
                out.append(value if type(value) is str else str(localize(value)))
        return "".join(out)


def template_compile(text: str) -> CompiledTemplate:
    """A template body or subject compiled for rendering (raises TemplateSyntaxError)."""
    return CompiledTemplate(text)


def template_render(compiled: CompiledTemplate, context: dict) -> str:
    return compiled.render(context)


def message_template_preview(*, template: MessageTemplate, account: Account, on: dt.date) -> str:
    """The body `template` gives for `account` on `on` — for the staff page and tests."""
    context = _contexts(tenant=template.tenant, on=on, now=timezone.now(), account_ids=[account.pk])
    return template_render(template_compile(template.body), context[account.pk])


def _base_url() -> str:
    return getattr(settings, "PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def _per_account(queryset, *, tenant: Tenant, account_ids: list[int], field="account_id"):
    """`queryset` restricted to `account_ids`: by IN lists of BATCH ids when they are few, by
    the tenant (and a filter in Python by the caller) when they are many — 40 IN lists of 5,000
    ids cost more than one pass over the tenant."""
    if len(account_ids) > 4 * BATCH:
        yield queryset.filter(tenant=tenant)
        return
    for start in range(0, len(account_ids), BATCH):
        yield queryset.filter(**{f"{field}__in": account_ids[start : start + BATCH]})


def _pay_urls(*, tenant: Tenant, account_ids: list[int], now: dt.datetime) -> dict[int, str]:
    """The personal pay link of each account's latest issued, unexpired document (rebuilt from
    its salt, see invoicing.services.pay_links); the site's front page when it has none."""
    latest: dict[int, tuple[str, str]] = {}
    documents = PaymentDocument.objects.filter(
        status=DocumentStatus.ISSUED, pay_expires_at__gt=now
    ).values_list("account_id", "period", "pay_salt")
    for part in _per_account(documents, tenant=tenant, account_ids=account_ids):
        for account_id, period, salt in part.iterator(chunk_size=BATCH):
            if account_id not in latest or latest[account_id][0] < period:
                latest[account_id] = (period, salt)
    base = _base_url()
    path = reverse("pay-link", args=["TOKEN"])
    fallback = base + "/"
    return {
        a: (base + path.replace("TOKEN", pay_links.pay_token(latest[a][1])))
        if a in latest
        else fallback
        for a in account_ids
    }


def _supplier_lines(*, tenant: Tenant, on: dt.date, account_ids: list[int]) -> dict[int, list]:
    money = partial(format_currency, owner=tenant)
    names = dict(Supplier.objects.filter(tenant=tenant).values_list("id", "name"))
    wanted = set(account_ids)
    lines = defaultdict(list)
    rows = (
        OpenItem.objects.filter(open_amount__gt=0, due_date__lt=on)
        .values("account_id", "supplier_id")
        .annotate(overdue=Sum("open_amount"), oldest=Min("period"))
        .order_by("account_id", "supplier_id")
        .values_list("account_id", "supplier_id", "overdue", "oldest")
    )
    for part in _per_account(rows, tenant=tenant, account_ids=account_ids):
        for account_id, supplier_id, overdue, oldest in part.iterator(chunk_size=BATCH):
            if account_id in wanted:
                lines[account_id].append(
                    {
                        "name": names.get(supplier_id, ""),
                        "overdue": money(overdue),
                        "oldest_period": oldest,
                    }
                )
    return lines


CONTEXT_NAMES = (
    "payer_name",
    "account_number",
    "total_due",
    "overdue",
    "oldest_period",
    "days_past_due",
    "suppliers",
    "pay_url",
    "tenant",
    "currency",
)


def _contexts(
    *,
    tenant: Tenant,
    on: dt.date,
    now: dt.datetime,
    account_ids: list[int],
    facts: dict[int, tuple] | None = None,
    needs: set[str] | None = None,
) -> dict[int, dict]:
    """Template contexts of `account_ids`. `facts` — account id → (payer name, account number,
    overdue, total, days past due, oldest period) — come from the run; without them they are
    read here. Supplier lines and pay links, which cost a query, are built only when `needs`
    (the names the run's templates use; None: all) asks for them."""
    needs = set(CONTEXT_NAMES) if needs is None else needs
    if facts is None:
        debts = {row[0]: row[1:] for row in _debts(tenant=tenant, on=on, account_ids=account_ids)}
        facts = {
            pk: (payer, number, *debts.get(pk, (0, 0, 0, "")))
            for pk, payer, number in Account.objects.filter(pk__in=account_ids).values_list(
                "pk", "payer_name", "account_number"
            )
        }
    lines = (
        _supplier_lines(tenant=tenant, on=on, account_ids=account_ids)
        if "suppliers" in needs
        else {}
    )
    pay_urls = (
        _pay_urls(tenant=tenant, account_ids=account_ids, now=now) if "pay_url" in needs else {}
    )
    money = partial(format_currency, owner=tenant)
    contexts = {}
    for pk in account_ids:
        payer, number, overdue, total, dpd, oldest_period = facts[pk]
        contexts[pk] = {
            "payer_name": payer,
            "account_number": number,
            "total_due": money(max(total, 0)),
            "overdue": money(overdue),
            "oldest_period": oldest_period,
            "days_past_due": dpd,
            "suppliers": lines.get(pk, []),
            "pay_url": pay_urls.get(pk, ""),
            "tenant": tenant.name,
            "currency": tenant.currency,
        }
    return contexts


# --- the run -----------------------------------------------------------------------------------


def _debts(*, tenant: Tenant, on: dt.date, account_ids: Iterable[int] | None = None):
    """(account id, overdue, total open, days past due, oldest overdue period) of every account
    with overdue debt on `on` — one aggregate query."""
    overdue_q = Q(open_amount__gt=0, due_date__lt=on)
    items = OpenItem.objects.filter(tenant=tenant).exclude(open_amount=0)
    if account_ids is not None:
        items = items.filter(account_id__in=list(account_ids))
    rows = (
        items.values("account_id")
        .annotate(
            overdue=Sum("open_amount", filter=overdue_q),
            total=Sum("open_amount"),
            oldest_charge=Min("due_date", filter=overdue_q & Q(kind="charges")),
            oldest_any=Min("due_date", filter=overdue_q),
            oldest_period=Min("period", filter=overdue_q),
        )
        .filter(overdue__gt=0)
        .order_by()
        .values_list(
            "account_id", "overdue", "total", "oldest_charge", "oldest_any", "oldest_period"
        )
    )
    for account_id, overdue, total, oldest_charge, oldest_any, oldest_period in rows.iterator(
        chunk_size=BATCH
    ):
        oldest = oldest_charge or oldest_any
        yield account_id, overdue, total, (on - oldest).days, oldest_period


def is_quiet(*, tenant: Tenant, at: dt.datetime, collection: CollectionSettings) -> bool:
    """Whether `at` falls in the tenant's quiet hours (its own time zone); a window may wrap
    midnight (21:00–08:00)."""
    local = timezone.localtime(at, zoneinfo.ZoneInfo(tenant.timezone)).time()
    start, end = collection.quiet_hours_start, collection.quiet_hours_end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def _lock_tenant(tenant: Tenant) -> None:
    """Two runs of one tenant at once would both decide the same steps; the second waits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_NAMESPACE, tenant.pk])


def dunning_run(
    *,
    tenant: Tenant,
    on: dt.date,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> DunningRunResult:
    """One run of the tenant's procedure for date `on` at moment `now` (default: the current
    time; quiet hours are judged by it). `progress(n)` is told of every n accounts decided."""
    now = now or timezone.now()
    result = DunningRunResult(tenant=tenant.code, on=on)
    levels = list(
        DunningLevel.objects.filter(tenant=tenant).select_related("template").order_by("position")
    )
    if not levels:
        return result
    collection = CollectionSettings.for_tenant(tenant)
    quiet = is_quiet(tenant=tenant, at=now, collection=collection)
    cap = collection.max_messages_per_week
    by_id = {level.pk: level for level in levels}

    started = time.perf_counter()

    def clock(phase: str) -> None:
        nonlocal started
        now_ = time.perf_counter()
        result.timings[phase] = now_ - started
        started = now_

    with transaction.atomic(durable=True):
        _lock_tenant(tenant)
        states = {
            row[0]: row[1:]
            for row in DunningState.objects.filter(tenant=tenant).values_list(
                "account_id", "cycle", "level_id", "last_step_on", "pk", "last_message_at"
            )
        }
        week = (
            DunningStep.objects.filter(
                tenant=tenant,
                run_date__gt=on - dt.timedelta(days=7),
                run_date__lte=on,
                message__isnull=False,
            )
            .values("account_id")
            .annotate(n=Count("id"))
            .values_list("account_id", "n")
        )
        sent_this_week = dict(week)

        decisions: list[_Decision] = []
        overdue_ids: set[int] = set()
        inactive = set(
            Account.objects.filter(tenant=tenant, is_active=False).values_list("pk", flat=True)
        )
        for account_id, overdue, total, dpd, oldest_period in _debts(tenant=tenant, on=on):
            if account_id in inactive:
                continue
            overdue_ids.add(account_id)
            if progress and len(overdue_ids) % BATCH == 0:
                progress(BATCH)
            cycle, level_id, last_on, *_ = states.get(account_id, (1, None, None))
            if last_on is not None and last_on >= on:
                continue  # stepped on this date already (or a later one)
            current = by_id.get(level_id)
            after = current.position if current else 0
            level = next(
                (
                    x
                    for x in levels
                    if x.position > after and x.days_past_due <= dpd and x.min_debt <= overdue
                ),
                None,
            )
            if level is None:
                continue
            if current and (on - last_on).days < current.wait_days:
                result.waiting += 1
                continue
            decisions.append(
                _Decision(account_id, level, cycle, overdue, total, dpd, oldest_period)
            )
        result.accounts_overdue = len(overdue_ids)
        clock("select")
        if progress:
            progress(len(overdue_ids) % BATCH)

        paid = [
            pk for a, (_, level_id, _, pk, _) in states.items() if level_id and a not in overdue_ids
        ]
        for start in range(0, len(paid), BATCH):
            DunningState.objects.filter(pk__in=paid[start : start + BATCH]).update(
                cycle=F("cycle") + 1, level=None
            )
        result.deescalated = len(paid)
        _close_paid_cases(
            [a for a, (_, level_id, *_rest) in states.items() if level_id and a not in overdue_ids],
            now=now,
        )

        limits = MessageLimits(
            tenant=tenant,
            now=now,
            account_ids=[d.account_id for d in decisions if d.level.action in _LIMITED],
        )
        decisions = _decide_channels(
            decisions,
            tenant=tenant,
            quiet=quiet,
            cap=cap,
            sent=sent_this_week,
            limits=limits,
            result=result,
        )
        clock("decide")
        sending = _render(decisions, tenant=tenant, on=on, now=now)
        clock("render")
        _write_messages(sending, tenant=tenant, now=now)
        _open_cases(decisions, on=on, now=now, result=result)
        _write_steps(decisions, tenant=tenant, on=on, now=now, states=states)
        clock("write")
        for d in decisions:
            result.steps[(d.level.position, d.outcome)] += 1
        result.messages_queued = len(sending)
        if result.fired or result.deescalated:
            AuditEvent.objects.create(
                tenant=tenant,
                action="dunning.run",
                detail={
                    "date": on.isoformat(),
                    "steps": {f"{p}:{o}": n for (p, o), n in sorted(result.steps.items())},
                    "reset": result.deescalated,
                },
            )
        to_send = [d.message_id for d in sending if d.channel != MessageChannel.LETTER]
        if to_send:
            transaction.on_commit(partial(_enqueue_sends, to_send))
    clock("commit")
    return result


CLOSED_WHEN_PAID = (CaseStage.QUEUE, CaseStage.PROMISED, CaseStage.PRE_TRIAL)


def _close_paid_cases(account_ids: list[int], *, now: dt.datetime) -> None:
    """De-escalation: the open cases of accounts that owe nothing overdue any more close, unless
    they are in court, enforcement, with an agency or on a plan — people (or the plan's own
    check) close those, as court costs and awards are not open items."""
    for start in range(0, len(account_ids), BATCH):
        cases = DebtCase.objects.filter(
            account_id__in=account_ids[start : start + BATCH], stage__in=CLOSED_WHEN_PAID
        )
        for case in cases:
            case_close(case=case, reason="overdue debt paid", at=now)


def _decide_channels(decisions, *, tenant, quiet, cap, sent, limits, result) -> list[_Decision]:
    """Fills in each decision's outcome and recipient; drops the deferred ones: an SMS in the
    tenant's quiet hours, any message over the tenant's cap, and an SMS or e-mail that would
    break a contact limit of the law (`limits`; letters on paper are not messages there)."""
    ids = [d.account_id for d in decisions]
    contacts = {}
    accounts = Account.objects.values_list(
        "pk",
        "payer_name",
        "account_number",
        "phone",
        "email",
        "sms_consent",
        "email_consent",
        "premises__building__address",
        "premises__number",
    )
    for part in _per_account(accounts, tenant=tenant, account_ids=ids, field="pk"):
        contacts.update({row[0]: row[1:] for row in part.iterator(chunk_size=BATCH)})
    kept = []
    for d in decisions:
        payer, d.number, phone, email, sms_ok, email_ok, address, premises = contacts[d.account_id]
        d.payer = payer
        action = d.level.action
        if action not in _CHANNEL_OF:
            d.outcome = DunningOutcome.CASE
            kept.append(d)
            continue
        d.channel = _CHANNEL_OF[action]
        if action == DunningAction.SMS:
            consent, d.recipient = sms_ok, phone
        elif action == DunningAction.EMAIL:
            consent, d.recipient = email_ok, email
        else:
            consent, d.recipient = True, f"{payer}, {address}, {premises}"[:254]
        if not consent:
            d.outcome = DunningOutcome.SUPPRESSED_OPTOUT
        elif not d.recipient:
            d.outcome = DunningOutcome.SUPPRESSED_NO_CONTACT
        elif action == DunningAction.SMS and quiet:
            result.deferred_quiet += 1
            continue
        elif sent.get(d.account_id, 0) >= cap:
            result.deferred_cap += 1
            continue
        elif action in _LIMITED and (refusal := limits.refusal(d.account_id)) is not None:
            result.deferred_limits[refusal.limit] += 1
            continue
        else:
            d.outcome = (
                DunningOutcome.LETTER if action == DunningAction.LETTER else DunningOutcome.QUEUED
            )
        kept.append(d)
    return kept


def _render(decisions, *, tenant, on, now) -> list[_Decision]:
    """Renders subject and body of every decision that sends; returns those. Each template is
    compiled once per run."""
    sending = [d for d in decisions if d.outcome in (DunningOutcome.QUEUED, DunningOutcome.LETTER)]
    compiled, needs = {}, set()
    for d in sending:
        if d.level.pk in compiled:
            continue
        template = d.level.template
        if template is not None:
            subject, body = template.subject, template.body
        else:
            subject, body = _DEFAULT_TEXTS[_language(tenant)][d.channel]
        compiled[d.level.pk] = (template_compile(subject), template_compile(body))
        needs |= {name for name in CONTEXT_NAMES if name in subject + body}
    facts = {
        d.account_id: (d.payer, d.number, d.overdue, d.total, d.dpd, d.oldest_period)
        for d in sending
    }
    contexts = _contexts(
        tenant=tenant, on=on, now=now, account_ids=list(facts), facts=facts, needs=needs
    )
    for d in sending:
        subject, body = compiled[d.level.pk]
        context = contexts[d.account_id]
        d.subject = template_render(subject, context).strip()[:200]
        d.body = template_render(body, context)
    return sending


def _write_messages(sending, *, tenant, now) -> None:
    """The messages, each linked to its account's open case when there is one (`CaseMessage`,
    so the case page lists what dunning sent while people worked it), made at the run's moment
    `now` — the time the contact limits count them at."""
    open_cases = DebtCase.objects.filter(tenant=tenant).exclude(stage=CaseStage.CLOSED)
    cases = dict(open_cases.values_list("account_id", "pk")) if sending else {}
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


def _open_cases(decisions, *, on, now, result) -> None:
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
            reason=f"dunning: {d.level.name}",
            at=now,
        )
        d.case_id = case.pk
        result.cases += 1
        if d.level.action == DunningAction.PRE_TRIAL and case.stage == CaseStage.QUEUE:
            _claim_letter(case, on=on)
        target = _STAGE_OF.get(d.level.action)
        if target is None or case.stage not in _STAGE_RANK:
            continue
        if _STAGE_RANK[case.stage] >= _STAGE_RANK[target]:
            continue
        before, case.stage = case.stage, target
        case.save(update_fields=["stage"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.STAGE,
            note=f"dunning: {d.level.name}",
            detail={"from": before, "to": target, "dunning_level": d.level.position},
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


def _write_steps(decisions, *, tenant, on, now, states) -> None:
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


def _enqueue_sends(message_ids: list[int]) -> None:
    from messaging.tasks import send_messages

    for start in range(0, len(message_ids), SEND_CHUNK):
        send_messages.delay(message_ids[start : start + SEND_CHUNK])


def dunning_run_due(*, now: dt.datetime | None = None, hour: int | None = None) -> list:
    """The runs beat starts: every tenant with levels whose local time is `hour` (default
    settings.DUNNING_LOCAL_HOUR), for its local date."""
    now = now or timezone.now()
    hour = settings.DUNNING_LOCAL_HOUR if hour is None else hour
    results = []
    tenant_ids = DunningLevel.objects.values_list("tenant_id", flat=True).distinct()
    for tenant in Tenant.objects.filter(pk__in=tenant_ids).order_by("code"):
        local = timezone.localtime(now, zoneinfo.ZoneInfo(tenant.timezone))
        if local.hour == hour:
            results.append(dunning_run(tenant=tenant, on=local.date(), now=now))
    return results
