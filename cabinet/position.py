"""The resident's debt position: every linked account with what it owes per supplier, what is
overdue, the next due date and the totals — in a fixed handful of queries however many accounts
are linked (open items and unused advances are read aggregated for all accounts at once).

The numbers per account are those of `splitting.selectors.account_position`."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from splitting.models import Payment
from warehouse.models import Account, OpenItem, Supplier, Tenant
from warehouse.scoping import scope


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


def resident_accounts(user):
    """The accounts `user` holds (through `scope()`), with their tenant and address."""
    return (
        scope(user, Account)
        .filter(holders__user=user)
        .select_related("tenant", "premises__building")
        .order_by("tenant__name", "account_number")
    )


def resident_account(user, tenant_code: str, account_number: str) -> Account:
    """One account the user holds, or Http404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        resident_accounts(user), tenant__code=tenant_code, account_number=account_number
    )


def debt_position(user, *, as_of: date | None = None) -> DebtPosition:
    as_of = as_of or timezone.localdate()
    accounts = list(resident_accounts(user))
    ids = [a.pk for a in accounts]
    rows = (
        list(
            OpenItem.objects.filter(account_id__in=ids)
            .exclude(open_amount=0)
            .values(
                "account_id",
                "supplier_id",
                "supplier__tenant_id",
                "supplier__code",
                "supplier__name",
            )
            .annotate(
                open=Sum("open_amount"),
                overdue=Coalesce(
                    Sum("open_amount", filter=Q(due_date__lt=as_of, open_amount__gt=0)), 0
                ),
                credit=Coalesce(Sum("open_amount", filter=Q(open_amount__lt=0)), 0),
                next_due=Min("due_date", filter=Q(due_date__gte=as_of, open_amount__gt=0)),
                overdue_since=Min("due_date", filter=Q(due_date__lt=as_of, open_amount__gt=0)),
            )
            .order_by()
        )
        if ids
        else []
    )
    unused = (
        dict(
            Payment.objects.filter(account_id__in=ids, advance_open__gt=0)
            .values("account_id")
            .annotate(total=Sum("advance_open"))
            .order_by()
            .values_list("account_id", "total")
        )
        if ids
        else {}
    )
    # The suppliers came with the sums (their other fields load only if something reads them).
    suppliers = {
        r["supplier_id"]: Supplier.from_db(
            OpenItem.objects.db,
            ["id", "tenant_id", "code", "name"],
            [r["supplier_id"], r["supplier__tenant_id"], r["supplier__code"], r["supplier__name"]],
        )
        for r in rows
    }

    per_account: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        per_account[row["account_id"]].append(row)

    result = []
    for account in accounts:
        own = per_account.get(account.pk, [])
        debts = sum(r["open"] - r["credit"] for r in own)
        credits = -sum(r["credit"] for r in own)
        total = debts - credits
        advance_unused = unused.get(account.pk, 0)
        next_dates = [r["next_due"] for r in own if r["next_due"]]
        since = [r["overdue_since"] for r in own if r["overdue_since"]]
        result.append(
            AccountDue(
                account=account,
                total_due=max(max(total, 0) - advance_unused, 0),
                overdue=sum(r["overdue"] for r in own),
                advance=max(-total, 0) + advance_unused,
                next_due_date=min(next_dates) if next_dates else None,
                overdue_since=min(since) if since else None,
                suppliers=sorted(
                    (
                        SupplierDue(
                            supplier=suppliers[r["supplier_id"]],
                            due=r["open"],
                            overdue=r["overdue"],
                            next_due_date=r["next_due"],
                        )
                        for r in own
                    ),
                    key=lambda s: s.supplier.code,
                ),
            )
        )

    totals: dict[str, CurrencyTotal] = {}
    for item in result:
        currency = item.tenant.currency
        known = totals.get(currency)
        totals[currency] = CurrencyTotal(
            currency=currency,
            tenant=known.tenant if known else item.tenant,
            total_due=(known.total_due if known else 0) + item.total_due,
            overdue=(known.overdue if known else 0) + item.overdue,
        )
    return DebtPosition(as_of=as_of, accounts=result, totals=list(totals.values()))
