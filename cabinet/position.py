"""The resident's debt position: every linked account with what it owes per supplier, what is
overdue, the next due date and the totals — in a fixed handful of queries however many accounts
are linked.

The numbers are splitting's `account_positions` (warehouse's balance, the payments' unused
advances added); this module only arranges them for the home page and totals them per
currency."""

from dataclasses import dataclass, field
from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone

from splitting.selectors import account_positions
from warehouse.models import Account, Supplier, Tenant
from warehouse.selectors import resident_accounts
from warehouse.selectors_open_items import AccountBalance


@dataclass(frozen=True)
class SupplierDue:
    supplier: Supplier
    due: int  # open (credits of this supplier netted)
    overdue: int
    next_due_date: date | None


@dataclass(frozen=True)
class AccountDue:
    account: Account
    total_due: int
    overdue: int
    advance: int
    next_due_date: date | None  # the earliest due date still ahead
    overdue_since: date | None  # the earliest due date passed with something open
    suppliers: list[SupplierDue] = field(default_factory=list)

    @property
    def tenant(self) -> Tenant:
        return self.account.tenant

    @classmethod
    def of(cls, balance: AccountBalance) -> "AccountDue":
        return cls(
            account=balance.account,
            total_due=balance.total_due,
            overdue=balance.overdue,
            advance=balance.advance,
            next_due_date=balance.next_due_date,
            overdue_since=balance.overdue_since,
            suppliers=[
                SupplierDue(p.supplier, p.open, p.overdue, p.next_due_date)
                for p in balance.suppliers
            ],
        )


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    tenant: Tenant  # formats the amounts (locale, symbol)
    total_due: int
    overdue: int


@dataclass(frozen=True)
class DebtPosition:
    as_of: date
    accounts: list[AccountDue]
    totals: list[CurrencyTotal]  # one per currency of the accounts

    @property
    def next_due_date(self) -> date | None:
        dates = [a.next_due_date for a in self.accounts if a.next_due_date]
        return min(dates) if dates else None


def resident_account(user, tenant_code: str, account_number: str) -> Account:
    """One account the user holds, or Http404."""
    return get_object_or_404(
        resident_accounts(user), tenant__code=tenant_code, account_number=account_number
    )


def _per_currency(accounts: list[AccountDue]) -> list[CurrencyTotal]:
    totals: dict[str, CurrencyTotal] = {}
    for item in accounts:
        known = totals.get(item.tenant.currency)
        totals[item.tenant.currency] = CurrencyTotal(
            currency=item.tenant.currency,
            tenant=known.tenant if known else item.tenant,
            total_due=(known.total_due if known else 0) + item.total_due,
            overdue=(known.overdue if known else 0) + item.overdue,
        )
    return list(totals.values())


def debt_position(user, *, as_of: date | None = None) -> DebtPosition:
    as_of = as_of or timezone.localdate()
    accounts = list(resident_accounts(user))
    positions = account_positions(accounts, as_of=as_of)
    result = [AccountDue.of(positions[account.pk]) for account in accounts]
    return DebtPosition(as_of=as_of, accounts=result, totals=_per_currency(result))
