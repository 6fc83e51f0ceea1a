"""What a debtor agreed to: a promise to pay by a date, or a payment plan of instalments.

Neither is an open item: they do not change what the account owes. Payments keep going through
splitting's engine by the tenant's ordinary rules; the daily check (`promises_check`,
`plans_check`) reads the account's booked payments since the promise or plan was made and
decides whether it is kept."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from debt_collection.models.cases import DebtCase
from warehouse.models import Account, Tenant


class PromiseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
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


class PaymentPlan(models.Model):
    """`principal` is the debt the plan covers; `interest` what the tenant's plan interest adds
    (see `debt_collection.services.plans.schedule`); the instalments sum to `total`."""

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
    paid = models.BigIntegerField(default=0, help_text="booked since the plan, last checked")
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
