"""Reads of the agents' workspace: the case queue with its debt annotations, who may work a
case, and what the case page shows. Every query starts from `staff_scope`, so another tenant's
cases are never seen (their pages 404)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    BigIntegerField,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.permissions import Permission, allows, roles_with
from debt_collection.models import (
    WORKED_STAGES,
    DebtCase,
    Instalment,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from messaging.models import Message
from splitting.models import Payment, PaymentStatus
from warehouse.models import Account, Membership, OpenItem, OpenItemKind, User
from warehouse.scoping import role_in
from warehouse.selectors import staff_scope
from warehouse.selectors_open_items import is_past_due, open_debt_q, overdue_items

PAYMENTS_SHOWN = 20


def can_work_cases(user, tenant) -> bool:
    """Collectors and operator admins of the tenant act on its cases; accountants only read."""
    return allows(role_in(user, tenant), Permission.MANAGE_DEBT)


def cases_of(user) -> QuerySet[DebtCase]:
    return staff_scope(user, DebtCase)


def case_of(user, pk: int) -> DebtCase | None:
    return (
        cases_of(user)
        .select_related("tenant", "account", "account__premises__building", "assigned_to")
        .filter(pk=pk)
        .first()
    )


def _overdue_items(on: date) -> QuerySet[OpenItem]:
    return overdue_items(on).filter(account=OuterRef("account"))


def queue_annotated(cases: QuerySet[DebtCase], *, on: date) -> QuerySet[DebtCase]:
    """Each case with `overdue` (minor units past due on `on`) and `oldest_due` (the due date
    of its oldest overdue item; days past due = on − oldest_due), as subqueries so that the
    filters and the table sort on them in the database."""
    overdue = (
        _overdue_items(on).values("account").annotate(total=Sum("open_amount")).values("total")[:1]
    )
    oldest = _overdue_items(on).order_by("due_date").values("due_date")[:1]
    return cases.select_related("tenant", "account", "assigned_to").annotate(
        overdue=Coalesce(Subquery(overdue, output_field=BigIntegerField()), Value(0)),
        oldest_due=Subquery(oldest, output_field=DateField()),
    )


def days_past_due(oldest_due: date | None, on: date) -> int:
    return (on - oldest_due).days if oldest_due else 0


def agents_of(tenant_ids) -> QuerySet[User]:
    """People who may be assigned a case of these tenants."""
    return (
        User.objects.filter(
            memberships__tenant_id__in=list(tenant_ids),
            memberships__role__in=roles_with(Permission.MANAGE_DEBT),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def agent_is_eligible(agent, tenant) -> bool:
    return (
        agent.is_active
        and Membership.objects.filter(
            user=agent, tenant=tenant, role__in=roles_with(Permission.MANAGE_DEBT)
        ).exists()
    )


def account_overdue(account: Account, *, on: date) -> int:
    return (
        overdue_items(on)
        .filter(account=account)
        .aggregate(total=Coalesce(Sum("open_amount"), 0))["total"]
    )


def paid_since(account: Account, since: datetime) -> int:
    """What the account paid (booked, not reversed) from `since` on."""
    return Payment.objects.filter(
        account=account, status=PaymentStatus.BOOKED, booked_at__gte=since
    ).aggregate(total=Coalesce(Sum("amount"), 0, output_field=IntegerField()))["total"]


@dataclass(frozen=True)
class DebtLine:
    supplier: str
    supplier_code: str
    period: str
    due_date: date
    open_amount: int
    overdue: bool


@dataclass(frozen=True)
class CaseDebt:
    charges: list[DebtLine]
    penalties: list[DebtLine]
    overdue: int
    open_total: int
    penalties_total: int


def case_debt(account: Account, *, on: date) -> CaseDebt:
    """The account's debts by supplier and period, penalties apart."""
    items = (
        OpenItem.objects.filter(open_debt_q(), account=account)
        .select_related("supplier")
        .order_by("period", "supplier__code", "pk")
    )
    charges, penalties = [], []
    for item in items:
        line = DebtLine(
            supplier=item.supplier.name,
            supplier_code=item.supplier.code,
            period=item.period,
            due_date=item.due_date,
            open_amount=item.open_amount,
            overdue=is_past_due(item.due_date, on),
        )
        (penalties if item.kind == OpenItemKind.PENALTY else charges).append(line)
    return CaseDebt(
        charges=charges,
        penalties=penalties,
        overdue=sum(line.open_amount for line in charges + penalties if line.overdue),
        open_total=sum(line.open_amount for line in charges),
        penalties_total=sum(line.open_amount for line in penalties),
    )


def case_payments(account: Account) -> list[Payment]:
    return list(
        Payment.objects.filter(account=account).order_by("-booked_at", "-pk")[:PAYMENTS_SHOWN]
    )


def account_payment(account: Account, pk: int) -> Payment | None:
    return Payment.objects.filter(account=account, pk=pk).first()


def case_active_plan(case: DebtCase) -> PaymentPlan | None:
    return PaymentPlan.objects.filter(case=case, status=PlanStatus.ACTIVE).first()


def plan_instalment(plan: PaymentPlan, number: int) -> Instalment | None:
    return Instalment.objects.filter(plan=plan, number=number).first()


def case_messages(case: DebtCase) -> QuerySet[Message]:
    """The messages sent on the case, and the account's messages that are on no case."""
    on_case = Q(case_link__case=case)
    return Message.objects.filter(on_case | Q(account=case.account, case_link__isnull=True))[:50]


def case_promises(case: DebtCase) -> QuerySet[PromiseToPay]:
    return PromiseToPay.objects.filter(case=case).select_related("created_by")


def open_promise(case: DebtCase) -> PromiseToPay | None:
    return PromiseToPay.objects.filter(case=case, status=PromiseStatus.OPEN).first()


def active_plan(case: DebtCase) -> PaymentPlan | None:
    return PaymentPlan.objects.filter(case=case, status=PlanStatus.ACTIVE).first()


def case_plans(case: DebtCase) -> list[PaymentPlan]:
    return list(PaymentPlan.objects.filter(case=case).prefetch_related("instalments"))


def next_case(user, *, on: date, now: datetime) -> DebtCase | None:
    """The case an agent should work next: their (or nobody's) oldest callback that is due,
    else the unassigned-or-theirs case in the queue with the highest overdue debt."""
    mine = cases_of(user).filter(
        Q(assigned_to=user) | Q(assigned_to__isnull=True), stage__in=WORKED_STAGES
    )
    callback = mine.filter(callback_at__lte=now).order_by("callback_at", "pk").first()
    if callback is not None:
        return callback
    return queue_annotated(mine, on=on).order_by("-overdue", "opened_at", "pk").first()


def instalment_by_token(token: str) -> Instalment | None:
    from invoicing.services.pay_links import digest

    if not token or len(token) > 64:
        return None
    return (
        Instalment.objects.select_related("plan__tenant", "plan__account")
        .filter(pay_token_hash=digest(token))
        .first()
    )


def account_case(account: Account) -> DebtCase | None:
    """The account's debt case for the operator's desk: the open one, else the latest closed."""
    return (
        DebtCase.objects.filter(account=account)
        .select_related("assigned_to")
        .order_by(F("closed_at").asc(nulls_first=True), "-opened_at", "-pk")  # open first
        .first()
    )
