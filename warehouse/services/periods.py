"""Periods whose charges are frozen. Invoicing closes a period through `period_lock`; the
importers refuse new versions for a locked period."""

import re
from datetime import date

from django.db import IntegrityError, transaction

from config.errors import ApplicationError
from warehouse.models import AuditEvent, ClosedPeriod, Tenant

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def period_parse(period: str) -> tuple[int, int]:
    if not isinstance(period, str) or not _PERIOD.match(period):
        raise ApplicationError(f"a period is YYYY-MM, not {period!r}", code="bad_period")
    year, month = period.split("-")
    return int(year), int(month)


def period_due_date(tenant: Tenant, period: str) -> date:
    """Charges of a period are due on the tenant's due day of the following month."""
    year, month = period_parse(period)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, tenant.due_day)


def period_is_locked(tenant: Tenant, period: str) -> bool:
    return ClosedPeriod.objects.filter(tenant=tenant, period=period).exists()


@transaction.atomic
def period_lock(*, tenant: Tenant, period: str, actor=None) -> bool:
    """Freezes the period's charges. True when it locked now, False when it already was."""
    period_parse(period)
    try:
        with transaction.atomic():
            ClosedPeriod.objects.create(tenant=tenant, period=period, closed_by=actor)
    except IntegrityError:
        return False
    AuditEvent.objects.create(
        tenant=tenant, actor=actor, action="period.locked", detail={"period": period}
    )
    return True
