"""`check_ledger`: recomputes every balance from the entries and compares it with what the rest
of the system says — open items, payments, allocations, clearings, payouts. Each rule names
the invariant it checks; a clean ledger gives no violations.

The apps above splitting take part through `splitting.hooks`: what they hold of splitting's
accounts (`ledger_shares`: the coupons a supplier is owed, the wallet fundings the bank clearing
took in) joins splitting's own rules, and their own invariants (`ledger_checks`) run after them,
with `ledger_totals` and `differences` below to compute them."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, Sum

from splitting import hooks
from splitting.models import (
    Allocation,
    AllocationKind,
    BankCredit,
    ClaimRepayment,
    Entry,
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
)
from warehouse.models import Clearing, ClearingKind, OpenItem, Tenant


@dataclass(frozen=True)
class Violation:
    tenant: str
    rule: str
    detail: str

    def __str__(self):
        return f"[{self.tenant}] {self.rule}: {self.detail}"


def differences(left: Counter, right: Counter) -> list[tuple]:
    """(key, left, right) for every key where the two disagree, in key order."""
    keys = {k for k, v in left.items() if v} | {k for k, v in right.items() if v}
    return sorted(
        (key, left.get(key, 0), right.get(key, 0)) for key in keys if left[key] != right[key]
    )


def ledger_totals(tenant: Tenant, prefix: str, *by: str) -> Counter:
    """The entries' sums on the tenant's ledger accounts whose code starts with `prefix`, by
    the `by` fields (a tuple of them as the key)."""
    rows = (
        Entry.objects.filter(ledger_account__tenant=tenant, ledger_account__code__startswith=prefix)
        .values(*by)
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return Counter({tuple(row[k] for k in by): row["total"] for row in rows})


def ledger_check(tenant: Tenant | None = None, *, limit: int = 20) -> list[Violation]:
    tenants = [tenant] if tenant is not None else list(Tenant.objects.order_by("code"))
    found: list[Violation] = []
    for one in tenants:
        found += _tenant_check(one, limit)
    return found


def _tenant_check(tenant: Tenant, limit: int) -> list[Violation]:
    return _TenantCheck(tenant, limit).run()


class _TenantCheck:
    """The rules of one tenant's ledger, each a method, run in a fixed order; what two rules
    both read (the receivable, the bank credits, the apps' shares) is read once."""

    def __init__(self, tenant: Tenant, limit: int):
        self.tenant, self.limit = tenant, limit
        self.violations: list[Violation] = []
        self.shares = [share(tenant) for share in hooks.ledger_shares]

    def run(self) -> list[Violation]:
        for rule in (
            self.transactions_balance,
            self.receivable_is_open_items,
            self.billed_mirrors_receivable,
            self.advance_is_unused_advances,
            self.payable_is_allocations_less_payouts,
            self.payable_never_negative,
            self.paid_out_within_collected,
            self.bank_is_payouts,
            self.commission_is_withheld,
            self.clearing_is_booked_payments,
            self.suspense_is_queue,
            self.payments_are_allocated,
            self.clearings_are_allocations,
        ):
            rule()
        for check in hooks.ledger_checks:
            for finding in check(self.tenant):
                self.report(finding.rule, finding.details, lambda detail: detail)
        return self.violations

    def report(self, rule: str, rows: list, describe) -> None:
        for row in rows[: self.limit]:
            self.violations.append(Violation(self.tenant.code, rule, describe(row)))
        if len(rows) > self.limit:
            self.violations.append(
                Violation(self.tenant.code, rule, f"… and {len(rows) - self.limit} more")
            )

    @cached_property
    def receivable(self) -> Counter:
        return ledger_totals(
            self.tenant, "receivable:", "ledger_account__supplier_id", "account_id", "period"
        )

    @cached_property
    def credits(self) -> dict:
        return BankCredit.objects.filter(tenant=self.tenant).aggregate(
            parked=Sum("parked"), refunded=Sum("refunded"), open=Sum("open_amount")
        )

    def transactions_balance(self) -> None:
        unbalanced = list(
            Entry.objects.filter(transaction__tenant=self.tenant)
            .values("transaction_id")
            .annotate(total=Sum("amount"))
            .exclude(total=0)
            .order_by("transaction_id")
            .values_list("transaction_id", "total")
        )
        self.report(
            "transaction sums to zero",
            unbalanced,
            lambda r: f"transaction {r[0]} sums to {r[1]}",
        )

    def receivable_is_open_items(self) -> None:
        open_items = Counter(
            {
                (r["supplier_id"], r["account_id"], r["period"]): r["total"]
                for r in OpenItem.objects.filter(tenant=self.tenant)
                .values("supplier_id", "account_id", "period")
                .annotate(total=Sum("open_amount"))
                .order_by()
            }
        )
        self.report(
            "receivable equals open items",
            differences(self.receivable, open_items),
            lambda r: f"supplier {r[0][0]} account {r[0][1]} {r[0][2]}: ledger {r[1]}, open {r[2]}",
        )

    def billed_mirrors_receivable(self) -> None:
        billed = ledger_totals(self.tenant, "billed:", "ledger_account__supplier_id", "period")
        receivable_total: Counter = Counter()
        for (supplier_id, _, period), amount in self.receivable.items():
            receivable_total[(supplier_id, period)] += amount
        negated = Counter({key: -amount for key, amount in billed.items()})
        self.report(
            "billed mirrors receivable",
            differences(negated, receivable_total),
            lambda r: f"supplier {r[0][0]} {r[0][1]}: billed {-r[1]}, receivable {r[2]}",
        )

    def advance_is_unused_advances(self) -> None:
        advance = Counter(
            {k: -v for k, v in ledger_totals(self.tenant, "advance", "account_id").items()}
        )
        unused = Counter(
            {
                (r["account_id"],): r["total"]
                for r in Payment.objects.filter(tenant=self.tenant, advance_open__gt=0)
                .values("account_id")
                .annotate(total=Sum("advance_open"))
                .order_by()
            }
        )
        self.report(
            "advance equals payments' unused advances",
            differences(advance, unused),
            lambda r: f"account {r[0][0]}: ledger {r[1]}, payments {r[2]}",
        )

    @cached_property
    def owed(self) -> Counter:
        """Per supplier: collected for it net of commission (and the coupons used at its
        offices), less what was paid out to it and not returned."""
        owed: Counter = Counter()
        for r in (
            Allocation.objects.filter(tenant=self.tenant)
            .values("supplier_id")
            .annotate(gross=Sum("amount"), commission=Sum("commission"))
            .order_by()
        ):
            owed[(r["supplier_id"],)] += r["gross"] - r["commission"]
        for share in self.shares:
            for supplier_id, amount in share.payable.items():
                owed[(supplier_id,)] += amount
        for r in self.paid_out.items():
            owed[r[0]] -= r[1]
        for r in self.repaid.items():
            owed[r[0]] += r[1]
        return owed

    @cached_property
    def repaid(self) -> Counter:
        """Per supplier: what it paid back of what it owed (`ClaimRepayment`)."""
        return Counter(
            {
                (r["supplier_id"],): r["t"]
                for r in ClaimRepayment.objects.filter(tenant=self.tenant)
                .values("supplier_id")
                .annotate(t=Sum("amount"))
                .order_by()
            }
        )

    @cached_property
    def paid_out(self) -> Counter:
        return Counter(
            {
                (r["supplier_id"],): r["t"]
                for r in Payout.objects.filter(tenant=self.tenant)
                .exclude(status=PayoutStatus.RETURNED)
                .values("supplier_id")
                .annotate(t=Sum("amount"))
                .order_by()
            }
        )

    @cached_property
    def payable(self) -> Counter:
        return Counter(
            {
                k: -v
                for k, v in ledger_totals(
                    self.tenant, "payable:", "ledger_account__supplier_id"
                ).items()
            }
        )

    @cached_property
    def recoverable(self) -> Counter:
        return ledger_totals(self.tenant, "recoverable:", "ledger_account__supplier_id")

    def payable_is_allocations_less_payouts(self) -> None:
        balance = Counter(self.payable)
        balance.subtract(self.recoverable)
        self.report(
            "payable less what the supplier owes back equals allocations net of commission and "
            "coupons used, less payouts",
            differences(balance, self.owed),
            lambda r: f"supplier {r[0][0]}: ledger {r[1]}, allocations {r[2]}",
        )

    def payable_never_negative(self) -> None:
        self.report(
            "no supplier payable below zero",
            sorted((key, amount) for key, amount in self.payable.items() if amount < 0),
            lambda r: f"supplier {r[0][0]}: payable {r[1]}",
        )
        self.report(
            "no supplier owes back less than nothing",
            sorted((key, amount) for key, amount in self.recoverable.items() if amount < 0),
            lambda r: f"supplier {r[0][0]}: recoverable {r[1]}",
        )

    def paid_out_within_collected(self) -> None:
        """A supplier paid out more than was collected for it net of commission must owe the
        difference back, booked as such; anything else is an overpayment nobody recorded."""
        collected = Counter(self.owed)
        collected.update(self.paid_out)
        collected.subtract(self.repaid)
        over = []
        for key, paid in sorted(self.paid_out.items()):
            excess = paid - self.repaid.get(key, 0) - collected.get(key, 0)
            if excess > self.recoverable.get(key, 0):
                over.append((key, paid, collected.get(key, 0), self.recoverable.get(key, 0)))
        self.report(
            "no supplier paid out more than was collected for it",
            over,
            lambda r: (
                f"supplier {r[0][0]}: paid out {r[1]}, collected net {r[2]}, owes back {r[3]}"
            ),
        )

    def bank_is_payouts(self) -> None:
        bank = -sum(ledger_totals(self.tenant, "bank", "ledger_account_id").values())
        live = sum(self.paid_out.values())
        if bank != live:
            self.report(
                "bank account equals the payouts not returned",
                [(bank, live)],
                lambda r: f"ledger {r[0]}, payouts {r[1]}",
            )

    def commission_is_withheld(self) -> None:
        tenant = self.tenant
        commission = -sum(ledger_totals(tenant, "commission", "ledger_account_id").values())
        withheld = Allocation.objects.filter(tenant=tenant).aggregate(t=Sum("commission"))["t"]
        withheld = withheld or 0
        if commission != withheld:
            self.report(
                "commission income equals commission withheld",
                [(commission, withheld)],
                lambda r: f"ledger {r[0]}, allocations {r[1]}",
            )

    def clearing_is_booked_payments(self) -> None:
        clearing = Counter(
            {
                (code.partition(":")[2],): amount
                for (code,), amount in ledger_totals(
                    self.tenant, "clearing:", "ledger_account__code"
                ).items()
            }
        )
        received: Counter = Counter()
        for r in (
            Payment.objects.filter(tenant=self.tenant, status=PaymentStatus.BOOKED)
            .values("channel", "from_suspense")
            .annotate(amount=Sum("amount"), refunded=Sum("refunded"))
            .order_by()
        ):
            # A payment out of suspense took no money from the channel: the credit did, on
            # arrival.
            received[(r["channel"],)] += (0 if r["from_suspense"] else r["amount"]) - r["refunded"]
        received[("bank",)] += (self.credits["parked"] or 0) - (self.credits["refunded"] or 0)
        for share in self.shares:
            for channel, amount in share.received.items():
                received[(channel,)] += amount
        self.report(
            "channel clearing equals booked payments",
            differences(clearing, received),
            lambda r: f"channel {r[0][0]}: ledger {r[1]}, payments {r[2]}",
        )

    def suspense_is_queue(self) -> None:
        suspense = -sum(ledger_totals(self.tenant, "suspense", "ledger_account_id").values())
        if suspense != (self.credits["open"] or 0):
            self.report(
                "suspense equals the credits waiting in the queue",
                [(suspense, self.credits["open"] or 0)],
                lambda r: f"ledger {r[0]}, queue {r[1]}",
            )

    def payments_are_allocated(self) -> None:
        split = self._allocated_per_payment()
        wrong = []
        for payment in Payment.objects.filter(tenant=self.tenant).only(
            "pk", "amount", "advance", "advance_open", "refunded", "commission", "status"
        ):
            direct, applied, commission_sum = split[payment.pk]
            # A reversed payment's unused advance went back with it: only a booked one must
            # still hold what it has not applied.
            booked = payment.status == PaymentStatus.BOOKED
            if (
                direct + payment.advance != payment.amount
                or (booked and applied + payment.refunded != payment.advance - payment.advance_open)
                or commission_sum != payment.commission
            ):
                wrong.append((payment.pk, payment.amount, direct, payment.advance, applied))
        self.report(
            "payment equals its allocations and advance",
            wrong,
            lambda r: f"payment {r[0]} of {r[1]}: allocated {r[2]}, advance {r[3]}, applied {r[4]}",
        )

    def _allocated_per_payment(self) -> dict[int, list[int]]:
        """Per payment: allocated directly, applied from its advance, commission withheld."""
        split = defaultdict(lambda: [0, 0, 0])
        for r in (
            Allocation.objects.filter(tenant=self.tenant)
            .values("payment_id", "kind")
            .annotate(total=Sum("amount"), commission=Sum("commission"))
            .order_by()
        ):
            if r["kind"] == AllocationKind.PAYMENT:
                split[r["payment_id"]][0] += r["total"]
            elif r["kind"] == AllocationKind.ADVANCE:
                split[r["payment_id"]][1] += r["total"]
            if r["kind"] != AllocationKind.REVERSAL:
                split[r["payment_id"]][2] += r["commission"]
        return split

    def clearings_are_allocations(self) -> None:
        cleared = Counter(
            {
                (r["open_item_id"],): r["total"]
                for r in Clearing.objects.filter(
                    Q(kind__in=[ClearingKind.PAYMENT, ClearingKind.ADVANCE, ClearingKind.REVERSAL])
                    & Q(source_id__startswith="payment:"),
                    tenant=self.tenant,
                )
                .values("open_item_id")
                .annotate(total=Sum("amount"))
                .order_by()
            }
        )
        allocated = Counter(
            {
                (r["open_item_id"],): r["total"]
                for r in Allocation.objects.filter(tenant=self.tenant)
                .values("open_item_id")
                .annotate(total=Sum("amount"))
                .order_by()
            }
        )
        self.report(
            "clearings equal allocations per open item",
            differences(cleared, allocated),
            lambda r: f"open item {r[0][0]}: cleared {r[1]}, allocated {r[2]}",
        )
