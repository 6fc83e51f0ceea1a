"""Reads behind the operator's desk: the dashboard of each tenant, the account search and the
account card. They read across every domain app, each through the owning app's selectors, so
they live in cabinet (the one app that may import them all); every read starts from the user's
staff tenants (`warehouse.selectors.tenants_of`), so another tenant's figures and accounts are
never seen. Amounts in minor units.

The dashboard's debt is the one figure that reads every open debt of a tenant (hundreds of
thousands of rows at 200,000 accounts): it is kept for `DEBT_SECONDS` in the cache, the trend's
past months (which move only with late corrections) for `TREND_SECONDS`, this month's payments
before today (a month's payments: as many as accounts) for `MONTH_SECONDS` — today's are read
live; the page says when the debt was read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from cabinet.models import MeterReading, ServiceRequest
from cabinet.selectors import DocumentRow, PaymentRow, account_documents, payment_history
from debt_collection.models import DebtCase
from debt_collection.selectors import account_case
from invoicing.models import BillingPeriod, PeriodStatus
from invoicing.selectors import documents_of_reference
from messaging.models import Message
from messaging.selectors import account_messages_recent, failed_messages_count
from splitting.selectors import (
    Suspense,
    account_position,
    failed_events_count,
    payments_booked,
    stuck_checkouts,
    suspense_totals,
)
from warehouse.models import Account, Tenant
from warehouse.selectors import (
    DebtTotals,
    accounts_matching,
    batches_waiting,
    debt_totals,
    mapping_queue_size,
    overdue_debt_at,
    staff_scope,
    suppliers_with_files,
    tenants_of,
)
from warehouse.selectors_open_items import AccountBalance

DEBT_SECONDS = 60
TREND_SECONDS = 3600
MONTH_SECONDS = 600  # this month's payments before today (a reversal since shows within it)
TREND_MONTHS = 6
CARD_ROWS = 5  # rows of each list on the account card; "all" links to the full page


def tenant_zone(tenant: Tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone or "UTC")


def tenant_now(tenant: Tenant) -> dt.datetime:
    return timezone.now().astimezone(tenant_zone(tenant))


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def _month_starts(today: dt.date, months: int) -> list[dt.date]:
    """The first days of the `months` months up to today's, oldest first."""
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _previous_period(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


# --- the dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collected:
    today: int
    today_count: int
    month: int  # today's included
    month_count: int


@dataclass(frozen=True)
class PeriodState:
    period: str  # YYYY-MM
    status: str  # a PeriodStatus value ("open" when no period row exists yet)
    status_label: str
    suppliers_sent: int
    suppliers_total: int

    @property
    def month(self) -> dt.date:
        year, month = self.period.split("-")
        return dt.date(int(year), int(month), 1)


@dataclass(frozen=True)
class TenantBoard:
    tenant: Tenant
    now: dt.datetime  # in the tenant's time
    collected: Collected
    debt: DebtTotals
    debt_read_at: dt.datetime
    trend: list[tuple[dt.date, int]]  # (the month, the overdue debt at its end — now for today's)
    mapping_queue: int
    batches_waiting: int
    period: PeriodState
    stuck_checkouts: int
    suspense: Suspense
    failed_events: int
    failed_messages: int

    @property
    def debt_total(self) -> int:
        return self.debt.overdue + self.debt.not_due

    @property
    def trend_change(self) -> int:
        """The overdue debt now less that at the end of last month."""
        return self.trend[-1][1] - self.trend[-2][1] if len(self.trend) > 1 else 0

    @property
    def trend_drop(self) -> int:
        return -self.trend_change


def dashboard_tenants(user, code: str | None) -> tuple[list[Tenant], list[Tenant]]:
    """(the tenants the dashboard shows, every tenant `user` may pick): one named by `code`,
    else all of the user's staff tenants; Http404 for a code the user may not see."""
    tenants = list(tenants_of(user))
    if code:
        shown = [t for t in tenants if t.code == code]
        if not shown:
            raise Http404
        return shown, tenants
    return tenants, tenants


def _debt(tenant: Tenant, today: dt.date) -> tuple[DebtTotals, dt.datetime]:
    key = f"desk:debt:{tenant.pk}:{today:%Y%m%d}"
    found = cache.get(key)
    if found is None:
        found = (debt_totals(tenant, as_of=today), timezone.now())
        cache.set(key, found, DEBT_SECONDS)
    return found


def _trend(tenant: Tenant, today: dt.date, overdue_now: int) -> list[tuple[dt.date, int]]:
    """The overdue debt at the end of each of the last months, and now."""
    months = _month_starts(today, TREND_MONTHS)
    zone = tenant_zone(tenant)
    ends = months[1:]  # the end of a month is the start of the next
    key = f"desk:trend:{tenant.pk}:{today:%Y%m%d}:{TREND_MONTHS}"
    past = cache.get(key)
    if past is None:
        past = overdue_debt_at(tenant, [(day, _midnight(day, zone)) for day in ends])
        cache.set(key, past, TREND_SECONDS)
    return [*zip(months[:-1], past, strict=True), (months[-1], overdue_now)]


def _collected(tenant: Tenant, today: dt.date) -> Collected:
    zone = tenant_zone(tenant)
    day_start = _midnight(today, zone)
    key = f"desk:month:{tenant.pk}:{today:%Y%m%d}"
    before = cache.get(key)
    if before is None:
        before = payments_booked(
            tenant, since=_midnight(today.replace(day=1), zone), until=day_start
        )
        cache.set(key, before, MONTH_SECONDS)
    now = payments_booked(tenant, since=day_start)
    return Collected(
        today=now.amount,
        today_count=now.count,
        month=before.amount + now.amount,
        month_count=before.count + now.count,
    )


def _period_state(tenant: Tenant, today: dt.date) -> PeriodState:
    """The period being billed: last month until it is closed, then this month."""
    last, this = _previous_period(today), f"{today:%Y-%m}"
    rows = dict(
        BillingPeriod.objects.filter(tenant=tenant, period__in=[last, this]).values_list(
            "period", "status"
        )
    )
    period = last if rows.get(last) != PeriodStatus.CLOSED else this
    status = rows.get(period, PeriodStatus.OPEN)
    sent, total = suppliers_with_files(tenant, period)
    return PeriodState(period, status, PeriodStatus(status).label, sent, total)


def tenant_board(tenant: Tenant) -> TenantBoard:
    """The dashboard's figures of one tenant: a dozen aggregate queries, each on an index."""
    now = tenant_now(tenant)
    today = now.date()
    zone = tenant_zone(tenant)
    debt, read_at = _debt(tenant, today)
    suspense = suspense_totals(tenant)
    return TenantBoard(
        tenant=tenant,
        now=now,
        collected=_collected(tenant, today),
        debt=debt,
        debt_read_at=read_at.astimezone(zone),
        trend=_trend(tenant, today, debt.overdue),
        mapping_queue=mapping_queue_size(tenant),
        batches_waiting=batches_waiting(tenant),
        period=_period_state(tenant, today),
        stuck_checkouts=stuck_checkouts([tenant]).count(),
        suspense=suspense,
        failed_events=failed_events_count(tenant),
        failed_messages=failed_messages_count(tenant),
    )


# --- the account search -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    accounts: object  # QuerySet[Account]
    exact: Account | None  # the one account an exact number or payment reference names


def account_search(user, text: str, *, tenant: Tenant | None = None) -> SearchResult:
    """Accounts of the user's staff tenants (or of `tenant`, one of them) found by number,
    payer, address, phone or payment reference. An exact account number or payment reference
    naming one account is `exact` (the page goes straight to its card)."""
    text = " ".join(text.split())
    tenants = [tenant] if tenant is not None else list(tenants_of(user))
    ids = [t.pk for t in tenants]
    accounts = (
        staff_scope(user, Account)
        .filter(tenant_id__in=ids)
        .select_related("tenant", "premises__building")
        .order_by("tenant__code", "account_number")
    )
    if not text:
        return SearchResult(accounts.none(), None)
    exact = list(accounts.filter(account_number=text)[:2])
    if not exact:
        exact = [d.account for d in documents_of_reference(ids, text)[:2]]
        if exact:
            return SearchResult(accounts.filter(pk__in=[a.pk for a in exact]), _one(exact))
    return SearchResult(accounts_matching(accounts, text), _one(exact))


def _one(accounts: list[Account]) -> Account | None:
    return accounts[0] if len(accounts) == 1 else None


# --- the account card ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountCard:
    account: Account
    today: dt.date
    balance: AccountBalance
    documents: list[DocumentRow]
    documents_total: int
    payments: list[PaymentRow]
    readings: list[MeterReading]
    requests: list[ServiceRequest]
    messages: list[Message]
    case: DebtCase | None


def card_account(user, tenant_code: str, number: str) -> Account:
    """The account of the card, among the user's staff tenants' accounts; Http404 otherwise."""
    account = (
        staff_scope(user, Account)
        .filter(tenant__code=tenant_code, account_number=number)
        .select_related("tenant", "premises__building")
        .first()
    )
    if account is None:
        raise Http404
    return account


def account_card(account: Account, *, rows: int = CARD_ROWS) -> AccountCard:
    """Everything the phone desk shows of one account, each list its latest `rows`: about ten
    queries, each on the account's own index."""
    today = tenant_now(account.tenant).date()
    documents = account_documents(account, today=today)
    return AccountCard(
        account=account,
        today=today,
        balance=account_position(account, as_of=today),
        documents=documents[:rows],
        documents_total=len(documents),
        payments=payment_history(account, limit=rows),
        readings=list(
            MeterReading.objects.filter(meter__premises_id=account.premises_id)
            .select_related("meter__service", "meter__supplier")
            .order_by("-taken_on", "-pk")[:rows]
        ),
        requests=list(
            ServiceRequest.objects.filter(account=account).order_by("-created_at")[:rows]
        ),
        messages=list(account_messages_recent(account, limit=rows)),
        case=account_case(account),
    )
