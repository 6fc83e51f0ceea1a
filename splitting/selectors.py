"""Reads of payments, balances and settlements. Amounts in minor units."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.permissions import Permission, roles_with
from splitting import hooks
from splitting.core.payables import position
from splitting.models import (
    Allocation,
    AllocationKind,
    BankCredit,
    Checkout,
    CheckoutStatus,
    DeliveryAttempt,
    Entry,
    OutboxStatus,
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
    Registry,
    StatementImport,
    SupplierEvent,
    Transaction,
)
from warehouse.access import has_permission
from warehouse.models import (
    Account,
    AccountHolder,
    Membership,
    Role,
    Supplier,
    Tenant,
)
from warehouse.scoping import scope
from warehouse.selectors import staff_scope
from warehouse.selectors_open_items import AccountBalance, account_balance, account_balances


def can_take_payments(user, tenant_id: int) -> bool:
    """Operator admins and accountants (people or system users) post and reverse payments."""
    return has_permission(user, tenant_id, Permission.POST_PAYMENTS)


def can_see_supplier_money(user, supplier: Supplier) -> bool:
    """Operator staff of the tenant, and the supplier's own users."""
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        Q(role__in=roles_with(Permission.VIEW_STAFF_PAGES))
        | Q(role=Role.SUPPLIER, supplier=supplier),
        user=user,
        tenant_id=supplier.tenant_id,
    ).exists()


def supplier_share_of(user, tenant_id: int, account_id: int) -> int | None:
    """The supplier whose share alone `user` sees of an account's money (payments, balance):
    a supplier user's own. None when `user` sees it whole — a superuser, the tenant's operator
    staff, a holder of the account. Asked only about an account `user` may see (`scope`)."""
    if user.is_superuser:
        return None
    membership = (
        Membership.objects.filter(user=user, tenant_id=tenant_id)
        .values_list("role", "supplier_id")
        .first()
    )
    if membership is None or membership[0] != Role.SUPPLIER:
        return None
    if AccountHolder.objects.filter(user=user, account_id=account_id).exists():
        return None
    return membership[1]


@dataclass(frozen=True)
class SeenPayment:
    payment: Payment
    supplier_id: int | None  # None: the whole payment; else only this supplier's share


def payment_visible(user, pk: int) -> SeenPayment | None:
    """The payment, when `user` may see its account: whole (`supplier_share_of`), or — a
    supplier user — only when an allocation of it is in the supplier's favour, and then only
    that supplier's share (a supplier sees only its own payments)."""
    payment = (
        Payment.objects.select_related("account", "tenant")
        .filter(pk=pk, account__in=scope(user, Account))
        .first()
    )
    if payment is None:
        return None
    supplier_id = supplier_share_of(user, payment.tenant_id, payment.account_id)
    if supplier_id is not None and not _shares(payment, supplier_id).exists():
        return None
    return SeenPayment(payment, supplier_id)


def _shares(payment: Payment, supplier_id: int | None = None) -> QuerySet[Allocation]:
    rows = Allocation.objects.filter(
        payment=payment, kind__in=[AllocationKind.PAYMENT, AllocationKind.ADVANCE]
    )
    return rows if supplier_id is None else rows.filter(supplier_id=supplier_id)


@dataclass(frozen=True)
class AllocationLine:
    supplier: str
    period: str
    amount: int
    commission: int


def payment_allocations(payment: Payment, supplier_id: int | None = None) -> list[AllocationLine]:
    """What the payment paid, per supplier and period (its advance applied later included);
    with `supplier_id`, that supplier's lines only."""
    rows = (
        _shares(payment, supplier_id)
        .values("supplier__code", "period")
        .annotate(amount=Sum("amount"), commission=Sum("commission"))
        .order_by("period", "supplier__code")
    )
    return [
        AllocationLine(r["supplier__code"], r["period"], r["amount"], r["commission"]) for r in rows
    ]


def account_positions(accounts, *, as_of: date) -> dict[int, AccountBalance]:
    """The warehouse balance of each account (by pk), with the payments' unused advances added
    to the advance and taken off what is due — two queries however many accounts."""
    accounts = list(accounts)
    balances = account_balances(accounts, as_of=as_of)
    unused = (
        dict(
            Payment.objects.filter(account_id__in=list(balances), advance_open__gt=0)
            .values("account_id")
            .annotate(total=Sum("advance_open"))
            .order_by()
            .values_list("account_id", "total")
        )
        if balances
        else {}
    )
    return {
        pk: replace(
            balance,
            total_due=max(balance.total_due - unused[pk], 0),
            advance=balance.advance + unused[pk],
        )
        if unused.get(pk)
        else balance
        for pk, balance in balances.items()
    }


def account_position(account: Account, *, as_of: date | None = None) -> AccountBalance:
    """The warehouse balance, with the payments' unused advances added to the advance."""
    return account_positions([account], as_of=as_of or date.today())[account.pk]


def supplier_account_position(
    account: Account, supplier_id: int, *, as_of: date | None = None
) -> AccountBalance:
    """The account's position as its supplier sees it: its own line alone, the totals those of
    that line. The payments' unused advances are the account's, not the supplier's: left out."""
    balance = account_balance(account, as_of=as_of)
    own = [position for position in balance.suppliers if position.supplier.pk == supplier_id]
    open_ = sum(position.open for position in own)
    return AccountBalance(
        account=balance.account,
        as_of=balance.as_of,
        total_due=max(open_, 0),
        overdue=sum(position.overdue for position in own),
        advance=max(-open_, 0),
        suppliers=own,
    )


@dataclass(frozen=True)
class SupplierBalance:
    supplier: Supplier
    collected: int
    commission: int
    paid_out: int
    payable: int
    owes_back: int = 0  # reversals of money already paid out, not yet recovered


def supplier_balance(supplier: Supplier) -> SupplierBalance:
    """Collected in the supplier's favour (net of reversals, with what it is owed outside its
    payments: `splitting.hooks.supplier_credits`, the coupons used at its offices), commission
    withheld, paid out (less what the bank returned), and what the ledger says is payable now
    and owed back."""
    totals = Allocation.objects.filter(supplier=supplier).aggregate(
        gross=Coalesce(Sum("amount"), 0), commission=Coalesce(Sum("commission"), 0)
    )
    paid = (
        Payout.objects.filter(supplier=supplier)
        .exclude(status=PayoutStatus.RETURNED)
        .aggregate(total=Coalesce(Sum("amount"), 0))
    )
    now = position(supplier.tenant_id, supplier.pk)
    return SupplierBalance(
        supplier=supplier,
        collected=totals["gross"] + hooks.supplier_collected(supplier=supplier),
        commission=totals["commission"],
        paid_out=paid["total"],
        payable=now.payable,
        owes_back=now.recoverable,
    )


def registries_of(user) -> QuerySet[Registry]:
    """The registries a user may see: staff all of their tenants', a supplier user its own."""
    if user.is_superuser:
        rows = Registry.objects.all()
    else:
        staff = Membership.objects.filter(
            user=user, role__in=roles_with(Permission.VIEW_STAFF_PAGES)
        ).values("tenant_id")
        own = Membership.objects.filter(user=user, role=Role.SUPPLIER).values("supplier_id")
        rows = Registry.objects.filter(Q(tenant_id__in=staff) | Q(supplier_id__in=own))
    return (
        rows.select_related("supplier", "tenant")
        .prefetch_related("payouts")
        .order_by("-day", "supplier__code")
    )


def events_of(user) -> QuerySet[SupplierEvent]:
    """The outbox as staff see it (the delivery log)."""
    rows = SupplierEvent.objects.all()
    if not user.is_superuser:
        staff = Membership.objects.filter(
            user=user, role__in=roles_with(Permission.VIEW_STAFF_PAGES)
        ).values("tenant_id")
        rows = rows.filter(tenant_id__in=staff)
    return rows.select_related("supplier", "payment").order_by("-created_at", "-pk")


def event_attempts(event: SupplierEvent) -> QuerySet[DeliveryAttempt]:
    return event.deliveries.order_by("-at")


# --- the staff and supplier pages -------------------------------------------------------------


def payments_of(user) -> QuerySet[Payment]:
    """Payments as the staff pages show them: the user's staff tenants' only (a supplier user or
    resident of a tenant sees none of its payments here), newest first."""
    return (
        staff_scope(user, Payment).select_related("tenant", "account").order_by("-booked_at", "-pk")
    )


def payment_of(user, pk: int) -> Payment | None:
    return payments_of(user).filter(pk=pk).first()


def payment_ledger(payment: Payment) -> list[Transaction]:
    """The payment's ledger transactions (its booking, advances applied later, a reversal),
    each with its entries."""
    entries = Entry.objects.select_related("ledger_account__supplier", "account").order_by("pk")
    return list(
        payment.transactions.order_by("posted_at", "pk").prefetch_related(
            Prefetch("entries", queryset=entries)
        )
    )


def payment_events(payment: Payment) -> QuerySet[SupplierEvent]:
    return payment.events.select_related("supplier").order_by("created_at", "pk")


def settlement_tenants(user) -> QuerySet[Tenant]:
    """The tenants where `user` may take payments, settle and resend (`can_take_payments`)."""
    tenants = scope(user, Tenant)
    if user.is_superuser:
        return tenants.order_by("code")
    allowed = Membership.objects.filter(
        user=user, role__in=roles_with(Permission.POST_PAYMENTS)
    ).values("tenant_id")
    return tenants.filter(pk__in=allowed).order_by("code")


def sees_registries(user) -> bool:
    """Operator staff and supplier users have the registries page (what they see on it is
    `registries_of`)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, role__in=roles_with(Permission.VIEW_REGISTRIES)
        ).exists()
    )


def registry_of(user, pk: int) -> Registry | None:
    return registries_of(user).filter(pk=pk).first()


def registry_suppliers(user) -> QuerySet[Supplier]:
    """The suppliers whose registries `user` may see: its staff tenants' and its own."""
    return scope(user, Supplier).select_related("tenant").order_by("tenant__code", "name")


def delivery_log(user) -> QuerySet[SupplierEvent]:
    """`events_of`, each with its last delivery attempt's time, status code and error."""
    last = DeliveryAttempt.objects.filter(event=OuterRef("pk")).order_by("-at", "-pk")
    return events_of(user).annotate(
        last_attempt_at=Subquery(last.values("at")[:1]),
        last_status_code=Subquery(last.values("status_code")[:1]),
        last_error=Subquery(last.values("error")[:1]),
    )


def event_of(user, pk: int) -> SupplierEvent | None:
    return events_of(user).select_related("tenant", "payment__account").filter(pk=pk).first()


# --- bank statements and the suspense queue ---------------------------------------------------


def _of_staff_tenants(user, rows: QuerySet) -> QuerySet:
    """`rows` (a model with a `tenant`) narrowed to the tenants where `user` is operator staff,
    as `staff_scope` does for the models registered in `warehouse.scoping`."""
    if not (user.is_authenticated and user.is_active):
        return rows.none()
    if user.is_superuser:
        return rows
    staff = Membership.objects.filter(
        user=user, role__in=roles_with(Permission.VIEW_STAFF_PAGES)
    ).values("tenant_id")
    return rows.filter(tenant_id__in=staff)


def statements_of(user) -> QuerySet[StatementImport]:
    """The bank statements read for the user's staff tenants, newest first."""
    return (
        _of_staff_tenants(user, StatementImport.objects.all())
        .select_related("tenant", "actor")
        .order_by("-created_at", "-pk")
    )


def credits_of(user) -> QuerySet[BankCredit]:
    """Every credit of the user's staff tenants' statements, matched or not."""
    return _of_staff_tenants(user, BankCredit.objects.all()).select_related("tenant")


def suspense_of(user) -> QuerySet[BankCredit]:
    """The suspense queue: credits of which something still waits for staff, oldest first."""
    return credits_of(user).filter(open_amount__gt=0).order_by("booked_on", "pk")


def credit_of(user, pk: int) -> BankCredit | None:
    return credits_of(user).select_related("statement", "account").filter(pk=pk).first()


def credit_payments(credit: BankCredit) -> QuerySet[Payment]:
    """The payments made from a credit: its match, or the staff's assignments out of suspense."""
    return credit.payments.select_related("account").order_by("booked_at", "pk")


def account_by_number(tenant_id: int, account_number: str) -> Account | None:
    return (
        Account.objects.select_related("tenant")
        .filter(tenant_id=tenant_id, account_number=account_number.strip())
        .first()
    )


def visible_accounts(user, number: str, tenant_code: str | None = None) -> list[Account]:
    """At most two accounts with this number that `user` may see (two: the caller must name
    the tenant), with their tenant."""
    accounts = scope(user, Account).filter(account_number=number)
    if tenant_code:
        accounts = accounts.filter(tenant__code=tenant_code)
    return list(accounts.select_related("tenant")[:2])


def refund_provider(payment) -> str | None:
    """The provider an online payment can be refunded through, or None."""
    if payment.status != PaymentStatus.BOOKED:
        return None
    return (
        Checkout.objects.filter(payment=payment, status=CheckoutStatus.SUCCEEDED)
        .values_list("provider", flat=True)
        .first()
    )


# --- the payments API's fast path: few columns, one statement each -----------------------------

_TENANT_FIELDS = ("id", "code", "name", "profile", "currency", "timezone")


def tenants_with_roles(user) -> list[tuple[Tenant, str]]:
    """Every tenant `user` belongs to, with the role there, in one query (read before each API
    payment; the tenant rows carry what a payment needs of them)."""
    rows = Membership.objects.filter(user=user).values_list(
        *(f"tenant__{name}" for name in _TENANT_FIELDS), "role"
    )
    return [(Tenant.from_db("default", list(_TENANT_FIELDS), row[:-1]), row[-1]) for row in rows]


def account_of_number(tenant: Tenant, number: str) -> Account | None:
    """The tenant's account of this number, its id alone read (a payment needs no more)."""
    found = list(
        Account.objects.filter(tenant_id=tenant.pk, account_number=number).values_list(
            "pk", flat=True
        )[:1]
    )
    return Account(pk=found[0], tenant_id=tenant.pk, account_number=number) if found else None


def payment_with_parties(pk: int) -> Payment:
    """A payment with its tenant and account, as an answer about it shows them."""
    return Payment.objects.select_related("tenant", "account").get(pk=pk)


def unused_advances(*, tenant, account_ids, as_of):
    """Splitting's unused advances of the accounts as at `as_of`: of the payments booked before
    it, what is unapplied now plus what was applied from their advances since (a refund since
    is not added back). For `invoicing.hooks.unused_advances`
    (config/wiring.py connects it)."""
    payments = Payment.objects.filter(
        tenant=tenant, account_id__in=account_ids, booked_at__lt=as_of, status=PaymentStatus.BOOKED
    )
    totals = dict(
        payments.filter(advance_open__gt=0)
        .values("account_id")
        .annotate(total=Sum("advance_open"))
        .order_by()
        .values_list("account_id", "total")
    )
    applied_since = (
        Allocation.objects.filter(
            Q(payment__in=payments.filter(advance__gt=0)),
            kind=AllocationKind.ADVANCE,
            booked_at__gte=as_of,
        )
        .values("payment__account_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("payment__account_id", "total")
    )
    for account_id, total in applied_since:
        totals[account_id] = totals.get(account_id, 0) + int(total)
    return totals


def stuck_checkouts(tenants) -> QuerySet[Checkout]:
    """Online checkouts of `tenants` (a Tenant queryset or iterable) still `created` longer
    than `settings.CHECKOUT_RECONCILE_AFTER_MINUTES`: the provider's webhook has not come, and
    the provider is asked about them (`splitting.channels.checkout_reconcile`). Oldest first."""
    minutes = getattr(settings, "CHECKOUT_RECONCILE_AFTER_MINUTES", 5)
    return (
        Checkout.objects.filter(
            tenant__in=tenants,
            status=CheckoutStatus.CREATED,
            created_at__lt=timezone.now() - timedelta(minutes=minutes),
        )
        .select_related("tenant", "account")
        .order_by("created_at", "pk")
    )


# --- the operator's desk (cabinet.desk) --------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    amount: int
    count: int


def payments_booked(tenant: Tenant, *, since, until=None) -> Booked:
    """Payments booked (not reversed) for the tenant from `since` up to `until` (aware
    instants; no end: up to now), their sum and number, in one aggregate."""
    rows = Payment.objects.filter(tenant=tenant, booked_at__gte=since, status=PaymentStatus.BOOKED)
    if until is not None:
        rows = rows.filter(booked_at__lt=until)
    totals = rows.aggregate(amount=Coalesce(Sum("amount"), 0), count=Count("pk"))
    return Booked(**totals)


@dataclass(frozen=True)
class Suspense:
    count: int
    amount: int  # what of them still waits


def suspense_totals(tenant: Tenant) -> Suspense:
    """Bank credits of which something still waits in suspense (index `bank_credit_suspense`)."""
    totals = BankCredit.objects.filter(tenant=tenant, open_amount__gt=0).aggregate(
        count=Count("pk"), amount=Coalesce(Sum("open_amount"), 0)
    )
    return Suspense(**totals)


def failed_events_count(tenant: Tenant) -> int:
    """Webhooks to suppliers whose retries are exhausted."""
    return SupplierEvent.objects.filter(tenant=tenant, status=OutboxStatus.FAILED).count()
