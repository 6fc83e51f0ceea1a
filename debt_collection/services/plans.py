"""Payment plans: the account's overdue debt (or part of it) in instalments over N months.

Each instalment is a payment option of its own: a reference with a check digit and a personal
pay link (`/pay/plan/<token>/`) that starts an online checkout for its amount. The money goes
through `payment_post` with the tenant's ordinary allocation, like every other payment; the plan
only counts what the account paid since it was made (`plans_check`).

Interest is not charged to the ledger: no open item carries it, so the payments that cover it
are split by the ordinary rules and whatever exceeds the debt stays an advance on the account.
Charging it (an interest open item of the operator, or a penalty-kind item per supplier) needs
a warehouse service to post such items; until then `PaymentPlan.interest` is informational."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.money import format_minor, largest_remainder
from debt_collection.models import (
    WORKED_STAGES,
    CaseEventKind,
    CaseStage,
    CollectionSettings,
    DebtCase,
    Instalment,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from debt_collection.selectors import account_overdue, paid_since
from debt_collection.services.cases import CaseRefused, _event, _open, audit, case_close
from invoicing.references import RF_BODY_MAX, rf_creditor_reference, with_check_digit
from invoicing.services.pay_links import digest, new_salt, pay_token
from warehouse.countries import country_named
from warehouse.models import Account


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(*, principal: int, months: int, percent: Decimal) -> list[tuple[int, int]]:
    """(principal part, interest part) of each month, in minor units.

    The principal is split in `months` equal parts by the largest remainder (earlier months
    take the extra units). With a yearly rate r % (simple interest on the declining balance),
    month k (1…N) bears

        interest_k = B_k × r / 100 / 12,   B_k = principal − (principal parts of months < k),

    so the exact total is  I = r / 1200 × Σ B_k.  I is rounded half up to the minor unit once,
    then split across the months by the largest remainder in proportion to B_k. Hence the
    instalments add up to principal + I exactly, and each is > 0 when principal ≥ months.
    """
    if months < 1 or principal < months:
        raise ValueError("need months ≥ 1 and at least one minor unit per month")
    parts = largest_remainder(principal, [1] * months)
    balances = [principal - sum(parts[:k]) for k in range(months)]
    hundredths = int(Decimal(percent) * 100)
    if hundredths <= 0:
        return [(part, 0) for part in parts]
    # I = Σ B_k × (hundredths / 100) / 1200, rounded half up, in integers.
    interest = (2 * sum(balances) * hundredths + 120_000) // 240_000
    shares = largest_remainder(interest, balances) if interest else [0] * months
    return list(zip(parts, shares, strict=True))


def instalment_reference(*, profile: str, account_number: str, plan_id: int, number: int) -> str:
    """A reference of its own for each instalment, with the check digit the tenant's documents
    use, built so that the statement matcher can never mistake it for a document's reference:

    - RU (digits-only account): account + plan id (6 digits) + "00" + instalment (4 digits) +
      ISO 7064 MOD 11-10 check digit — the "00" sits where a document's month is, which no
      document has;
    - otherwise ISO 11649 RF over account + "P" + plan id + "N" + instalment (2 digits) (the
      letters sit where a document's MMYYYY is); without the account when that is too long.
    """
    numeric = country_named(profile).uses_numeric_references
    if numeric and account_number.isascii() and account_number.isdigit():
        body = f"{account_number}{plan_id:06d}00{number:04d}"
        return with_check_digit(body)
    tail = f"P{plan_id}N{number:02d}"
    account = account_number.upper()
    body = account + tail
    if not (account.isascii() and account.isalnum()) or len(body) > RF_BODY_MAX:
        body = tail
    return rf_creditor_reference(body)


def instalment_account(*, tenant, reference: str) -> Account | None:
    """The account an instalment's reference belongs to (a bank transfer quoting it); the
    statement matcher asks through `splitting.hooks`. The payment then takes the default
    allocation, and the plan counts it as every payment since it was made."""
    instalment = (
        Instalment.objects.filter(plan__tenant=tenant, reference=reference)
        .select_related("plan__account")
        .first()
    )
    return instalment.plan.account if instalment is not None else None


def instalment_pay_path(instalment: Instalment) -> str:
    return reverse("plan-pay", args=[pay_token(instalment.pay_salt)])


@transaction.atomic
def plan_create(
    *, case: DebtCase, months: int, first_due: date, actor, amount: int | None = None
) -> PaymentPlan:
    """A plan over the account's overdue debt today (or `amount` ≤ it) in `months` monthly
    instalments from `first_due`; an open promise of the case gives way to it."""
    settings = CollectionSettings.for_tenant(case.tenant)
    today = timezone.localdate()
    _check_terms(months=months, first_due=first_due, today=today, settings=settings)
    locked = _open(case)
    if locked.stage not in (*WORKED_STAGES, CaseStage.PROMISED):
        raise CaseRefused(
            f"the case is at the stage {locked.get_stage_display()!r}", code="bad_stage"
        )
    amount = _plan_amount(locked, amount=amount, months=months, today=today)
    now = timezone.now()
    PromiseToPay.objects.filter(case=locked, status=PromiseStatus.OPEN).update(
        status=PromiseStatus.SUPERSEDED, resolved_at=now
    )
    rows = schedule(principal=amount, months=months, percent=settings.plan_interest_percent)
    interest = sum(share for _, share in rows)
    plan = PaymentPlan.objects.create(
        tenant_id=locked.tenant_id,
        case=locked,
        account=locked.account,
        months=months,
        principal=amount,
        interest_percent=settings.plan_interest_percent,
        interest=interest,
        total=amount + interest,
        first_due=first_due,
        created_at=now,
        created_by=actor,
    )
    _instalments_create(plan, rows, case=locked, first_due=first_due)
    locked.stage, locked.promise_broken, locked.callback_at = CaseStage.PLAN, False, None
    locked.save(update_fields=["stage", "promise_broken", "callback_at"])
    _record(locked, plan, actor=actor, now=now)
    return plan


def _check_terms(
    *, months: int, first_due: date, today: date, settings: CollectionSettings
) -> None:
    """The plan's length within the tenant's maximum, its first instalment due within two
    months from today."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise CaseRefused("a plan has at least one month", code="bad_months")
    if months > settings.plan_max_months:
        raise CaseRefused(
            f"a plan has at most {settings.plan_max_months} months", code="too_many_months"
        )
    if first_due < today:
        raise CaseRefused("the first instalment cannot be due in the past", code="due_past")
    if first_due > today + timedelta(days=62):
        raise CaseRefused("the first instalment is due within two months", code="first_due_too_far")


def _plan_amount(locked: DebtCase, *, amount: int | None, months: int, today: date) -> int:
    """What the plan covers: the account's overdue debt, or `amount` when that is no more, and
    at least one minor unit per month."""
    overdue = account_overdue(locked.account, on=today)
    if amount is None:
        amount = overdue
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise CaseRefused("nothing overdue to put in a plan", code="nothing_overdue")
    if amount > overdue:
        raise CaseRefused("the plan cannot exceed the overdue debt", code="exceeds_debt")
    if amount < months:
        raise CaseRefused("too small an amount for so many months", code="too_small")
    return amount


def _instalments_create(
    plan: PaymentPlan, rows: list[tuple[int, int]], *, case: DebtCase, first_due: date
) -> None:
    """One instalment a month from `first_due`, each with its reference and pay link."""
    profile = case.tenant.profile
    for number, (part, share) in enumerate(rows, start=1):
        salt = new_salt()
        Instalment.objects.create(
            plan=plan,
            number=number,
            due_date=add_months(first_due, number - 1),
            amount=part + share,
            principal_part=part,
            interest_part=share,
            reference=instalment_reference(
                profile=profile,
                account_number=case.account.account_number,
                plan_id=plan.pk,
                number=number,
            ),
            pay_salt=salt,
            pay_token_hash=digest(pay_token(salt)),
        )


def _record(locked: DebtCase, plan: PaymentPlan, *, actor, now) -> None:
    """The case's PLAN event and the audit row."""
    amount, interest, months = plan.principal, plan.interest, plan.months
    _event(
        locked,
        CaseEventKind.PLAN,
        actor=actor,
        at=now,
        note=f"plan of {months} instalments, {format_minor(amount + interest)} in total",
        plan=plan.pk,
        principal=amount,
        interest=interest,
    )
    audit(
        case=locked,
        action="debt_case.plan",
        actor=actor,
        plan=plan.pk,
        months=months,
        principal=amount,
        interest=interest,
    )


def _check_plan(plan: PaymentPlan, on: date) -> str:
    """ "completed", "broken" or "active" for one (locked) plan."""
    case = plan.case
    grace = CollectionSettings.for_tenant(plan.tenant).plan_grace_days
    paid = paid_since(plan.account, plan.created_at)
    now = timezone.now()
    if paid != plan.paid:
        plan.paid = paid
        plan.save(update_fields=["paid"])
    covered, missed = 0, None
    for instalment in plan.instalments.order_by("number"):
        covered += instalment.amount
        if paid >= covered:
            if instalment.paid_at is None:
                instalment.paid_at = now
                instalment.save(update_fields=["paid_at"])
        elif missed is None and on > instalment.due_date + timedelta(days=grace):
            missed = instalment
    if paid >= plan.total:
        plan.status, plan.closed_at = PlanStatus.COMPLETED, now
        plan.save(update_fields=["status", "closed_at"])
        _event(case, CaseEventKind.PLAN, at=now, note="plan completed", plan=plan.pk)
        if case.stage == CaseStage.PLAN:
            if account_overdue(case.account, on=on) <= 0:
                case_close(case=case, reason="payment plan completed, nothing overdue")
            else:
                case.stage = CaseStage.QUEUE
                case.save(update_fields=["stage"])
        return "completed"
    if missed is not None:
        plan.status, plan.closed_at = PlanStatus.BROKEN, now
        plan.save(update_fields=["status", "closed_at"])
        if case.stage == CaseStage.PLAN:
            case.stage = CaseStage.QUEUE
            case.save(update_fields=["stage"])
        _event(
            case,
            CaseEventKind.PLAN,
            at=now,
            note=(
                f"plan broken: instalment {missed.number} due {missed.due_date:%Y-%m-%d} "
                f"unpaid after {grace} days of grace"
            ),
            plan=plan.pk,
            plan_broken=True,
            instalment=missed.number,
            paid=paid,
        )
        return "broken"
    return "active"


def plans_check(*, on: date, case: DebtCase | None = None) -> dict[str, int]:
    """Checks every active plan (or the one of `case`), each in its own short transaction."""
    counts = {"completed": 0, "broken": 0, "active": 0}
    active = PaymentPlan.objects.filter(status=PlanStatus.ACTIVE)
    if case is not None:
        active = active.filter(case=case)
    for pk in active.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            plan = (
                PaymentPlan.objects.select_for_update()
                .select_related("case__account", "account", "tenant")
                .filter(pk=pk, status=PlanStatus.ACTIVE)
                .first()
            )
            if plan is not None:
                counts[_check_plan(plan, on)] += 1
    return counts


def instalment_checkout(
    *, instalment: Instalment, provider_code: str, site_url: str, return_path: str
) -> str:
    """Starts an online checkout for the instalment's amount; the URL to send the payer to.
    The payment books through `payment_post` with the tenant's ordinary allocation."""
    from splitting.channels.checkouts import checkout_start

    plan = instalment.plan
    if plan.status != PlanStatus.ACTIVE:
        raise CaseRefused("this payment plan is no longer active", code="plan_inactive")
    if instalment.paid_at is not None:
        raise CaseRefused("this instalment is paid already", code="instalment_paid")
    _, redirect_url = checkout_start(
        tenant=plan.tenant,
        account=plan.account,
        amount=instalment.amount,
        provider_code=provider_code,
        return_url=return_path,
        channel="pay_link",
        site_url=site_url,
    )
    return redirect_url
