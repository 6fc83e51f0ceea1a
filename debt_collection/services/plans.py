"""Payment plans: the account's overdue debt (or part of it) in instalments over N months.

Each instalment is a payment option of its own: a reference with a check digit and a personal
pay link (`/pay/plan/<token>/`) that starts an online checkout for its amount. The money goes
through `payment_post` with the tenant's ordinary allocation, like every other payment; what
pays the *plan* is only the money meant for it, recorded as a `PlanPayment` (payment → plan,
instalment, amount; one per payment and plan, so a replay never counts twice):

- a payment quoting an instalment's reference (a bank transfer, `instalment_account` resolves
  it) or paid through its pay link (`instalment_checkout` gives the checkout the reference) —
  splitting tells us inside the payment's transaction (`splitting.hooks.payments_booked` →
  `plan_payment_booked`);
- a payment staff assign to the plan or one of its instalments (`plan_payment_assign`);
- when the plan's `funding` is "all_payments", every payment of the account booked after the
  plan was made.

Money aimed at an instalment covers it first, the rest covers the unpaid instalments in order
(`instalments_covered`). A reversed payment stops counting (`splitting.hooks.payments_reversed`
→ `plan_payment_reversed`), and its instalments are unpaid again. `plans_check` counts the
attributed payments only, and completes or breaks the plan.

Interest (`PaymentPlan.interest` > 0) is charged through the ledger once, when the plan is made,
inside its transaction: penalty-kind charges and open items (`warehouse.services.penalties.
penalties_post`, whose hook books the receivables) in the current open period, split across the
suppliers of the account's overdue debt by the largest remainder (interest goes to the supplier
whose debt bears it, as penalties do), due on that period's due date."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.money import format_minor, largest_remainder
from debt_collection.models import (
    WORKED_STAGES,
    CaseEventKind,
    CaseStage,
    CollectionSettings,
    DebtCase,
    Instalment,
    PaymentPlan,
    PlanFunding,
    PlanPayment,
    PlanPaymentSource,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    SystemNote,
)
from debt_collection.selectors import account_overdue
from debt_collection.services.cases import CaseRefused, _event, _open, audit, case_close
from invoicing.references import RF_BODY_MAX, rf_creditor_reference, with_check_digit
from invoicing.services.pay_links import digest, new_salt, pay_token
from splitting.models import Payment, PaymentStatus
from warehouse.countries import country_named
from warehouse.models import Account
from warehouse.selectors_open_items import overdue_items
from warehouse.services.penalties import penalties_post
from warehouse.services.periods import period_is_locked


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
    allocation, and splitting tells `plan_payment_booked` the reference it quoted."""
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
    *,
    case: DebtCase,
    months: int,
    first_due: date,
    actor,
    amount: int | None = None,
    funding: str = PlanFunding.REFERENCE,
) -> PaymentPlan:
    """A plan over the account's overdue debt today (or `amount` ≤ it) in `months` monthly
    instalments from `first_due`; an open promise of the case gives way to it. `funding` says
    which payments pay it (only money meant for it, by default). Its interest, if any, is
    charged to the account in the same transaction (`_interest_charge`).

    Lock order: the case, then (charging interest) the account's open items."""
    if funding not in PlanFunding.values:
        raise CaseRefused(f"unknown plan funding {funding!r}", code="bad_funding")
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
        funding=funding,
        first_due=first_due,
        created_at=now,
        created_by=actor,
    )
    _instalments_create(plan, rows, case=locked, first_due=first_due)
    _interest_charge(plan, today=today, actor=actor)
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
        raise CaseRefused(gettext("a plan has at least one month"), code="bad_months")
    if months > settings.plan_max_months:
        raise CaseRefused(
            f"a plan has at most {settings.plan_max_months} months", code="too_many_months"
        )
    if first_due < today:
        raise CaseRefused(
            gettext("the first instalment cannot be due in the past"), code="due_past"
        )
    if first_due > today + timedelta(days=62):
        raise CaseRefused(
            gettext("the first instalment is due within two months"), code="first_due_too_far"
        )


def _plan_amount(locked: DebtCase, *, amount: int | None, months: int, today: date) -> int:
    """What the plan covers: the account's overdue debt, or `amount` when that is no more, and
    at least one minor unit per month."""
    overdue = account_overdue(locked.account, on=today)
    if amount is None:
        amount = overdue
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise CaseRefused(gettext("nothing overdue to put in a plan"), code="nothing_overdue")
    if amount > overdue:
        raise CaseRefused(gettext("the plan cannot exceed the overdue debt"), code="exceeds_debt")
    if amount < months:
        raise CaseRefused(gettext("too small an amount for so many months"), code="too_small")
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


def _interest_charge(plan: PaymentPlan, *, today: date, actor) -> None:
    """Charges the plan's interest once, as penalty-kind charges and open items of the first
    open period from today's on, split across the suppliers of the account's overdue debt in
    proportion to it (largest remainder). `penalties_post` runs the `charges_posted` hooks, so
    the ledger books the receivables in this same transaction."""
    if plan.interest <= 0:
        return
    debts = list(
        overdue_items(today)
        .filter(account=plan.account)
        .values("supplier_id")
        .annotate(total=Sum("open_amount"))
        .order_by("supplier_id")
        .values_list("supplier_id", "total")
    )
    debts = [(supplier, total) for supplier, total in debts if total > 0]
    if not debts:
        raise CaseRefused(
            gettext("nothing overdue to charge the plan's interest on"), code="nothing_overdue"
        )
    shares = largest_remainder(plan.interest, [total for _, total in debts])
    rows = [
        (plan.account_id, supplier, share)
        for (supplier, _), share in zip(debts, shares, strict=True)
        if share > 0
    ]
    penalties_post(
        tenant=plan.tenant, period=_open_period(plan.tenant, today), rows=rows, actor=actor
    )


def _open_period(tenant, today: date) -> str:
    """Today's period, or the first later one not closed yet."""
    day = today.replace(day=1)
    while period_is_locked(tenant, f"{day:%Y-%m}"):
        day = add_months(day, 1)
    return f"{day:%Y-%m}"


def _record(locked: DebtCase, plan: PaymentPlan, *, actor, now) -> None:
    """The case's PLAN event and the audit row."""
    amount, interest, months = plan.principal, plan.interest, plan.months
    _event(
        locked,
        CaseEventKind.PLAN,
        actor=actor,
        at=now,
        note=SystemNote(
            gettext_noop("plan of %(months)s instalments, %(total_minor)s in total"),
            months=months,
            total_minor=format_minor(amount + interest),
        ),
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


def instalments_covered(amounts: list[int], aimed: list[int], free: int) -> list[int]:
    """How much of each instalment (`amounts`, in order) the plan's money covers: what was aimed
    at an instalment (`aimed`, same order) covers it first, up to its amount; the rest, with the
    money aimed at no instalment (`free`), covers the instalments in order. Pure, exact: the
    parts never exceed their instalments, and they add up to min(money, total)."""
    if len(aimed) != len(amounts) or free < 0 or any(a < 0 for a in aimed):
        raise ValueError("one non-negative aimed amount per instalment, free ≥ 0")
    parts = [min(amount, at) for amount, at in zip(amounts, aimed, strict=True)]
    rest = free + sum(aimed) - sum(parts)
    for index, amount in enumerate(amounts):
        more = min(amount - parts[index], rest)
        parts[index] += more
        rest -= more
    return parts


def _plan_settle(plan: PaymentPlan, *, now) -> int:
    """Recounts a (locked) plan from the payments attributed to it and not reversed: its `paid`,
    and each instalment's `paid_at` (set when covered, cleared when no longer). Gives `paid`."""
    counted = PlanPayment.objects.filter(
        plan=plan, reversed_at__isnull=True, payment__status=PaymentStatus.BOOKED
    )
    paid = counted.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    aimed_at = dict(
        counted.filter(instalment__isnull=False)
        .values("instalment_id")
        .annotate(total=Sum("amount"))
        .values_list("instalment_id", "total")
    )
    free = counted.filter(instalment__isnull=True).aggregate(total=Coalesce(Sum("amount"), 0))[
        "total"
    ]
    instalments = list(plan.instalments.order_by("number"))
    parts = instalments_covered(
        [i.amount for i in instalments], [aimed_at.get(i.pk, 0) for i in instalments], free
    )
    for instalment, part in zip(instalments, parts, strict=True):
        covered = part >= instalment.amount
        if covered and instalment.paid_at is None:
            instalment.paid_at = now
            instalment.save(update_fields=["paid_at"])
        elif not covered and instalment.paid_at is not None:
            instalment.paid_at = None
            instalment.save(update_fields=["paid_at"])
    if paid != plan.paid:
        plan.paid = paid
        plan.save(update_fields=["paid"])
    return paid


def _check_plan(plan: PaymentPlan, on: date) -> str:
    """ "completed", "broken" or "active" for one (locked) plan, from the payments attributed
    to it."""
    case = plan.case
    grace = CollectionSettings.for_tenant(plan.tenant).plan_grace_days
    now = timezone.now()
    paid = _plan_settle(plan, now=now)
    missed = (
        plan.instalments.filter(paid_at__isnull=True, due_date__lt=on - timedelta(days=grace))
        .order_by("number")
        .first()
    )
    if paid >= plan.total:
        plan.status, plan.closed_at = PlanStatus.COMPLETED, now
        plan.save(update_fields=["status", "closed_at"])
        _event(
            case,
            CaseEventKind.PLAN,
            at=now,
            note=SystemNote(gettext_noop("plan completed")),
            plan=plan.pk,
        )
        if case.stage == CaseStage.PLAN:
            if account_overdue(case.account, on=on) <= 0:
                case_close(
                    case=case,
                    reason=SystemNote(gettext_noop("payment plan completed, nothing overdue")),
                )
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
            note=SystemNote(
                gettext_noop(
                    "plan broken: instalment %(number)s due %(due_date)s unpaid after "
                    "%(grace)s days of grace"
                ),
                number=missed.number,
                due_date=f"{missed.due_date:%Y-%m-%d}",
                grace=grace,
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
    """Starts an online checkout for the instalment's amount, quoting its reference; the URL to
    send the payer to. The payment books through `payment_post` with the tenant's ordinary
    allocation, and pays the instalment (`plan_payment_booked`)."""
    from splitting.channels.checkouts import checkout_start

    plan = instalment.plan
    if plan.status != PlanStatus.ACTIVE:
        raise CaseRefused(gettext("this payment plan is no longer active"), code="plan_inactive")
    if instalment.paid_at is not None:
        raise CaseRefused(gettext("this instalment is paid already"), code="instalment_paid")
    _, redirect_url = checkout_start(
        tenant=plan.tenant,
        account=plan.account,
        amount=instalment.amount,
        provider_code=provider_code,
        reference=instalment.reference,
        return_url=return_path,
        channel="pay_link",
        site_url=site_url,
    )
    return redirect_url


# --- attributing payments to plans ------------------------------------------------------------


def _attribute(
    plan: PaymentPlan,
    payment: Payment,
    *,
    source: str,
    instalment: Instalment | None = None,
    amount: int | None = None,
    actor=None,
) -> PlanPayment | None:
    """Records that (part of) `payment` counts toward the (locked) plan, once: the row already
    there is kept (a replay, a repeated assignment). By default the part of the payment no other
    plan counts. None when nothing of it is left."""
    existing = PlanPayment.objects.filter(payment=payment, plan=plan).first()
    if existing is not None:
        return existing
    if amount is None:
        taken = PlanPayment.objects.filter(payment=payment, reversed_at__isnull=True).aggregate(
            total=Coalesce(Sum("amount"), 0)
        )["total"]
        amount = payment.amount - taken
    if amount <= 0:
        return None
    row = PlanPayment.objects.create(
        tenant_id=plan.tenant_id,
        plan=plan,
        instalment=instalment,
        payment=payment,
        amount=amount,
        source=source,
        created_at=timezone.now(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _plan_settle(plan, now=row.created_at)
    return row


def _locked_plan(pk: int) -> PaymentPlan:
    return PaymentPlan.objects.select_for_update().select_related("tenant", "account").get(pk=pk)


def plan_payment_booked(*, payment: Payment, reference: str) -> None:
    """`splitting.hooks.payments_booked`, inside the payment's transaction (the account and its
    open items locked; the plan next): a payment quoting an instalment's reference pays that
    instalment's plan, that instalment first; then every plan of the account funded by all its
    payments takes what is left of it. Plans no longer active take nothing."""
    if reference:
        instalment = (
            Instalment.objects.filter(
                plan__tenant_id=payment.tenant_id,
                plan__account_id=payment.account_id,
                plan__status=PlanStatus.ACTIVE,
                reference=reference,
            )
            .only("pk", "plan_id")
            .first()
        )
        if instalment is not None:
            _attribute(
                _locked_plan(instalment.plan_id),
                payment,
                source=PlanPaymentSource.REFERENCE,
                instalment=instalment,
            )
    funded = PaymentPlan.objects.filter(
        account_id=payment.account_id,
        status=PlanStatus.ACTIVE,
        funding=PlanFunding.ALL_PAYMENTS,
        created_at__lte=payment.booked_at,
    )
    for pk in funded.order_by("pk").values_list("pk", flat=True):
        _attribute(_locked_plan(pk), payment, source=PlanPaymentSource.ALL_PAYMENTS)


def plan_payment_reversed(*, payment: Payment) -> None:
    """`splitting.hooks.payments_reversed`, inside the reversal's transaction: the payment no
    longer counts toward any plan; the instalments it covered are unpaid again."""
    rows = PlanPayment.objects.filter(payment=payment, reversed_at__isnull=True)
    plans = sorted(set(rows.values_list("plan_id", flat=True)))
    if not plans:
        return
    now = timezone.now()
    rows.update(reversed_at=now)
    for pk in plans:
        _plan_settle(_locked_plan(pk), now=now)


@transaction.atomic
def plan_payment_assign(
    *,
    plan: PaymentPlan,
    payment: Payment,
    actor,
    instalment: Instalment | None = None,
    amount: int | None = None,
) -> PlanPayment:
    """Staff count a booked payment of the plan's account toward the plan (toward `instalment`
    first when given): `amount` of it, by default what no other plan counts. Assigning the same
    payment to the same plan again changes nothing and gives the row made the first time.

    Lock order: the plan."""
    locked = _locked_plan(plan.pk)
    payment = Payment.objects.get(pk=payment.pk)
    if locked.status != PlanStatus.ACTIVE:
        raise CaseRefused(gettext("this payment plan is no longer active"), code="plan_inactive")
    if payment.tenant_id != locked.tenant_id or payment.account_id != locked.account_id:
        raise CaseRefused(
            gettext("the payment is not of the plan's account"), code="foreign_payment"
        )
    if payment.status != PaymentStatus.BOOKED:
        raise CaseRefused(gettext("the payment is reversed"), code="payment_reversed")
    if instalment is not None and instalment.plan_id != locked.pk:
        raise CaseRefused(gettext("the instalment is another plan's"), code="foreign_instalment")
    existing = PlanPayment.objects.filter(payment=payment, plan=locked).first()
    if existing is not None:
        return existing
    taken = PlanPayment.objects.filter(payment=payment, reversed_at__isnull=True).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]
    if amount is None:
        amount = payment.amount - taken
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or not 0 < amount <= (payment.amount - taken)
    ):
        raise CaseRefused(
            gettext(
                "assign more than nothing and no more than what other plans leave of the payment"
            ),
            code="bad_amount",
        )
    row = _attribute(
        locked,
        payment,
        source=PlanPaymentSource.STAFF,
        instalment=instalment,
        amount=amount,
        actor=actor,
    )
    audit(
        case=locked.case,
        action="debt_case.plan_payment",
        actor=actor,
        plan=locked.pk,
        payment=payment.pk,
        instalment=instalment.number if instalment is not None else None,
        amount=amount,
    )
    return row
