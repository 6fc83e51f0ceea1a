"""Per-tenant settings of debt collection."""

import datetime as dt

from django.db import models

from warehouse.models import Tenant


class CollectionSettings(models.Model):
    """How one tenant collects: quiet hours and caps for messages and calls, plan and promise
    terms, and how penalties count days. `for_tenant` gives the defaults when staff have set
    nothing. A tenant may be stricter than the law's `ContactLimit` rows, never looser: both
    hold (`debt_collection.services.contact_limits`)."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="collection_settings"
    )
    quiet_hours_start = models.TimeField(
        default=dt.time(21, 0), help_text="no SMS and no calls from this local time…"
    )
    quiet_hours_end = models.TimeField(default=dt.time(8, 0), help_text="…until this one")
    max_messages_per_week = models.PositiveSmallIntegerField(
        default=2, help_text="frequency cap per account over any 7 days (dunning messages)"
    )
    max_calls_per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="blank: the law's limit (stricter values only count)"
    )
    max_calls_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="per calendar week; blank: the law's limit"
    )
    max_calls_per_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="per calendar month; blank: the law's limit"
    )
    penalties_enabled = models.BooleanField(default=True)
    penalty_count_payment_day = models.BooleanField(
        default=True, help_text="count the day of payment as a day of delay"
    )
    plan_interest_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="yearly interest on payment plans"
    )
    plan_grace_days = models.PositiveSmallIntegerField(
        default=10, help_text="a plan breaks this many days after a missed instalment"
    )
    plan_max_months = models.PositiveSmallIntegerField(default=24)
    promise_max_days = models.PositiveSmallIntegerField(
        default=30, help_text="how far ahead a promise to pay may be dated"
    )

    class Meta:
        verbose_name_plural = "collection settings"

    def __str__(self):
        return f"collection settings of {self.tenant}"

    @classmethod
    def for_tenant(cls, tenant) -> "CollectionSettings":
        found = cls.objects.filter(tenant=tenant).first()
        return found or cls(tenant=tenant)
