"""The demo's months as they would have happened, in each tenant's own time, up to the moment
the demo is seeded (`now`, any day of any month).

Every step is an event at a local instant, and the events run in time order with the clock
moved to each (time-machine), so every timestamp the services write — an import's, a close's, a
payment's, a clearing's, a penalty's, a message's — is the moment it happened:

- each supplier's file for a period arrives on the 1st of the next month from 07:00;
- on an issue day between the 2nd and the 4th (never after the day the law wants the documents
  out by) the period's penalties are charged at 09:00 and the period is closed at 09:30; the
  documents are due on the day `period_due_date` gives (the dated legal rule);
- the residents pay each document by their habit: most before the due date, some after it,
  some half, a few not at all — on four channels, at hours each channel keeps; bank transfers
  arrive as the bank's statement of the day, imported the next morning at 08:30;
- the newest statement (the morning at least six hours before `now`) also brings transfers that
  name no bill, left in suspense for the accountant;
- a card payment to a supplier whose webhook endpoint is down: its delivery fails on every
  retry of the backoff;
- the dunning procedure runs every day at 11:00;
- two hours before `now`, a payer opens a card checkout and never finishes it.

The demo residents (`demo.warehouse.SIGN_INS`: the first account of each tenant) pay every bill
but the newest, so they have something to pay. Deterministic: the same seed, arguments and `now`
give the same data."""

import contextlib
import datetime as dt
import heapq
import io
import itertools
import logging
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from debt_collection.services.dunning.defaults import dunning_defaults
from debt_collection.services.dunning.run import dunning_run
from debt_collection.services.penalty_runs import penalty_run
from demo.checkout import demo_stuck_checkout
from demo.statements import DemoCredit, camt053
from demo.warehouse import demo_charge_files, demo_charges_import, demo_profiles
from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.services.closing import period_close
from splitting.channels.statements import statement_import
from splitting.core.outbox import supplier_event_deliver
from splitting.core.payments import payment_post
from splitting.models import OutboxStatus, Payment, SupplierEvent
from warehouse.models import Account, Supplier, Tenant
from warehouse.services.legal import documents_deadline_of
from warehouse.services.periods import period_due_date, period_parse

DEMO_PAYERS_MAX = 5_000  # accounts per tenant and period that pay (the rest owe)
IMPORT_AT = dt.time(7, 0)
PENALTIES_AT = dt.time(9, 0)
CLOSE_AT = dt.time(9, 30)
STATEMENT_AT = dt.time(8, 30)
DUNNING_AT = dt.time(11, 0)
QUIET_BEFORE_NOW = dt.timedelta(hours=6)  # the newest statement is at least this old
STUCK_CHECKOUT_AGE = dt.timedelta(hours=2)
# Channel: (weight, first hour, last hour) — when its payers pay, in tenant time.
CHANNELS = {
    "provider": (35, 7, 23),
    "bank": (30, 9, 18),
    "terminal": (20, 8, 21),
    "cash_desk": (15, 9, 19),
}
# The supplier whose billing system is down when the demo's last card payment reaches it.
DOWN_SUPPLIER = {"demo-ru": "teploset"}
DOWN_ENDPOINT = "http://127.0.0.1:9/unibill/webhook"  # nothing listens: connection refused
_SUSPENSE = {
    "RUB": [
        (3_250_00, "Смирнова Татьяна Петровна", "Оплата ЖКУ, кв. 12"),
        (1_800_00, "Козлов Андрей Игоревич", "Квартплата, л/с 100200999"),
        (5_417_35, "ООО «Вектор»", "Оплата по договору, без НДС"),
    ],
    "EUR": [
        (215_40, "Petra Lange", "Nebenkosten Wohnung 3 OG links"),
        (98_00, "Thomas Krüger", "Abschlag Kto 5100999999"),
        (412_75, "Hausgemeinschaft Lindenstr.", "Sammelüberweisung"),
    ],
}


@dataclass(order=True)
class _Event:
    at: dt.datetime
    seq: int
    action: Callable = field(compare=False)


@dataclass
class MonthResult:
    documents: int = 0
    payments: int = 0
    statements: int = 0
    suspense: int = 0
    messages: int = 0
    closed: list[str] = field(default_factory=list)


class _Timeline:
    """Events in time order; none after `now`."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self._heap: list[_Event] = []
        self._seq = itertools.count()

    def add(self, at: dt.datetime, action: Callable) -> bool:
        if at > self.now:
            return False
        heapq.heappush(self._heap, _Event(at, next(self._seq), action))
        return True

    def run(self, clock) -> None:
        while self._heap:
            event = heapq.heappop(self._heap)
            clock.move_to(event.at)
            event.action()


def _travel(start: dt.datetime):
    try:
        import time_machine
    except ImportError:  # pragma: no cover — `make demo` installs it with the dev tools
        raise RuntimeError(
            "seed_demo replays the demo's months with time-machine: pip install time-machine"
        ) from None
    return time_machine.travel(start, tick=False)


def demo_clock(start: dt.datetime):
    """The clock the demo is seeded under, starting at `start` (moved by `_Timeline.run`)."""
    return _travel(start)


def _next_month(period: str) -> dt.date:
    year, month = period_parse(period)
    return dt.date(year + month // 12, month % 12 + 1, 1)


def demo_start(periods: list[str], zone_names: list[str], now: dt.datetime) -> dt.datetime:
    """When the demo operator starts: the first period's first day, 08:00 in the earliest zone,
    or `now` when that is later."""
    year, month = period_parse(periods[0])
    first = min(
        dt.datetime(year, month, 1, 8, tzinfo=zoneinfo.ZoneInfo(name)) for name in zone_names
    )
    return min(first, now)


class _TenantMonth:
    """One tenant's events."""

    def __init__(self, tenant: Tenant, *, periods, folder: Path, seed: int, timeline, result):
        self.tenant = tenant
        self.code = tenant.code
        self.zone = zoneinfo.ZoneInfo(tenant.timezone)
        self.periods = periods
        self.folder = folder
        self.seed = seed
        self.timeline = timeline
        self.result = result
        now = timeline.now
        self.closes = {p: at for p in periods if (at := self._close_at(p)) <= now}
        self.current = max(self.closes) if self.closes else None
        self.cutoff = self._cutoff(now)
        first = Account.objects.filter(tenant=tenant).order_by("account_number").first()
        self.residents = {first.account_number} if first else set()
        self._statements: dict[dt.date, list[DemoCredit]] = {}
        self._sequence = itertools.count(1)

    def local(self, day: dt.date, at: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, at, tzinfo=self.zone)

    def issue_day(self, period: str) -> dt.date:
        """Between the 2nd and the 4th of the next month, never after the legal deadline for
        the documents (RU: the 5th)."""
        first = _next_month(period)
        day = 2 + (first.month + first.year) % 3
        deadline = documents_deadline_of(self.tenant, *period_parse(period))
        if deadline is not None and deadline.month == first.month:
            day = min(day, deadline.day)
        return first.replace(day=max(day, 1))

    def _close_at(self, period: str) -> dt.datetime:
        return self.local(self.issue_day(period), CLOSE_AT)

    def _cutoff(self, now: dt.datetime) -> dt.datetime:
        """The newest statement's morning, at least QUIET_BEFORE_NOW before now: the end of
        the demo's regular payments."""
        day = (now - QUIET_BEFORE_NOW).astimezone(self.zone).date()
        at = self.local(day, STATEMENT_AT)
        return (
            at if at <= now - QUIET_BEFORE_NOW else self.local(day - dt.timedelta(1), STATEMENT_AT)
        )

    # --- planning -----------------------------------------------------------------------------

    def plan(self) -> None:
        dunning_defaults(tenant=self.tenant)
        demo_profiles(self.code)
        files = demo_charge_files(self.code, self.folder)
        for index, (layout, period, path) in enumerate(files):
            at = self.local(_next_month(period), IMPORT_AT) + dt.timedelta(minutes=7 * index)
            at = min(at, self.timeline.now - dt.timedelta(seconds=len(files) - index))
            self.timeline.add(at, lambda a=(layout, period, path): self._import(*a))
        for period, close in self.closes.items():
            self.timeline.add(
                self.local(close.date(), PENALTIES_AT), lambda p=period: self._penalties(p)
            )
            self.timeline.add(close, lambda p=period: self._close(p))
        if self.closes:
            self._plan_dunning()
            self._plan_suspense()
            if self.code in DOWN_SUPPLIER:
                self.timeline.add(self.cutoff + dt.timedelta(minutes=25), self._down_webhook)
            self.timeline.add(self.timeline.now - STUCK_CHECKOUT_AGE, self._stuck_checkout)

    def _plan_dunning(self) -> None:
        first_due = period_due_date(self.tenant, min(self.closes))
        today = self.timeline.now.astimezone(self.zone).date()
        day = first_due + dt.timedelta(days=1)
        while day <= today:
            self.timeline.add(self.local(day, DUNNING_AT), lambda d=day: self._dunning(d))
            day += dt.timedelta(days=1)

    def _plan_suspense(self) -> None:
        day = self.cutoff.date() - dt.timedelta(days=1)
        for index, (amount, payer, text) in enumerate(_SUSPENSE.get(self.tenant.currency, [])):
            self._credit(
                day,
                DemoCredit(
                    amount=amount,
                    payer=payer,
                    bank_reference=f"DEMO-{self.code.upper()}-S{day:%Y%m%d}-{index + 1}",
                    free_text=text,
                ),
            )

    def _credit(self, day: dt.date, credit: DemoCredit) -> None:
        """A transfer booked by the bank on `day`: in that day's statement, imported the next
        morning."""
        if day not in self._statements:
            self._statements[day] = []
            at = self.local(day + dt.timedelta(days=1), STATEMENT_AT)
            self.timeline.add(at, lambda d=day: self._statement(d))
        self._statements[day].append(credit)

    def _plan_payments(self, period: str) -> None:
        """Each document's payment by its payer's habit, within the time it may take: from the
        issue to the next close (or the newest statement)."""
        later = [at for p, at in self.closes.items() if p > period]
        start = self.closes[period] + dt.timedelta(minutes=30)
        end = min([*later, self.cutoff])
        documents = (
            PaymentDocument.objects.filter(
                tenant=self.tenant, period=period, status=DocumentStatus.ISSUED, amount_due__gt=0
            )
            .select_related("account")
            .order_by("account__account_number")[:DEMO_PAYERS_MAX]
        )
        names = list(CHANNELS)
        weights = [CHANNELS[name][0] for name in names]
        for document in documents:
            number = document.account.account_number
            if number in self.residents and period == self.current:
                continue  # the demo resident's newest bill waits for them
            habit = random.Random(f"{self.seed}:{self.code}:{number}").random()
            if number in self.residents:
                habit = 1.0  # the demo resident pays on time: their history shows it
            rng = random.Random(f"{self.seed}:{self.code}:{number}:{period}")
            issued = start.astimezone(self.zone).date()
            due = document.due_date
            amount = document.amount_due
            if habit < 0.10:
                continue  # never pays: the demo's debtors
            if habit < 0.18:
                amount = max(amount // 2, 1)
                day = issued + dt.timedelta(days=rng.randint(0, max((due - issued).days - 1, 0)))
            elif habit < 0.38 or (habit < 1.0 and rng.random() < 0.1):
                day = due + dt.timedelta(days=rng.randint(1, 20))  # late this month
            else:
                day = issued + dt.timedelta(days=rng.randint(0, max((due - issued).days - 1, 0)))
            channel = rng.choices(names, weights)[0]
            _weight, first_hour, last_hour = CHANNELS[channel]
            at = self.local(
                day,
                dt.time(
                    rng.randint(first_hour, last_hour - 1), rng.randint(0, 59), rng.randint(0, 59)
                ),
            )
            if at <= start:
                at += dt.timedelta(days=1)
            if at >= end:
                continue  # not yet: they pay after the demo's "now"
            if channel == "bank":
                self._credit(
                    at.date(),
                    DemoCredit(
                        amount=amount,
                        payer=document.account.payer_name,
                        bank_reference=f"DEMO-{self.code.upper()}-{document.reference}",
                        structured_reference=document.reference,
                        free_text=f"{document.number}",
                    ),
                )
            else:
                self.timeline.add(at, lambda d=document, a=amount, c=channel: self._pay(d, a, c))

    # --- the events ---------------------------------------------------------------------------

    def _import(self, layout, period: str, path: Path) -> None:
        demo_charges_import(self.tenant, layout, period, path)

    def _penalties(self, period: str) -> None:
        penalty_run(tenant=self.tenant, period=period)

    def _close(self, period: str) -> None:
        self.result.documents += period_close(tenant=self.tenant, period=period).issued
        self.result.closed.append(f"{self.code} {period}")
        self._plan_payments(period)

    def _pay(self, document: PaymentDocument, amount: int, channel: str) -> None:
        payment_post(
            tenant=self.tenant,
            account=document.account,
            amount=amount,
            channel=channel,
            external_id=f"demo-{document.reference}",
            document_reference=document.reference,
        )
        self.result.payments += 1

    def _statement(self, day: dt.date) -> None:
        tenant = self.tenant
        data = camt053(
            tenant_code=self.code,
            iban=tenant.iban,
            bank_account=tenant.bank_account,
            currency=tenant.currency,
            day=day,
            created=timezone.now().astimezone(self.zone),
            sequence=next(self._sequence),
            credits=self._statements[day],
        )
        outcome = statement_import(tenant=tenant, data=data, filename=f"statement-{day}.xml")
        self.result.statements += 1
        self.result.payments += outcome.matched
        self.result.suspense += outcome.parked

    def _dunning(self, day: dt.date) -> None:
        with contextlib.redirect_stdout(io.StringIO()), _quiet("integrations.sms"):
            run = dunning_run(tenant=self.tenant, on=day, now=timezone.now())
        self.result.messages += run.messages_queued

    def _current_document(self, rank: int):
        """The `rank`-th newest document (of the latest period closed by now) of an account
        other than the demo residents', those not paid at all since their issue first."""
        issued = [p for p, at in self.closes.items() if at <= timezone.now()]
        if not issued:
            return None
        period = max(issued)
        documents = (
            PaymentDocument.objects.filter(
                tenant=self.tenant,
                period=period,
                status=DocumentStatus.ISSUED,
                amount_due__gt=0,
            )
            .exclude(account__account_number__in=self.residents)
            .select_related("account")
            .order_by("account__account_number")
        )
        paid = set(
            Payment.objects.filter(
                tenant=self.tenant, booked_at__gte=self.closes[period]
            ).values_list("account_id", flat=True)
        )
        ranked = sorted(documents, key=lambda d: d.account_id in paid)  # stable: by number
        return ranked[rank] if rank < len(ranked) else None

    def _down_webhook(self) -> None:
        """A card payment reaches a supplier whose endpoint is down: every delivery retry of
        the backoff fails, and the event ends `failed`."""
        supplier = Supplier.objects.get(tenant=self.tenant, code=DOWN_SUPPLIER[self.code])
        supplier.webhook_url = DOWN_ENDPOINT
        supplier.save(update_fields=["webhook_url"])
        document = self._current_document(0)
        if document is None:
            return
        outcome = payment_post(
            tenant=self.tenant,
            account=document.account,
            amount=document.amount_due,
            channel="provider",
            external_id=f"demo-card-{document.reference}",
            document_reference=document.reference,
        )
        self.result.payments += 1
        event = SupplierEvent.objects.filter(payment=outcome.payment, supplier=supplier).first()
        if event is not None:
            self._retry_later(event)

    def _retry_later(self, event: SupplierEvent) -> None:
        """The outbox's next try, when its backoff is over (the beat's sweep in production)."""
        if event.status == OutboxStatus.PENDING:
            self.timeline.add(event.next_attempt_at, lambda pk=event.pk: self._retry(pk))

    def _retry(self, event_id: int) -> None:
        event = supplier_event_deliver(event_id=event_id)
        if event is not None:
            self._retry_later(event)

    def _stuck_checkout(self) -> None:
        document = self._current_document(1)
        if document is None:
            return
        demo_stuck_checkout(
            tenant=self.tenant,
            account=document.account,
            amount=document.amount_due,
            reference=document.reference,
        )


@contextlib.contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def demo_month(
    tenant_codes, *, periods: list[str], folder: Path, seed: int, now: dt.datetime, clock
) -> MonthResult:
    """Replays the tenants' months up to `now` under `clock` (a time-machine traveller)."""
    timeline = _Timeline(now)
    result = MonthResult()
    for tenant in Tenant.objects.filter(code__in=tenant_codes).order_by("pk"):
        _TenantMonth(
            tenant,
            periods=periods,
            folder=folder / tenant.code,
            seed=seed,
            timeline=timeline,
            result=result,
        ).plan()
    timeline.run(clock)
    return result
