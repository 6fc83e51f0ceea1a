"""One simulated day of every tenant, drawn from the seed: the suppliers' files, month-end, the
payers on every channel, the bank's statements, staff at the suspense queue and the cash desk,
reversals and refunds, the night's registries and payouts, dunning, promises and plans, and the
outbox's deliveries — each through the real service, HTTP endpoint or file format."""

import datetime as dt
import json
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.test import Client

from core.money import format_minor
from debt_collection.models import WORKED_STAGES, DebtCase
from debt_collection.services.dunning.run import dunning_run
from debt_collection.services.plans import plan_create, plans_check
from debt_collection.services.promises import promise_record, promises_check
from demo.generate import supplier_rows, write_supplier_file
from integrations.providers.sandbox import sign
from integrations.terminals.osmp import TXN_DATE_FORMAT, format_sum
from invoicing.models import BillingPeriod, DocumentStatus, PaymentDocument
from invoicing.services.closing import chunks_of, issue_chunk
from splitting.channels.cashdesk import cash_payment_take, desk_token, shift_close, shift_open
from splitting.channels.checkouts import checkout_start
from splitting.channels.outside_payments import outside_payments_import
from splitting.channels.statements import statement_import, suspense_assign
from splitting.core.reversals import advance_refund, payment_reverse
from splitting.models import BankCredit, Checkout, Payment, PaymentStatus, SupplierEvent
from splitting.settlement.registries import registries_build
from splitting.tasks import deliver_due_events, deliver_supplier_event
from tests.month_end import month_end_close
from tests.simulation import wire
from tests.simulation.faults import SimulatedFault
from tests.simulation.world import TERMINAL_PASSWORD, SimTenant
from warehouse.models import Charge
from warehouse.services.charges import charges_import

SANDBOX_WHSEC = "sim-sandbox-webhook-secret"
CORRECTS_PERIOD = any(f.name == "corrects_period" for f in Charge._meta.fields)
WEBHOOK = "/api/v1/providers/sandbox/webhook"


def month_of(day: dt.date, back: int = 0) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class Intent:
    """A payment the outside world will make: on `day`, by `channel`."""

    id: str
    tenant: SimTenant
    account_index: int
    amount: int
    channel: str
    reference: str = ""
    why: str = "bill"
    plan: int | None = None  # a payment plan's instalment this money is meant for


class Simulation:
    def __init__(self, world, *, faults, log, without=()):
        self.world = world
        self.without = set(without)  # scenario parts left out (--without), to bisect a finding
        self.faults = faults
        self.log = log
        self.rng = random.Random(f"{world.seed}:scenario")
        self.accepted: Counter = Counter()  # (tenant code, channel) -> payments that must exist
        self.intents: dict[dt.date, list[Intent]] = defaultdict(list)
        # webhooks the acquirer sends on a later day: (body, checkout, a redelivery?)
        self.pending_webhooks: dict[dt.date, list[tuple[bytes, Checkout, bool]]] = defaultdict(list)
        self.files_due: dict[tuple[str, str], dt.date] = {}  # (tenant, period) -> close after
        self.sent_files: dict[tuple[str, str, str], list[wire.ChargeRow]] = {}
        self.statement_tail: dict[str, list] = {}  # yesterday's bank credits, per tenant
        self.suspense_owners: dict[str, tuple[SimTenant, int]] = {}  # bank ref -> real payer
        self.down_until: dict[str, dt.date] = {}
        self.instalment_credits: dict[int, set[str]] = defaultdict(set)  # plan -> bank refs
        self.counter = 0
        self.penalties_checked = 0  # the last penalty accrual the invariants recomputed
        self.stats: Counter = Counter()
        self.web = Client()
        self.folder = Path(tempfile.mkdtemp(prefix="unibill-sim-"))

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.world.seed}x{self.counter}"

    # -- the day ---------------------------------------------------------------------------

    def day(self, clock, today: dt.date) -> None:
        at = lambda hour, minute=0: clock.move_to(  # noqa: E731
            dt.datetime.combine(today, dt.time(hour, minute), tzinfo=dt.UTC)
        )
        at(4)  # the night's work (07:00 in Moscow, 05:00 in Berlin): yesterday is over
        for sim_tenant in self.world.tenants:
            self.night(sim_tenant, today - dt.timedelta(days=1))
        self.outbox(today)
        at(6)
        for sim_tenant in self.world.tenants:
            self.supplier_files(sim_tenant, today)
            self.month_end(sim_tenant, today)
        at(9)
        for sim_tenant in self.world.tenants:
            self.collection(sim_tenant, today)
        at(11)
        todays = self.intents.pop(today, [])
        self.rng.shuffle(todays)  # out of order, as the channels deliver
        bank: dict[str, list] = defaultdict(list)
        cash: dict[str, list] = defaultdict(list)
        outside: dict[str, list] = defaultdict(list)
        for intent in todays:
            if intent.channel == "bank" or intent.plan is not None:
                bank[intent.tenant.code].append(intent)
            elif intent.channel == "cash_desk":
                cash[intent.tenant.code].append(intent)
            elif intent.channel == "outside":
                outside[intent.tenant.code].append(intent)
            else:
                self.pay(intent, today)
        for sim_tenant in self.world.tenants:
            if cash[sim_tenant.code]:
                self.cash_desk(sim_tenant, cash[sim_tenant.code])
        for body, checkout, again in self.pending_webhooks.pop(today, []):
            self.webhook(body, checkout, redelivery=again)
        at(16)
        for sim_tenant in self.world.tenants:
            self.statement(sim_tenant, today, bank[sim_tenant.code])
            self.outside_file(sim_tenant, today, outside[sim_tenant.code])
            self.staff(sim_tenant, today)
        at(19)
        self.webhooks_down(today)

    # -- suppliers and month-end --------------------------------------------------------------

    def supplier_files(self, t: SimTenant, today: dt.date) -> None:
        period = month_of(today, 1)
        if today.day == 1:
            for layout in t.layouts:
                late = self.rng.random() < 0.08
                send = today + dt.timedelta(
                    days=self.rng.randint(5, 7) if late else self.rng.randint(0, 2)
                )
                self.files_due[(t.code, period, layout.supplier)] = send
        for layout in t.layouts:
            key = (t.code, period, layout.supplier)
            if self.files_due.get(key) == today:
                self.charge_file(t, layout, period, corrected=False)
                if self.rng.random() < 0.1:
                    self.files_due[key + ("v2",)] = today + dt.timedelta(days=1)
            if self.files_due.get(key + ("v2",)) == today and not self.closed(t, period):
                self.charge_file(t, layout, period, corrected=True)

    def charge_file(self, t: SimTenant, layout, period: str, *, corrected: bool) -> None:
        supplier = t.suppliers[layout.supplier]
        recalculations = []
        if (
            not corrected
            and self.rng.random() < 0.25
            and self.closed(t, month_of_period(period, 1))
        ):
            recalculations = self.recalculations(t, layout, period)
        if not corrected and not recalculations:
            # The supplier's own export, in its layout, read through its mapping profile.
            path = write_supplier_file(
                layout, t.demo, period, self.world.seed, self.folder / t.code
            )
            outcome = charges_import(
                tenant=t.tenant,
                supplier=supplier,
                period=period,
                data=path.read_bytes(),
                filename=path.name,
                profile=t.profiles[layout.supplier],
            )
            self.stats["charge files"] += 1
            assert outcome.ok, f"{path.name}: {outcome.message} {outcome.batch.report[:3]}"
            return
        rows = self.regular_rows(t, layout, period)
        if corrected:  # a corrected version: some lines change, up or down
            rows = [
                wire.ChargeRow(
                    r.supplier_account,
                    r.service_code,
                    max(0, r.amount + self.rng.randint(-3000, 3000)),
                )
                if self.rng.random() < 0.2
                else r
                for r in rows
            ]
            self.stats["corrected versions"] += 1
        # A main before issue 19 knows no corrects_period: its recalculations name no period.
        named = bool(recalculations) and CORRECTS_PERIOD
        data = wire.charges_csv(rows + recalculations, with_corrects=named)
        outcome = charges_import(
            tenant=t.tenant,
            supplier=supplier,
            period=period,
            data=data,
            filename=f"{layout.supplier}-{period}{'-v2' if corrected else ''}.csv",
        )
        self.stats["charge files"] += 1
        assert outcome.ok, (
            f"{layout.supplier} {period}: {outcome.message} {outcome.batch.report[:3]}"
        )

    def regular_rows(self, t: SimTenant, layout, period: str) -> list[wire.ChargeRow]:
        columns = supplier_rows(layout, t.demo, period, self.world.seed)
        amounts = [int(a.replace(",", "").replace(".", "")) for a in columns["amount"]]
        return [
            wire.ChargeRow(account, service, amount)
            for account, service, amount in zip(
                columns["supplier_account"], columns["service_code"], amounts, strict=True
            )
        ]

    def recalculations(self, t: SimTenant, layout, period: str) -> list[wire.ChargeRow]:
        """A few past-period recalculations, mostly downward (credits)."""
        rows, seen = [], set()
        for _ in range(self.rng.randint(1, 3)):
            index = self.rng.randrange(len(t.accounts))
            rule = self.rng.choice(layout.rules)
            if (index, rule.code) in seen:
                continue
            seen.add((index, rule.code))
            amount = (
                -self.rng.randint(100, 150_00)
                if self.rng.random() < 0.7
                else self.rng.randint(100, 50_00)
            )
            corrects = month_of_period(period, self.rng.randint(1, 2))
            rows.append(
                wire.ChargeRow(
                    t.demo.supplier_number(layout, index),
                    rule.code,
                    amount,
                    "recalculation",
                    corrects,
                )
            )
        self.stats["recalculations"] += len(rows)
        return rows

    def closed(self, t: SimTenant, period: str) -> bool:
        return BillingPeriod.objects.filter(
            tenant=t.tenant, period=period, status="closed"
        ).exists()

    def month_end(self, t: SimTenant, today: dt.date) -> None:
        period = month_of(today, 1)
        if today.day < 8 or self.closed(t, period):
            return
        if any(
            self.files_due.get((t.code, period, layout.supplier), today) >= today
            for layout in t.layouts
        ):
            return  # a file is still coming, or came today: close tomorrow
        result = month_end_close(tenant=t.tenant, period=period)
        self.stats["periods closed"] += 1
        billing_period = result.billing_period
        if self.faults.chance(5):  # a worker died before acknowledging: the chunk comes again
            chunk = chunks_of(billing_period)[:1]
            if chunk:
                issue_chunk(billing_period.pk, chunk[0])
                self.stats["fault: chunk redelivered"] += 1
        self.schedule_payments(t, period, today)

    def schedule_payments(self, t: SimTenant, period: str, today: dt.date) -> None:
        documents = {
            d.account_id: d
            for d in PaymentDocument.objects.filter(
                tenant=t.tenant, period=period, status=DocumentStatus.ISSUED
            )
        }
        for index, account in enumerate(t.accounts):
            document = documents.get(account.pk)
            payer = t.payers[index]
            if document is None or document.amount_due <= 0 or payer.kind == "never":
                continue
            amount = document.amount_due
            delay = payer.delay
            if payer.kind == "partial":
                amount = max(100, amount * self.rng.randint(40, 90) // 100)
            elif payer.kind == "late":
                delay += self.rng.randint(25, 50)
            elif payer.kind == "overpays":
                amount += self.rng.randint(1, 50) * 1000
            channel = (
                payer.channel
                if self.rng.random() < 0.85
                else self.rng.choice(
                    ["api", "bank", "terminal", "provider", "cash_desk", "outside"]
                )
            )
            self.intents[today + dt.timedelta(days=delay)].append(
                Intent(self.next_id("p"), t, index, amount, channel, document.reference)
            )

    # -- payers --------------------------------------------------------------------------

    def pay(self, intent: Intent, today: dt.date) -> None:
        getattr(self, f"pay_{intent.channel}")(intent, today)

    def accept(self, t: SimTenant, channel: str) -> None:
        self.accepted[(t.code, channel)] += 1
        self.stats[f"payments: {channel}"] += 1

    def pay_api(self, intent: Intent, today: dt.date) -> None:
        t = intent.tenant
        body = {
            "account_number": t.accounts[intent.account_index].account_number,
            "amount": format_minor(intent.amount),
            "channel": "bank",
            "external_id": f"api-{intent.id}",
            "document_reference": intent.reference,
        }
        key = f"key-{intent.id}"
        self.faults.arm()
        try:
            response = t.api.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        except SimulatedFault:
            self.stats["fault: mid-transaction"] += 1
            assert not Payment.objects.filter(external_id=body["external_id"]).exists(), (
                "a payment survived the fault in its transaction"
            )
            response = t.api.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        finally:
            self.faults.disarm()
        if response.status_code == 422 and intent.reference:
            # The document was replaced (a corrected file): pay the account instead.
            body.pop("document_reference")
            response = t.api.post(
                "/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY=key + "b"
            )
        assert response.status_code == 201, (response.status_code, response.content[:300])
        self.accept(t, "bank")
        if self.rng.random() < 0.15:  # the gateway did not hear the answer and sends it again
            again = t.api.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
            assert again.status_code in (201, 200), again.content[:300]
            self.stats["replays: api"] += 1
        if self.rng.random() < 0.03:  # the same key with another body is refused
            other = dict(body, amount=format_minor(intent.amount + 100))
            refused = t.api.post("/api/v1/payments", other, format="json", HTTP_IDEMPOTENCY_KEY=key)
            assert 400 <= refused.status_code < 500, refused.status_code

    def pay_terminal(self, intent: Intent, today: dt.date) -> None:
        t = intent.tenant
        txn = str(10**9 + self.counter)
        self.counter += 1
        number = t.accounts[intent.account_index].account_number
        auth = {"HTTP_AUTHORIZATION": _basic(t.processor.username, TERMINAL_PASSWORD)}
        url = f"/api/v1/terminals/{t.processor.code}/"
        checked = self.web.get(
            url,
            {
                "command": "check",
                "txn_id": txn,
                "account": number,
                "sum": format_sum(intent.amount),
            },
            **auth,
        )
        assert _result(checked) == 0, checked.content[:300]
        params = {
            "command": "pay",
            "txn_id": txn,
            "account": number,
            "sum": format_sum(intent.amount),
            "txn_date": dt.datetime.now().strftime(TXN_DATE_FORMAT),
        }
        paid = self.web.get(url, params, **auth)
        assert _result(paid) == 0, paid.content[:300]
        self.accept(t, "terminal")
        if self.rng.random() < 0.15:
            again = self.web.get(url, params, **auth)
            assert _result(again) == 0, again.content[:300]
            self.stats["replays: terminal"] += 1

    def pay_provider(self, intent: Intent, today: dt.date) -> None:
        t = intent.tenant
        account = t.accounts[intent.account_index]
        checkout, _url = checkout_start(
            tenant=t.tenant,
            account=account,
            amount=intent.amount,
            provider_code="sandbox",
            reference=intent.reference
            if PaymentDocument.objects.filter(
                tenant=t.tenant, reference=intent.reference, status=DocumentStatus.ISSUED
            ).exists()
            else "",
            site_url="http://unibill.invalid",
            channel="cabinet",
        )
        self.counter += 1
        body = json.dumps(
            {
                "id": f"evt_{self.counter}",
                "type": "checkout.completed",
                "created": int(time.time()),
                "data": {
                    "id": checkout.provider_id,
                    "status": "succeeded",
                    "amount": checkout.total,
                    "currency": checkout.currency,
                    "reference": checkout.reference,
                    "payment_id": f"sbxpay_{intent.id}",
                },
            }
        ).encode()
        roll = self.rng.random()
        if roll < 0.05:  # a forged webhook first: refused, nothing written
            forged = self.web.post(
                WEBHOOK,
                body,
                "application/json",
                HTTP_SANDBOX_SIGNATURE=sign("guess", int(time.time()), body),
            )
            assert forged.status_code == 400, forged.status_code
            self.stats["forged webhooks refused"] += 1
        delay = 0 if roll < 0.8 else self.rng.randint(1, 2)  # some arrive late
        if delay:
            self.pending_webhooks[today + dt.timedelta(days=delay)].append((body, checkout, False))
            self.stats["late webhooks"] += 1
        else:
            self.webhook(body, checkout)

    def webhook(self, body: bytes, checkout: Checkout, *, redelivery: bool = False) -> None:
        """The acquirer's signed webhook; the payment exists once it has arrived. Acquirers
        deliver at least once: some come again at once, some days later."""
        headers = {"HTTP_SANDBOX_SIGNATURE": sign(SANDBOX_WHSEC, int(time.time()), body)}
        response = self.web.post(WEBHOOK, body, "application/json", **headers)
        assert response.status_code == 200, response.content[:300]
        if redelivery:
            assert response.json()["status"] == "replayed", response.content[:300]
            self.stats["replays: provider webhook"] += 1
            return
        self.accepted[(checkout.tenant.code, "provider")] += 1
        self.stats["payments: provider"] += 1
        roll = self.rng.random()
        if roll < 0.08:
            again = self.web.post(WEBHOOK, body, "application/json", **headers)
            assert again.status_code == 200, again.content[:300]
            assert again.json()["status"] == "replayed", again.content[:300]
            self.stats["replays: provider webhook"] += 1
        elif roll < 0.16:
            later = dt.date.today() + dt.timedelta(days=self.rng.randint(1, 3))
            self.pending_webhooks[later].append((body, checkout, True))

    def cash_desk(self, t: SimTenant, intents: list[Intent]) -> None:
        shift = shift_open(tenant=t.tenant, cashier=t.staff, opening_cash=100_00)
        taken = 0
        for intent in intents:
            token = desk_token()
            account = t.accounts[intent.account_index]
            cash_payment_take(
                shift=shift, account=account, amount=intent.amount, method="cash", token=token
            )
            if self.rng.random() < 0.1:  # the form sent twice
                cash_payment_take(
                    shift=shift, account=account, amount=intent.amount, method="cash", token=token
                )
                self.stats["replays: cash desk"] += 1
            taken += intent.amount
            self.accept(t, "cash_desk")
        shift_close(shift=shift, counted_cash=100_00 + taken)

    def outside_file(self, t: SimTenant, today: dt.date, intents: list[Intent]) -> None:
        """The post office's CSV of the payments it took; now and then sent twice."""
        if not intents:
            return
        lines = ["account_number,amount,date,channel,external_id"] + [
            f"{t.accounts[i.account_index].account_number},{format_minor(i.amount)},"
            f"{today.isoformat()},post-office,PO-{i.id}"
            for i in intents
        ]
        data = ("\n".join(lines) + "\n").encode()
        outcome = outside_payments_import(tenant=t.tenant, data=data)
        del outcome
        for _ in intents:
            self.accept(t, "external")
        if self.rng.random() < 0.2:
            outside_payments_import(tenant=t.tenant, data=data)
            self.stats["replays: outside file"] += 1

    # -- the bank ------------------------------------------------------------------------

    def statement(self, t: SimTenant, today: dt.date, intents: list[Intent]) -> None:
        credits = []
        for intent in intents:
            account = t.accounts[intent.account_index]
            bank_ref = self.next_id("b")
            unmatched = intent.plan is None and self.rng.random() < 0.06
            text = (
                "перевод"
                if unmatched
                else f"Оплата ЕПД {intent.reference} л/с {account.account_number}"
            )
            if intent.plan is not None:  # an instalment, by its reference
                text = f"Оплата по рассрочке {intent.reference}"
                self.instalment_credits[intent.plan].add(bank_ref)
            credit = wire.Credit(
                bank_ref=bank_ref,
                amount=intent.amount,
                payer=t.demo.payers[intent.account_index],
                payer_account=_payer_account(t, intent.account_index),
                reference="" if (unmatched or not t.iban) else intent.reference,
                text=text,
                booked=today,
            )
            credits.append(credit)
            if unmatched:  # a payment once staff assign it
                self.suspense_owners[bank_ref] = (t, intent.account_index)
            else:
                self.accept(t, "bank")
        repeat = self.rng.random() < 0.2 and "statement-repeats" not in self.without
        if repeat and self.statement_tail.get(t.code):
            # A credit of an earlier file again (overlapping statement periods); its entry
            # stands alone, as the bank booked it, not inside a batch of today.
            credits = self.statement_tail[t.code][:1] + credits  # a credit again in the next file
            self.stats["credits repeated across files"] += 1
        self.statement_tail[t.code] = credits[-2:]
        if not credits:
            return
        if t.iban:
            entries, rest = [], list(credits)
            while rest:
                size = (
                    self.rng.randint(2, 4)
                    if self.rng.random() < 0.2 and rest[0].booked == today
                    else 1
                )
                size = next(
                    (i for i, c in enumerate(rest[:size]) if c.booked != rest[0].booked), size
                )
                entries.append(rest[:size])
                rest = rest[size:]
            data = wire.camt053(
                iban=t.iban,
                currency=t.tenant.currency,
                day=today,
                entries=entries,
                msg=self.next_id("M"),
            )
            name = f"camt053-{today}.xml"
        else:
            data = wire.one_c(account=t.bank_account, day=today, credits=credits)
            name = f"kl_to_1c-{today}.txt"
        outcome = statement_import(tenant=t.tenant, data=data, filename=name)
        self.stats["statements"] += 1
        # A credit without a reference is still matched when its payer paid from this bank
        # account before and owes exactly that amount: then it is a payment already.
        for credit in BankCredit.objects.filter(tenant=t.tenant, status="matched", booked_on=today):
            ref = _sim_ref(credit)
            if ref not in self.suspense_owners:
                continue
            del self.suspense_owners[ref]
            self.accept(t, "bank")
            self.stats["unreferenced credits matched by payer"] += 1
        if self.faults.chance(3):  # the import task ran twice
            statement_import(tenant=t.tenant, data=data, filename=name)
            self.stats["fault: statement imported twice"] += 1
        del outcome

    def staff(self, t: SimTenant, today: dt.date) -> None:
        """Suspense: staff find the payer of a waiting credit (two days later) and assign it."""
        for credit in BankCredit.objects.filter(
            tenant=t.tenant, status="suspense", booked_on__lte=today - dt.timedelta(days=2)
        ):
            owner = self.suspense_owners.get(_sim_ref(credit))
            if owner is None:
                continue
            _tenant, index = owner
            suspense_assign(
                credit=credit, account=t.accounts[index], amount=credit.open_amount, actor=t.staff
            )
            self.accept(t, "bank")
            self.stats["suspense assigned"] += 1
        # Reversals (a bank recalls a payment, staff undo a mistake) and refunds of advances.
        if self.rng.random() < 0.25:
            candidates = list(
                Payment.objects.filter(
                    tenant=t.tenant, status=PaymentStatus.BOOKED, from_suspense=False
                )
                .exclude(channel="provider")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if candidates:
                payment = Payment.objects.get(pk=self.rng.choice(candidates[-200:]))
                payment_reverse(payment=payment, actor=t.staff, reason="simulated recall")
                self.stats["reversals"] += 1
        if self.rng.random() < 0.2:
            refundable = list(
                Payment.objects.filter(
                    tenant=t.tenant, status=PaymentStatus.BOOKED, advance_open__gt=0
                )
                .exclude(channel="provider")
                .order_by("pk")[:50]
            )
            if refundable:
                payment = self.rng.choice(refundable)
                advance_refund(
                    payment=payment,
                    amount=max(1, payment.advance_open // 2),
                    actor=t.staff,
                    reason="asked back",
                )
                self.stats["refunds"] += 1

    # -- the night ------------------------------------------------------------------------

    def night(self, t: SimTenant, day: dt.date) -> None:
        built = registries_build(tenant=t.tenant, day=day)
        try:
            from splitting.settlement.payouts import day_settle
        except ImportError:  # a main before the settlement issue: a payout per registry
            self.stats["payouts"] += _payouts_per_registry(built)
            return
        settled = day_settle(tenant=t.tenant, day=day)
        self.stats["payouts"] += len(settled.payouts)

    def outbox(self, today: dt.date) -> None:
        for code, until in list(self.down_until.items()):
            if until <= today:
                self.world.outside.receiver.down.discard(code)
                del self.down_until[code]
        # Events that reached their last try while an endpoint was down: staff resend them.
        from splitting.core.outbox import supplier_event_resend

        for event in SupplierEvent.objects.filter(status="failed"):
            if event.supplier.code not in self.world.outside.receiver.down:
                supplier_event_resend(event=event, actor=self.world.tenants[0].staff)
                self.stats["webhook events resent"] += 1
        deliver_due_events()
        if self.faults.chance(5):  # the beat's task twice, and one event's task again
            deliver_due_events()
            last = SupplierEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
            if last:
                deliver_supplier_event(last)
            self.stats["fault: delivery task twice"] += 1

    def webhooks_down(self, today: dt.date) -> None:
        if self.faults.chance(1):
            t = self.rng.choice(self.world.tenants)
            code = self.rng.choice(sorted(t.suppliers))
            self.world.outside.receiver.down.add(code)
            self.down_until[code] = today + dt.timedelta(days=self.rng.randint(1, 4))
            self.stats["fault: webhook endpoint down"] += 1

    # -- collection -----------------------------------------------------------------------

    def collection(self, t: SimTenant, today: dt.date) -> None:
        dunning_run(tenant=t.tenant, on=today)
        promises_check(on=today)
        plans_check(on=today)
        if self.rng.random() < 0.15:
            self.plan(t, today)
        if self.rng.random() < 0.3:
            cases = list(
                DebtCase.objects.filter(tenant=t.tenant, stage__in=WORKED_STAGES).order_by("pk")[
                    :20
                ]
            )
            if cases:
                case = self.rng.choice(cases)
                index = next(i for i, a in enumerate(t.accounts) if a.pk == case.account_id)
                debt = _overdue(case)
                if debt > 0:
                    promise_record(
                        case=case,
                        amount=max(100, debt // 2),
                        due_date=today + dt.timedelta(days=7),
                        actor=t.staff,
                    )
                    self.stats["promises"] += 1
                    if self.rng.random() < 0.6:  # kept
                        self.intents[today + dt.timedelta(days=self.rng.randint(1, 7))].append(
                            Intent(
                                self.next_id("k"),
                                t,
                                index,
                                max(100, debt // 2),
                                self.rng.choice(["api", "bank", "terminal"]),
                                why="promise",
                            )
                        )

    def plan(self, t: SimTenant, today: dt.date) -> None:
        """A collector agrees a plan with a debtor; the debtor pays most instalments by their
        reference, some late or not at all — and may go on paying bills besides."""
        cases = list(
            DebtCase.objects.filter(tenant=t.tenant, stage__in=WORKED_STAGES).order_by("pk")[:20]
        )
        if not cases:
            return
        case = self.rng.choice(cases)
        if _overdue(case) < 100 * 3:
            return
        plan = plan_create(
            case=case, months=3, first_due=today + dt.timedelta(days=10), actor=t.staff
        )
        self.stats["plans"] += 1
        index = next(i for i, a in enumerate(t.accounts) if a.pk == case.account_id)
        for instalment in plan.instalments.order_by("number"):
            if self.rng.random() < 0.8:
                day = instalment.due_date - dt.timedelta(days=self.rng.randint(0, 5))
                self.intents[max(day, today + dt.timedelta(days=1))].append(
                    Intent(
                        self.next_id("i"),
                        t,
                        index,
                        instalment.amount,
                        "bank",
                        instalment.reference,
                        why="instalment",
                        plan=plan.pk,
                    )
                )
        if self.rng.random() < 0.5:  # the debtor also pays the current bill as usual
            self.intents[today + dt.timedelta(days=self.rng.randint(1, 20))].append(
                Intent(
                    self.next_id("o"),
                    t,
                    index,
                    self.rng.randint(10, 300) * 100,
                    self.rng.choice(["api", "terminal"]),
                )
            )


def _sim_ref(credit: BankCredit) -> str:
    """The simulation's own name of a credit: camt carries it as the EndToEndId, 1C as the
    document number (the bank reference is "number/date")."""
    return credit.end_to_end_id or credit.bank_reference.split("/")[0]


def _payouts_per_registry(registries) -> int:
    from core.errors import ApplicationError
    from splitting.settlement.registries import payout_create

    made = 0
    for registry in registries:
        try:
            payout_create(registry=registry)
            made += 1
        except ApplicationError:  # nets to nothing
            pass
    return made


def month_of_period(period: str, back: int) -> str:
    year, month = map(int, period.split("-"))
    return month_of(dt.date(year, month, 1), back)


def _overdue(case: DebtCase) -> int:
    from debt_collection.selectors import account_overdue

    return int(account_overdue(case.account, on=dt.date.today()) or 0)


def _payer_account(t: SimTenant, index: int) -> str:
    if t.iban:
        from schwifty import IBAN

        return str(IBAN.generate("DE", bank_code="10010010", account_code=str(100000 + index)))
    return f"40817810{index:012d}"


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _result(response) -> int:
    text = response.content.decode()
    return int(text.split("<result>")[1].split("</result>")[0])


def local_day(t: SimTenant, at: dt.datetime) -> dt.date:
    return at.astimezone(ZoneInfo(t.tenant.timezone)).date()
