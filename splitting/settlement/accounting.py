"""The accounting export of a tenant's month: what its ledger says, in the shapes an accountant
loads — the general journal, the turnover of each ledger account (обороты), the trial balance
(оборотно-сальдовая ведомость), a commission act per supplier (акт об оказании услуг агента)
and the operator's bank operations (the payouts) for 1C. The files are written by
`accounting_files` and `commission_act_files`; this module only reads.

A period is a month "YYYY-MM" in the tenant's time zone: a transaction belongs to it by its
`posted_at`, an instant, so a booking at 01:30 Moscow time on the 1st is the new month's even
though it is still the old month in UTC. A registry (a supplier's day) belongs to the month of
its `day`, a payout to the month of its `created_at`.

Amounts are minor units. The ledger's sign convention (`splitting.models.core`) holds: an
entry is a debit when positive, a credit when negative. So for every ledger account

    closing = opening + debit turnover − credit turnover

where the turnovers are the sums of the period's positive entries and of the negated negative
ones, entry by entry (two legs of a charge import on the same ledger account, one up and one
down for two residents, are both turnover). Every transaction sums to zero and lies wholly in
one period, so the trial balance's debit and credit columns add up to the same totals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from core.errors import ApplicationError
from integrations.settlement.one_c_operations import BankOperation
from splitting.core import ledger
from splitting.models import Channel, Entry, LedgerAccount, Payout, Registry, TransactionKind
from splitting.settlement.orders import party, payout_order
from warehouse.models import Supplier, Tenant
from warehouse.services.periods import period_parse

# --- the period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month of a tenant: its first and last day, and the instants it starts and ends at
    (`start` inclusive, `end` exclusive) in the tenant's time zone."""

    code: str  # YYYY-MM
    first_day: date
    last_day: date
    start: datetime
    end: datetime


def period_of(tenant: Tenant, period: str) -> Period:
    """The tenant's month `period`; ApplicationError (`bad_period`) for anything but YYYY-MM."""
    year, month = period_parse(period)
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    zone = ZoneInfo(tenant.timezone)
    return Period(
        code=period,
        first_day=first,
        last_day=following - timedelta(days=1),
        start=datetime.combine(first, time.min, tzinfo=zone),
        end=datetime.combine(following, time.min, tzinfo=zone),
    )


# --- ledger accounts by name ---------------------------------------------------------------------

# The order the turnover and the trial balance list the accounts in: money first (the bank, the
# channels' clearing), then what is owed per supplier, then the operator's own.
_ORDER = (
    ledger.BANK,
    "clearing",
    "receivable",
    "billed",
    "payable",
    "recoverable",
    ledger.ADVANCE,
    ledger.COMMISSION,
    ledger.SUSPENSE,
)
_PER_SUPPLIER = ("receivable", "billed", "payable", "recoverable")


def _supplier_id(code: str) -> int | None:
    kind, _, rest = code.partition(":")
    return int(rest) if kind in _PER_SUPPLIER and rest.isdigit() else None


def ledger_account_name(code: str, suppliers: dict[int, str]) -> str:
    """The human name of a ledger account code, in the active language: "Payable to АО
    «Водоканал»", "Clearing: Bank transfer", "Commission income". `suppliers` maps supplier ids
    to names; a code this module does not know (an app above splitting books to its own, e.g.
    a wallet's) is its own name."""
    kind, _, rest = code.partition(":")
    if kind in _PER_SUPPLIER:
        supplier_id = _supplier_id(code)
        name = suppliers.get(supplier_id) if supplier_id is not None else None
        supplier = name or gettext("supplier %(id)s") % {"id": rest}
        texts = {
            "receivable": gettext("Receivable from residents for %(supplier)s"),
            "billed": gettext("Charges billed for %(supplier)s"),
            "payable": gettext("Payable to %(supplier)s"),
            "recoverable": gettext("Recoverable from %(supplier)s"),
        }
        return texts[kind] % {"supplier": supplier}
    if kind == "clearing":
        channels = dict(Channel.choices)
        return gettext("Clearing: %(channel)s") % {"channel": channels.get(rest, rest)}
    names = {
        ledger.ADVANCE: gettext("Advances received from residents"),
        ledger.COMMISSION: gettext("Commission income"),
        ledger.SUSPENSE: gettext("Suspense: receipts not yet identified"),
        ledger.BANK: gettext("Operator's settlement bank account"),
    }
    return names.get(code, code)


def _sort_key(code: str, suppliers: dict[int, str]) -> tuple:
    kind, _, rest = code.partition(":")
    rank = _ORDER.index(kind) if kind in _ORDER else len(_ORDER)
    supplier_id = _supplier_id(code)
    return rank, suppliers.get(supplier_id, "") if supplier_id else "", code


def supplier_names(tenant: Tenant) -> dict[int, str]:
    return dict(Supplier.objects.filter(tenant=tenant).values_list("pk", "name"))


# --- the general journal -------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalLine:
    """One entry of a transaction of the period. `debit` and `credit` are both ≥ 0, one of them
    zero; `account_number` and `entry_period` are the resident account and the billing period
    the entry concerns, where it concerns one (receivable, advance), else ""."""

    day: date  # the tenant's day of the transaction
    transaction_id: int
    kind: str
    kind_label: str
    memo: str
    code: str
    name: str
    debit: int
    credit: int
    account_number: str
    entry_period: str


def journal_lines(*, tenant: Tenant, period: Period) -> Iterator[JournalLine]:
    """Every entry of every transaction posted in `period`, by time, transaction and entry.
    A generator over a server-side cursor: a month with a large charge import has hundreds of
    thousands of entries, and the writers stream them."""
    zone = ZoneInfo(tenant.timezone)
    suppliers = supplier_names(tenant)
    kinds = dict(TransactionKind.choices)
    names: dict[str, str] = {}
    entries = (
        Entry.objects.filter(
            transaction__tenant=tenant,
            transaction__posted_at__gte=period.start,
            transaction__posted_at__lt=period.end,
        )
        .select_related("transaction", "ledger_account", "account")
        .order_by("transaction__posted_at", "transaction_id", "pk")
    )
    for entry in entries.iterator(chunk_size=2000):
        txn, code = entry.transaction, entry.ledger_account.code
        if code not in names:
            names[code] = ledger_account_name(code, suppliers)
        yield JournalLine(
            day=txn.posted_at.astimezone(zone).date(),
            transaction_id=txn.pk,
            kind=txn.kind,
            kind_label=str(kinds.get(txn.kind, txn.kind)),
            memo=txn.memo,
            code=code,
            name=names[code],
            debit=max(entry.amount, 0),
            credit=max(-entry.amount, 0),
            account_number=entry.account.account_number if entry.account_id else "",
            entry_period=entry.period,
        )


# --- turnover and the trial balance --------------------------------------------------------------


@dataclass(frozen=True)
class Turnover:
    """A ledger account over the period: `opening` and `closing` signed (debit positive), the
    turnovers both ≥ 0."""

    code: str
    name: str
    opening: int
    debit: int
    credit: int

    @property
    def closing(self) -> int:
        return self.opening + self.debit - self.credit

    @property
    def opening_debit(self) -> int:
        return max(self.opening, 0)

    @property
    def opening_credit(self) -> int:
        return max(-self.opening, 0)

    @property
    def closing_debit(self) -> int:
        return max(self.closing, 0)

    @property
    def closing_credit(self) -> int:
        return max(-self.closing, 0)


def turnovers(*, tenant: Tenant, period: Period) -> list[Turnover]:
    """Each ledger account with a balance at the period's start or an entry in it, in the
    chart's order (`_ORDER`, then by supplier name). One query over the entries up to the
    period's end."""
    in_period = Q(transaction__posted_at__gte=period.start)
    zero = 0
    rows = (
        Entry.objects.filter(transaction__tenant=tenant, transaction__posted_at__lt=period.end)
        .values("ledger_account_id")
        .annotate(
            opening=Coalesce(Sum("amount", filter=~in_period), zero),
            debit=Coalesce(Sum("amount", filter=in_period & Q(amount__gt=0)), zero),
            credit=Coalesce(Sum("amount", filter=in_period & Q(amount__lt=0)), zero),
        )
        .order_by()
    )
    figures = {
        row["ledger_account_id"]: (row["opening"], row["debit"], -row["credit"])
        for row in rows
        if row["opening"] or row["debit"] or row["credit"]
    }
    codes = dict(
        LedgerAccount.objects.filter(tenant=tenant, pk__in=figures).values_list("pk", "code")
    )
    suppliers = supplier_names(tenant)
    found = [
        Turnover(codes[pk], ledger_account_name(codes[pk], suppliers), *figures[pk])
        for pk in figures
    ]
    return sorted(found, key=lambda row: _sort_key(row.code, suppliers))


@dataclass(frozen=True)
class TrialBalance:
    """The trial balance of a period: the accounts' rows and the totals of each column. In a
    ledger whose transactions sum to zero, each debit column's total equals its credit
    column's (`balanced`)."""

    period: Period
    rows: tuple[Turnover, ...]

    def _total(self, attribute: str) -> int:
        return sum(getattr(row, attribute) for row in self.rows)

    @property
    def opening_debit(self) -> int:
        return self._total("opening_debit")

    @property
    def opening_credit(self) -> int:
        return self._total("opening_credit")

    @property
    def debit(self) -> int:
        return self._total("debit")

    @property
    def credit(self) -> int:
        return self._total("credit")

    @property
    def closing_debit(self) -> int:
        return self._total("closing_debit")

    @property
    def closing_credit(self) -> int:
        return self._total("closing_credit")

    @property
    def balanced(self) -> bool:
        return (self.opening_debit, self.debit, self.closing_debit) == (
            self.opening_credit,
            self.credit,
            self.closing_credit,
        )


def trial_balance(*, tenant: Tenant, period: Period) -> TrialBalance:
    return TrialBalance(period, tuple(turnovers(tenant=tenant, period=period)))


# --- the commission act --------------------------------------------------------------------------


@dataclass(frozen=True)
class ActRegistry:
    """One of the supplier's days in the act: its registry's figures."""

    day: date
    number: str
    count: int
    gross: int
    commission: int
    net: int


@dataclass(frozen=True)
class CommissionAct:
    """The agent's services act of a supplier for a period: collected (gross), the commission
    the operator withheld and the net due to the supplier (paid out, or recovering what it owed
    back), as the supplier's registries of the period's days add up."""

    number: str
    issued_on: date
    period: Period
    tenant: Tenant
    supplier: Supplier
    registries: tuple[ActRegistry, ...]

    @property
    def count(self) -> int:
        return sum(row.count for row in self.registries)

    @property
    def gross(self) -> int:
        return sum(row.gross for row in self.registries)

    @property
    def commission(self) -> int:
        return sum(row.commission for row in self.registries)

    @property
    def net(self) -> int:
        return sum(row.net for row in self.registries)


def act_number(tenant: Tenant, supplier: Supplier, period: Period) -> str:
    """`A202611-<tenant>-<supplier>`: one act per supplier and month, numbered as the
    registries are (`R20261120-<tenant>-<supplier>`)."""
    return f"A{period.first_day:%Y%m}-{tenant.pk}-{supplier.pk}"


def _period_registries(tenant: Tenant, period: Period):
    return Registry.objects.filter(
        tenant=tenant, day__gte=period.first_day, day__lte=period.last_day
    )


def act_suppliers(*, tenant: Tenant, period: Period) -> list[Supplier]:
    """The suppliers with a registry in the period: those an act is made for."""
    ids = _period_registries(tenant, period).values("supplier_id")
    return list(Supplier.objects.filter(tenant=tenant, pk__in=ids).order_by("code"))


def commission_act(*, tenant: Tenant, supplier: Supplier, period: Period) -> CommissionAct:
    """The act of `supplier` for `period`, dated the period's last day. ApplicationError
    (`no_registries`) when the supplier has no registry in the period: there is nothing to
    act on."""
    if supplier.tenant_id != tenant.pk:
        raise ApplicationError("the supplier belongs to another tenant", code="foreign_supplier")
    registries = list(
        _period_registries(tenant, period).filter(supplier=supplier).order_by("day", "pk")
    )
    if not registries:
        raise ApplicationError(
            f"{supplier.name} has no registry in {period.code}: there is no act to make",
            code="no_registries",
            status_code=404,
        )
    return CommissionAct(
        number=act_number(tenant, supplier, period),
        issued_on=period.last_day,
        period=period,
        tenant=tenant,
        supplier=supplier,
        registries=tuple(
            ActRegistry(
                day=r.day,
                number=r.number,
                count=r.count,
                gross=r.gross,
                commission=r.commission,
                net=r.net,
            )
            for r in registries
        ),
    )


# --- the operator's bank operations --------------------------------------------------------------


def bank_operations(*, tenant: Tenant, period: Period) -> list[BankOperation]:
    """The payouts booked in the period, as outgoing payment orders from the operator's
    account, by time. The order's number is the payout's id (stable across exports); its
    purpose is the payout's own payment order's. A payout the bank confirmed carries the day
    its statement wrote it off (`debited_on`)."""
    zone = ZoneInfo(tenant.timezone)
    payouts = (
        Payout.objects.filter(
            tenant=tenant, created_at__gte=period.start, created_at__lt=period.end
        )
        .select_related("registry__tenant", "registry__supplier", "supplier", "confirmed_by")
        .order_by("created_at", "pk")
    )
    return [
        BankOperation(
            number=str(payout.pk),
            day=payout.created_at.astimezone(zone).date(),
            amount=payout.amount,
            currency=tenant.currency,
            creditor=party(payout.supplier),
            purpose=payout_order(payout).remittance,
            debited_on=payout.confirmed_by.booked_on if payout.confirmed_by_id else None,
        )
        for payout in payouts
    ]
