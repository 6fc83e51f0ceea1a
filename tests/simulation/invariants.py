"""The invariants, checked after every simulated day. Each recomputes from the stored rows (or
from what the simulated outside world saw), not by calling the code under test — except
`check_ledger`, the ledger's own audit, which the issue names as one of them."""

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Sum

from debt_collection.models import CollectionSettings, DunningStep, PaymentPlan
from invoicing.models import DocumentLine, PaymentDocument
from splitting.core.ledger_check import ledger_check
from splitting.models import Allocation, Payment, PaymentStatus, Payout, SupplierEvent
from warehouse.models import Clearing, OpenItem, Supplier


@dataclass(frozen=True)
class Violation:
    invariant: str
    detail: str

    def __str__(self):
        return f"{self.invariant}: {self.detail}"


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _has(model, field: str) -> bool:
    return any(f.name == field for f in model._meta.fields)


def check_all(sim, day: dt.date) -> list[Violation]:
    found: list[Violation] = []
    for check in CHECKS:
        found += check(sim, day)
    return found


def ledger(sim, day):
    return [Violation("check_ledger", str(v)) for v in ledger_check(None)]


def transactions_sum_to_zero(sim, day):
    rows = _rows(
        "SELECT transaction_id, SUM(amount) FROM splitting_entry GROUP BY transaction_id"
        " HAVING SUM(amount) <> 0"
    )
    return [
        Violation("every ledger transaction sums to zero", f"transaction {t}: {s}")
        for t, s in rows[:5]
    ]


def open_items_are_charges_less_clearings(sim, day):
    cleared = defaultdict(int)
    for item_id, amount in Clearing.objects.values_list("open_item_id").annotate(s=Sum("amount")):
        cleared[item_id] = amount
    out = []
    for pk, account_id, amount, open_amount in OpenItem.objects.values_list(
        "pk", "account_id", "amount", "open_amount"
    ):
        # A clearing uses up an item towards zero: a debt by its amount, a credit (negative
        # item) by the amount's magnitude.
        if open_amount != amount - (cleared[pk] if amount >= 0 else -cleared[pk]):
            out.append(
                Violation(
                    "open item = charges − clearings",
                    f"open item {pk} (account {account_id}): amount {amount}, cleared "
                    f"{cleared[pk]}, open {open_amount}",
                )
            )
    return out[:5]


def payments_are_allocated(sim, day):
    by_payment = defaultdict(lambda: defaultdict(int))
    for payment_id, kind, amount in Allocation.objects.values_list("payment_id", "kind").annotate(
        s=Sum("amount")
    ):
        by_payment[payment_id][kind] = amount
    out = []
    for p in Payment.objects.only("pk", "amount", "status", "advance", "advance_open", "refunded"):
        rows = by_payment[p.pk]
        if p.status == PaymentStatus.REVERSED:
            if sum(rows.values()) != 0:
                out.append(
                    Violation(
                        "a reversed payment's allocations net to zero",
                        f"payment {p.pk}: {dict(rows)}",
                    )
                )
            continue
        if p.amount != rows["payment"] + p.advance:
            out.append(
                Violation(
                    "payment = allocations + advance",
                    f"payment {p.pk}: amount {p.amount}, allocated {rows['payment']}, "
                    f"advance {p.advance}",
                )
            )
        if p.advance != rows["advance"] + p.advance_open + p.refunded:
            out.append(
                Violation(
                    "advance = applied + open + refunded",
                    f"payment {p.pk}: advance {p.advance}, applied {rows['advance']}, open "
                    f"{p.advance_open}, refunded {p.refunded}",
                )
            )
    return out[:5]


def suppliers_never_overpaid(sim, day):
    """Per supplier: collected net of commission (allocations) − paid out (payouts not returned,
    less what it repaid) ≥ 0, or the excess is booked as owed back; the payable never < 0."""
    out = []
    net = Counter()
    for supplier_id, gross, commission in Allocation.objects.values_list("supplier_id").annotate(
        g=Sum("amount"), c=Sum("commission")
    ):
        net[supplier_id] += gross - commission
    returned = "WHERE status <> 'returned'" if _has(Payout, "status") else ""  # (older mains)
    paid = Counter(
        dict(_rows(f"SELECT supplier_id, SUM(amount) FROM splitting_payout {returned} GROUP BY 1"))
    )
    if "splitting_claimrepayment" in connection.introspection.table_names():
        for supplier_id, repaid in _rows(
            "SELECT supplier_id, SUM(amount) FROM splitting_claimrepayment GROUP BY supplier_id"
        ):
            paid[supplier_id] -= repaid
    balances = defaultdict(int)
    for name, supplier_id, total in _rows(
        "SELECT a.code, a.supplier_id, SUM(e.amount) FROM splitting_entry e"
        " JOIN splitting_ledgeraccount a ON a.id = e.ledger_account_id"
        " WHERE a.supplier_id IS NOT NULL GROUP BY a.code, a.supplier_id"
    ):
        balances[(name.split(":")[0], supplier_id)] += total
    for supplier_id in set(net) | set(paid):
        payable = -balances[("payable", supplier_id)]
        owed_back = balances[("recoverable", supplier_id)]
        if payable < 0:
            out.append(
                Violation("no payable below zero", f"supplier {supplier_id}: payable {payable}")
            )
        over = paid[supplier_id] - net[supplier_id]
        if over > owed_back:
            out.append(
                Violation(
                    "no supplier paid more than was collected for it",
                    f"supplier {supplier_id}: paid out {paid[supplier_id]}, collected net "
                    f"{net[supplier_id]}, booked as owed back {owed_back}",
                )
            )
        if net[supplier_id] - paid[supplier_id] != payable - owed_back:
            out.append(
                Violation(
                    "collected = paid out + payable + commission",
                    f"supplier {supplier_id}: collected net {net[supplier_id]}, paid out "
                    f"{paid[supplier_id]}, payable {payable}, owed back {owed_back}",
                )
            )
    return out


def documents_add_up(sim, day):
    lines = defaultdict(int)
    charges = defaultdict(int)
    for document_id, kind, amount in DocumentLine.objects.values_list(
        "document_id", "kind"
    ).annotate(s=Sum("amount")):
        lines[document_id] += amount
        if kind not in ("opening", "payment"):
            charges[document_id] += amount
    out = []
    fields = {f.name for f in PaymentDocument._meta.fields}
    for d in PaymentDocument.objects.only(
        *({"pk", "opening", "charges", "payments", "amount_due", "advance", "prepaid"} & fields)
    ):
        total = d.opening + d.charges - d.payments
        prepaid = getattr(d, "prepaid", 0)  # (a main before issue 19 has no such column)
        # What is to pay (or carried forward) after the account's unused advance (`prepaid`).
        if total - prepaid != d.amount_due - d.advance or min(d.amount_due, d.advance) != 0:
            out.append(
                Violation(
                    "a document adds up",
                    f"document {d.pk}: opening {d.opening} + charges {d.charges} − payments "
                    f"{d.payments} − prepaid {prepaid} ≠ due {d.amount_due} − advance "
                    f"{d.advance}",
                )
            )
        if d.pk in lines and lines[d.pk] != total:
            out.append(
                Violation(
                    "a document's lines add up",
                    f"document {d.pk}: lines {lines[d.pk]}, total {total}",
                )
            )
        if d.pk in charges and charges[d.pk] != d.charges:
            out.append(
                Violation(
                    "a document's charge lines are its charges",
                    f"document {d.pk}: lines {charges[d.pk]}, charges {d.charges}",
                )
            )
    return out[:5]


def nothing_doubled(sim, day):
    """Every payment the outside world made exists once: the simulation counts the intents it
    saw accepted; the database must hold exactly those, whatever was replayed."""
    out = []
    stored = Counter(
        dict(
            (tuple(k), n)
            for *k, n in Payment.objects.values_list("tenant__code", "channel").annotate(
                n=Count("id")
            )
        )
    )
    expected = Counter(sim.accepted)
    if stored != expected:
        out.append(
            Violation("no payment doubled or lost", f"stored {dict(stored)}, made {dict(expected)}")
        )
    events = Counter(
        (supplier_id, event, json.dumps(body, sort_keys=True))
        for supplier_id, event, body in SupplierEvent.objects.values_list(
            "supplier_id", "event", "body"
        )
    )
    for (supplier_id, event, body), n in events.items():
        if n > 1:
            out.append(
                Violation(
                    "no webhook event doubled", f"supplier {supplier_id} {event} ×{n}: {body[:200]}"
                )
            )
    for supplier, body in sim.world.outside.receiver.doubled[:5]:
        out.append(Violation("no webhook delivered twice", f"{supplier} received twice: {body}"))
    return out[:5]


def webhooks_equal_ledger(sim, day):
    """When nothing is waiting to be delivered to a supplier, what its endpoint received adds
    up to what was allocated to it."""
    waiting = set(
        SupplierEvent.objects.exclude(status="delivered").values_list(
            "supplier__code", "tenant__code"
        )
    )
    received = sim.world.outside.receiver.money
    out = []
    for code, tenant_code, total in Allocation.objects.values_list(
        "supplier__code", "tenant__code"
    ).annotate(s=Sum("amount")):
        if (code, tenant_code) in waiting:
            continue
        if received[code] * 100 != total:
            out.append(
                Violation(
                    "what the supplier webhooks delivered equals the ledger",
                    f"{tenant_code}/{code}: delivered {received[code]}, allocated {total / 100}",
                )
            )
    return out


def contact_limits_kept(sim, day):
    out = []
    limits = {c.tenant_id: c.max_messages_per_week for c in CollectionSettings.objects.all()}
    rows = (
        DunningStep.objects.filter(
            message__isnull=False, run_date__gt=day - dt.timedelta(days=7), run_date__lte=day
        )
        .values_list("tenant_id", "account_id")
        .annotate(n=Count("id"))
    )
    for tenant_id, account_id, n in rows:
        if n > limits.get(tenant_id, CollectionSettings().max_messages_per_week):
            out.append(
                Violation(
                    "dunning kept the contact limit",
                    f"account {account_id}: {n} messages in 7 days",
                )
            )
    return out[:5]


def instalments_paid_by_money_meant_for_them(sim, day):
    """An instalment is paid only by money meant for it: what the plan's instalments marked
    paid add up to is covered by the payments quoting its instalments' references."""
    out = []
    for plan in PaymentPlan.objects.prefetch_related("instalments"):
        if getattr(plan, "funding", "reference") != "reference":
            continue
        # What the payer wrote on the transfer: an instalment's reference of this plan.
        refs = {i.reference for i in plan.instalments.all()}
        aimed = sum(
            amount
            for amount, structured, text in Payment.objects.filter(
                status=PaymentStatus.BOOKED,
                account_id=plan.case.account_id,
                bank_credit__isnull=False,
            ).values_list("amount", "bank_credit__structured_reference", "bank_credit__free_text")
            if structured in refs or any(ref in text for ref in refs)
        )
        paid = [i for i in plan.instalments.all() if i.paid_at is not None]
        paid_total = sum(i.amount for i in paid)
        # Money aimed at one instalment pays it first, whatever the order, so the test is the
        # total: what is marked paid never exceeds the money quoting the plan's references.
        if paid_total > aimed:
            out.append(
                Violation(
                    "plan instalments are paid only by money meant for them",
                    f"plan {plan.pk} (account {plan.case.account_id}): instalments "
                    f"{[i.number for i in paid]} marked paid ({paid_total}), money quoting its "
                    f"references {aimed}",
                )
            )
    return out[:5]


def commission_once_per_payment(sim, day):
    """Per booked payment and supplier, the commission withheld over all its bookings is the
    supplier's rule applied once to the supplier's whole share of the payment — recomputed
    here with Decimal from the supplier's row, not with the allocation engine."""
    rules = {
        s.pk: s
        for s in Supplier.objects.only(
            "commission_percent", "commission_fixed", "commission_min", "commission_max"
        )
    }
    out = []
    rows = (
        Allocation.objects.filter(
            payment__status=PaymentStatus.BOOKED, kind__in=["payment", "advance"]
        )
        .values_list("payment_id", "supplier_id")
        .annotate(share=Sum("amount"), withheld=Sum("commission"))
    )
    for payment_id, supplier_id, share, withheld in rows:
        supplier = rules[supplier_id]
        expected = 0
        if share > 0:
            percent = (Decimal(share) * supplier.commission_percent / 100).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
            expected = max(int(percent) + supplier.commission_fixed, supplier.commission_min)
            if supplier.commission_max is not None:
                expected = min(expected, supplier.commission_max)
            expected = max(0, min(expected, share))
        if withheld != expected:
            out.append(
                Violation(
                    "the commission is the supplier's rule applied once per payment",
                    f"payment {payment_id}, supplier {supplier_id}: share {share}, withheld "
                    f"{withheld}, the rule gives {expected}",
                )
            )
    return out[:5]


def credits_netted(sim, day):
    """No account holds a credit (a negative open item) beside a debt to the same supplier:
    credits are set against the supplier's debts as they arrive."""
    signs = defaultdict(set)
    for account_id, supplier_id, open_amount in OpenItem.objects.exclude(open_amount=0).values_list(
        "account_id", "supplier_id", "open_amount"
    ):
        signs[(account_id, supplier_id)].add(open_amount > 0)
    return [
        Violation(
            "credit items are netted against the same supplier's debts",
            f"account {account_id}, supplier {supplier_id}: a credit and a debt both open",
        )
        for (account_id, supplier_id), both in sorted(signs.items())
        if len(both) == 2
    ][:5]


def penalties_recomputed(sim, day):
    """Every penalty accrual written since the last check equals an independent recomputation
    from the policy rows (tests/simulation/penalties.py)."""
    from debt_collection.models import PenaltyAccrual
    from tests.simulation.penalties import Law, recompute

    out = []
    laws = {}
    new = PenaltyAccrual.objects.filter(pk__gt=sim.penalties_checked).select_related(
        "tenant", "base_item", "base_item__supplier"
    )
    for accrual in new.order_by("pk"):
        sim.penalties_checked = accrual.pk
        law = laws.get(accrual.tenant_id) or laws.setdefault(accrual.tenant_id, Law(accrual.tenant))
        item = accrual.base_item
        expected = recompute(law, item, item.supplier, accrual.through_date)
        sim.stats["penalty accruals recomputed"] += expected is not None
        if expected is not None and expected != accrual.cumulative:
            out.append(
                Violation(
                    "every penalty equals a recomputation from the policy rows",
                    f"accrual {accrual.pk} (item {item.pk}, due {item.due_date}, amount "
                    f"{item.amount}, through {accrual.through_date}): charged cumulative "
                    f"{accrual.cumulative}, recomputed {expected}",
                )
            )
    return out[:5]


CHECKS = [
    ledger,
    transactions_sum_to_zero,
    open_items_are_charges_less_clearings,
    payments_are_allocated,
    suppliers_never_overpaid,
    documents_add_up,
    nothing_doubled,
    webhooks_equal_ledger,
    contact_limits_kept,
    instalments_paid_by_money_meant_for_them,
    commission_once_per_payment,
    credits_netted,
    penalties_recomputed,
]
