"""`calendar_load`: a year of the production calendar from a published file, through the
command as an operator runs it; a bad file changes nothing."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from tests.factories import TenantFactory
from tests.warehouse.test_calendar_data import XML_2025_DAYS, _xml
from warehouse.models import CalendarDay
from warehouse.services.periods import period_due_date

pytestmark = pytest.mark.django_db
SOURCE = "Постановление Правительства РФ от 04.10.2024 № 1335"


def test_a_year_loaded_from_xmlcalendar_moves_due_dates(tmp_path):
    CalendarDay.objects.filter(day__year=2025).delete()
    tenant = TenantFactory(profile="RU", due_day=8)
    assert period_due_date(tenant, "2025-04") == dt.date(2025, 5, 8)  # no calendar: Thursday
    path = tmp_path / "calendar.xml"
    path.write_bytes(_xml(2025, XML_2025_DAYS))

    call_command("calendar_load", str(path), "--year", "2025", "--source", SOURCE)

    days = CalendarDay.objects.filter(day__year=2025)
    assert days.filter(kind="day_off", day=dt.date(2025, 5, 8)).get().source == SOURCE
    assert days.filter(kind="working", day=dt.date(2025, 11, 1)).exists()
    assert period_due_date(tenant, "2025-04") == dt.date(2025, 5, 12)


def test_a_file_of_another_year_is_refused_and_changes_nothing(tmp_path):
    before = CalendarDay.objects.count()
    path = tmp_path / "calendar.xml"
    path.write_bytes(_xml(2025, XML_2025_DAYS))

    with pytest.raises(CommandError, match="2025, not 2028"):
        call_command("calendar_load", str(path), "--year", "2028", "--source", SOURCE)

    assert CalendarDay.objects.count() == before
