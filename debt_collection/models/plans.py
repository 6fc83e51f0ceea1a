"""What a debtor agreed to: a promise to pay by a date, or a payment plan of instalments.

Neither is an open item of the debt: they do not change what the account owes (a plan's interest
is charged as penalty-kind open items when the plan is made). Payments keep going through
splitting's engine by the tenant's ordinary rules. A promise is kept by any payment booked since
it was made (`promises_check`); a plan only by the payments attributed to it (`PlanPayment`:
quoting an instalment's reference or paid through its pay link, assigned by staff, or — when the
plan's `funding` says so — every payment of the account), which `plans_check` counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from debt_collection.models.cases import DebtCase
from splitting.models import Payment
from warehouse.models import Account, Tenant


class PromiseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("promise status", "Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")
    SUPERSEDED = "superseded", _("Superseded by a plan")


class PromiseToPay(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(DebtCase, on_delete=models.CASCADE, related_name="promises")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(help_text="minor units")
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.OPEN
    )
    paid = models.BigIntegerField(default=0, help_text="booked since the promise, last checked")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="open"), name="promise_one_open_per_case"
            ),
        ]

    def __str__(self):
        return f"promise {self.amount} by {self.due_date} ({self.status})"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken")


class PlanFunding(models.TextChoices):
    """Which payments of the account pay the plan's instalments."""

    REFERENCE = "reference", _("Only money meant for it (instalment reference, pay link, staff)")
    ALL_PAYMENTS = "all_payments", _("Every payment of the account, the plan first")


class PaymentPlan(models.Model):
    """`principal` is the debt the plan covers; `interest` what the tenant's plan interest adds
    (see `debt_collection.services.plans.schedule`), charged as penalty-kind open items when the
    plan is made; the instalments sum to `total`. `funding` says which payments count toward
    it; `paid` is what the payments attributed to it (`PlanPayment`, not reversed) add up to."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(DebtCase, on_delete=models.CASCADE, related_name="plans")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField()
    principal = models.BigIntegerField(help_text="minor units")
    interest_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    interest = models.BigIntegerField(default=0, help_text="minor units")
    total = models.BigIntegerField(help_text="minor units: principal + interest")
    first_due = models.DateField()
    status = models.CharField(max_length=9, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    funding = models.CharField(
        max_length=12, choices=PlanFunding.choices, default=PlanFunding.REFERENCE
    )
    paid = models.BigIntegerField(default=0, help_text="attributed to the plan, last checked")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gt=0) & Q(interest__gte=0) & Q(months__gt=0),
                name="plan_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("principal") + models.F("interest")),
                name="plan_total_is_principal_plus_interest",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="active"), name="plan_one_active_per_case"
            ),
        ]

    def __str__(self):
        return f"plan {self.pk}: {self.months} × of {self.total} ({self.status})"


class Instalment(models.Model):
    """One instalment: a payment option with its own reference and pay link. The link's token is
    derived from `pay_salt` (as invoicing's pay links are) and only its SHA-256 is looked up."""

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = models.BigIntegerField(help_text="minor units")
    principal_part = models.BigIntegerField()
    interest_part = models.BigIntegerField(default=0)
    reference = models.CharField(max_length=35, db_index=True)
    pay_salt = models.CharField(max_length=32)
    pay_token_hash = models.CharField(max_length=64, unique=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instalment_number_per_plan"),
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(amount=models.F("principal_part") + models.F("interest_part")),
                name="instalment_amount_parts",
            ),
        ]

    def __str__(self):
        return f"instalment {self.number} of plan {self.plan_id}: {self.amount} by {self.due_date}"


class PlanPaymentSource(models.TextChoices):
    REFERENCE = "reference", _("Instalment reference or pay link")
    STAFF = "staff", _("Assigned by staff")
    ALL_PAYMENTS = "all_payments", _("Every payment counts toward the plan")


class PlanPayment(models.Model):
    """That `amount` of a payment counts toward a plan — for `instalment` first when it names
    one (its reference, its pay link, or staff's choice). One row per payment and plan, so a
    replayed payment or a repeated assignment never counts twice; a reversed payment keeps its
    row with `reversed_at` and no longer counts."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="payments")
    instalment = models.ForeignKey(
        Instalment, null=True, blank=True, on_delete=models.CASCADE, related_name="payments"
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(help_text="minor units")
    source = models.CharField(max_length=12, choices=PlanPaymentSource.choices)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "plan"], name="plan_payment_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="plan_payment_positive"),
        ]

    def __str__(self):
        return f"payment {self.payment_id}: {self.amount} toward plan {self.plan_id}"
