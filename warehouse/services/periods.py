"""Periods whose charges are frozen. Invoicing closes a period through `period_lock`; the
importers refuse new versions for a locked period."""

import re
from datetime import date

from django.db import IntegrityError, transaction

from core.errors import ApplicationError
from warehouse.models import AuditEvent, ClosedPeriod, Tenant
from warehouse.services.legal import due_date_of

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def period_parse(period: str) -> tuple[int, int]:
    if not isinstance(period, str) or not _PERIOD.match(period):
        raise ApplicationError(f"a period is YYYY-MM, not {period!r}", code="bad_period")
    year, month = period.split("-")
    return int(year), int(month)


def period_due_date(tenant: Tenant, period: str) -> date:
    """Charges of a period are due in the following month: on the day the law sets for the
    tenant's country from that month on (RU: the 15th from 01.03.2026, 177-ФЗ), else on the
    contract's day (`Tenant.due_day`); a non-working day moves it to the next working day where
    the law says so (`DueDateRule`, `CalendarDay`; the rules: `warehouse.legal_calendar`)."""
    year, month = period_parse(period)
    return due_date_of(tenant, year, month)[0]


def period_is_locked(tenant: Tenant, period: str) -> bool:
    return ClosedPeriod.objects.filter(tenant=tenant, period=period).exists()


@transaction.atomic
def period_lock(*, tenant: Tenant, period: str, actor=None) -> bool:
    """Freezes the period's charges. True when it locked now, False when it already was.
    Takes the tenant row's lock first, as a penalty run does, so the two never interleave."""
    period_parse(period)
    list(Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk"))
    if period_is_locked(tenant, period):
        return False
    try:
        with transaction.atomic():
            ClosedPeriod.objects.create(tenant=tenant, period=period, closed_by=actor)
    except IntegrityError:
        return False
    AuditEvent.objects.create(
        tenant=tenant, actor=actor, action="period.locked", detail={"period": period}
    )
    return True
