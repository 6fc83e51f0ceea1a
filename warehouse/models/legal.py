"""The legal calendar of billing: when a period's charges fall due, and which days are not
working days. Dated rows with their source, maintained by operator admins; the rules that read
them live in `warehouse.legal_calendar` (pure) and `warehouse.services.legal`."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from warehouse.models.reference import CountryProfile

__all__ = ["CalendarDay", "CalendarDayKind", "DueDateRule"]


class DueDateRule(models.Model):
    """From the month `valid_from` falls in on, the charges of a period fall due on `day` of the
    following month — or, with `day` blank, on the day the management contract sets
    (`Tenant.due_day`). `move_off_non_working_days`: a deadline on a non-working day moves to
    the next working day (ГК РФ ст. 193). `documents_by_day`: payment documents go out by this
    day of the following month."""

    profile = models.CharField(max_length=4, choices=CountryProfile.choices)
    valid_from = models.DateField(help_text="the first month whose due dates follow this row")
    day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="blank: the contract's day (the tenant's due day)"
    )
    documents_by_day = models.PositiveSmallIntegerField(null=True, blank=True)
    move_off_non_working_days = models.BooleanField(default=True)
    source = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["profile", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "valid_from"], name="due_date_rule_unique"),
            models.CheckConstraint(
                condition=Q(day__isnull=True) | (Q(day__gte=1) & Q(day__lte=28)),
                name="due_date_rule_day_1_28",
            ),
        ]

    def __str__(self):
        return f"{self.profile} from {self.valid_from}: day {self.day or 'of the contract'}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Non-working holiday")
    DAY_OFF = "day_off", _("Day off (moved)")
    WORKING = "working", _("Working day on a weekend")


class CalendarDay(models.Model):
    """A day of a country's production calendar that differs from the Monday–Friday week."""

    profile = models.CharField(max_length=4, choices=CountryProfile.choices)
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=CalendarDayKind.choices)
    source = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["profile", "day"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "day"], name="calendar_day_unique"),
        ]

    def __str__(self):
        return f"{self.profile} {self.day}: {self.kind}"
