"""How often and when a creditor may contact a debtor, per country profile: dated rows with
their source, which staff maintain in the admin when the law changes. The engine
(`debt_collection.contact_limits`) takes them as data; the migration `0005_contact_limits`
seeds the RU rows of 230-ФЗ ст. 7 in force since 01.02.2024. A profile without a row has no
legal limits (the tenant's own settings still apply)."""

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from debt_collection.models.penalties import LegalSource
from warehouse.models import CountryProfile


class ContactKind(models.TextChoices):
    CALL = "call", _("Calls (telephone conversations, automated ones included)")
    MESSAGE = "message", _("Messages (SMS, e-mail, messengers, voice messages)")


class ContactLimit(LegalSource):
    """The limits on one kind of contact of a profile from `valid_from` until the next row:
    at most `per_day` a calendar day, `per_week` a calendar week (Monday–Sunday), `per_month`
    a calendar month (blank: no cap), and only within the allowed local hours — on working
    days, and on weekends and non-working holidays (the production calendar says which). Hours
    are [from, until): 22:00 is outside 08:00–22:00."""

    profile = models.CharField(max_length=4, choices=CountryProfile.choices)
    kind = models.CharField(max_length=7, choices=ContactKind.choices)
    valid_from = models.DateField()
    per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="per calendar week, Monday to Sunday"
    )
    per_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="per calendar month"
    )
    working_day_from = models.TimeField(default=dt.time(8, 0))
    working_day_until = models.TimeField(default=dt.time(22, 0))
    weekend_from = models.TimeField(
        default=dt.time(9, 0), help_text="weekends and non-working holidays"
    )
    weekend_until = models.TimeField(default=dt.time(20, 0))
    citation = models.CharField(
        max_length=60, help_text="short form printed in refusals, e.g. 230-ФЗ ст. 7 ч. 3"
    )

    class Meta:
        ordering = ["profile", "kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "kind", "valid_from"], name="contact_limit_unique"
            ),
            models.CheckConstraint(
                condition=Q(working_day_from__lt=F("working_day_until"))
                & Q(weekend_from__lt=F("weekend_until")),
                name="contact_limit_hours_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.profile} {self.kind} from {self.valid_from}"
