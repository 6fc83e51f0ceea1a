"""The legal calendar read from its rows (`DueDateRule`, `CalendarDay`): due dates, working days
and the deadline for payment documents. The rules themselves are `warehouse.legal_calendar`."""

from __future__ import annotations

import datetime as dt

from warehouse.legal_calendar import Calendar, DueDates, DueRule
from warehouse.models import CalendarDay, DueDateRule, Tenant


def calendar_for(profile: str) -> Calendar:
    return Calendar.of(CalendarDay.objects.filter(profile=profile).values_list("day", "kind"))


def due_dates_for(profile: str) -> DueDates:
    rules = tuple(
        DueRule(r.valid_from, r.day, r.move_off_non_working_days, r.documents_by_day, r.source)
        for r in DueDateRule.objects.filter(profile=profile).order_by("valid_from")
    )
    return DueDates(rules, calendar_for(profile) if rules else Calendar())


def due_date_of(tenant: Tenant, year: int, month: int) -> tuple[dt.date, DueRule | None]:
    """The due date of the tenant's charges of `year`-`month` and the rule row that set it."""
    return due_dates_for(tenant.profile).due_date(year, month, tenant.due_day)


def documents_deadline_of(tenant: Tenant, year: int, month: int) -> dt.date | None:
    return due_dates_for(tenant.profile).documents_deadline(year, month)
