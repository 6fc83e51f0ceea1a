"""Meter readings behave: the page says when the window opens and closes (in the tenant's time)
and outside it shows no form and takes nothing; a refused value is an error on the form and is
not stored; a decimal comma is a decimal point; lists show accepted readings only; units print
as people read them. The clock is the shared frozen one: Friday 20.11.2026, 12:00 in Moscow."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cabinet.models import CabinetSettings, Meter, MeterReading, ReadingSource, ReadingStatus
from cabinet.services.readings import reading_value, reading_window
from core.errors import ApplicationError
from core.i18n import unit_label
from tests.factories import AccountHolderFactory, MembershipFactory, UserFactory
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def meter(world, clock):
    """A cold water meter of VK-0001's premises with six monthly readings of +10 m³ up to 850
    on 2026-10-20."""
    made = Meter.objects.create(
        tenant=world.tenant,
        premises=world.account("VK-0001").premises,
        supplier=world.supplier,
        service=world.services["CW"],
        serial="CW-857",
    )
    for i in range(6):
        MeterReading.objects.create(
            meter=made,
            value=Decimal(800 + 10 * i),
            taken_on=date(2026, 5 + i, 20),
            submitted_at=datetime(2026, 5 + i, 20, 9, tzinfo=UTC),
            source=ReadingSource.IMPORT,
            status=ReadingStatus.ACCEPTED,
        )
    return made


@pytest.fixture
def resident(world, client):
    user = UserFactory(username="resident-window")
    AccountHolderFactory(user=user, account=world.account("VK-0001"))
    client.force_login(user)
    return user


def _url(world):
    return reverse("cabinet-readings", args=[world.tenant.code, "00000001"])


def _window(world, start, end):
    CabinetSettings.objects.update_or_create(
        tenant=world.tenant, defaults={"reading_window_start": start, "reading_window_end": end}
    )


def _post(client, world, meter, value):
    return client.post(_url(world), {"meter": meter.pk, f"m{meter.pk}-value": value})


# --- the window -------------------------------------------------------------------------------


def test_outside_the_window_the_page_says_when_and_has_no_form(world, meter, resident, client):
    _window(world, 1, 10)  # today is the 20th

    page = client.get(_url(world), HTTP_ACCEPT_LANGUAGE="en")

    body = page.content.decode()
    assert page.status_code == 200
    assert "Readings are taken from the 1 to the 10 of each month." in body
    assert "the next one opens on 12/01/2026 and closes on 12/10/2026" in body
    assert 'name="meter"' not in body and f"m{meter.pk}-value" not in body


def test_outside_the_window_a_post_stores_nothing_and_says_why(world, meter, resident, client):
    _window(world, 1, 10)
    before = MeterReading.objects.count()

    response = _post(client, world, meter, "857,2")

    assert response.status_code == 302
    assert MeterReading.objects.count() == before
    shown = client.get(response["Location"]).content.decode()
    assert "the next window is 12/01/2026 – 12/10/2026" in shown


def test_inside_the_window_the_page_says_until_when(world, meter, resident, client):
    _window(world, 15, 25)

    body = client.get(_url(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "The window is open until 11/25/2026." in body
    assert f'name="m{meter.pk}-value"' in body


def test_the_window_is_read_in_the_tenants_time(world, clock):
    _window(world, 21, 25)
    # 20.11 at 21:30 UTC is already the 21st in Moscow (UTC+3): the window is open.
    clock.move_to(datetime(2026, 11, 20, 21, 30, tzinfo=UTC))
    assert reading_window(world.tenant).is_open
    clock.move_to(datetime(2026, 11, 20, 20, 30, tzinfo=UTC))  # 23:30 on the 20th in Moscow
    window = reading_window(world.tenant)
    assert not window.is_open
    assert (window.opens_on, window.closes_on) == (date(2026, 11, 21), date(2026, 11, 25))


def test_a_window_past_the_months_last_day_ends_on_it(world, clock):
    _window(world, 25, 31)
    clock.move_to(datetime(2026, 11, 30, 9, tzinfo=UTC))
    window = reading_window(world.tenant)
    assert window.is_open and window.closes_on == date(2026, 11, 30)
    clock.move_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    assert reading_window(world.tenant).opens_on == date(2026, 12, 25)


# --- what is typed ----------------------------------------------------------------------------


def test_a_decimal_comma_is_accepted_and_stored_as_a_number(world, meter, resident, client):
    _window(world, 15, 25)

    response = _post(client, world, meter, "857,2")

    assert response.status_code == 302
    stored = MeterReading.objects.get(submitted_by=resident)
    assert (stored.value, stored.status) == (Decimal("857.2"), ReadingStatus.ACCEPTED)


@pytest.mark.parametrize(
    ("typed", "value"),
    [("857,2", "857.2"), ("857.2", "857.2"), ("1 234,5", "1234.5"), ("1\u00a0234,567", "1234.567")],
)
def test_reading_value_reads_both_decimal_marks(typed, value):
    assert reading_value(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["857,2,1", "abc", "-1", "1,2345"])
def test_reading_value_refuses_what_is_not_a_reading(typed):
    with pytest.raises(ApplicationError):
        reading_value(typed)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("849,5", "below the last one"),
        ("900", "with a photo of the meter"),
        ("восемь", "Enter the reading as a number."),
    ],
)
def test_a_refused_value_is_an_error_on_the_form_and_stores_nothing(
    world, meter, resident, client, typed, why
):
    _window(world, 15, 25)
    before = MeterReading.objects.count()

    response = _post(client, world, meter, typed)

    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="field-error"' in body and why in body
    assert f'value="{typed}"' in body  # what was typed stays in the field
    assert MeterReading.objects.count() == before
    assert not MeterReading.objects.filter(status=ReadingStatus.REFUSED).exists()


# --- the lists --------------------------------------------------------------------------------


@pytest.fixture
def legacy_refusal(meter):
    """A row stored as refused before refusals stopped being stored."""
    return MeterReading.objects.create(
        meter=meter,
        value=Decimal("777.777"),
        taken_on=date(2026, 11, 18),
        submitted_at=datetime(2026, 11, 18, 9, tzinfo=UTC),
        source=ReadingSource.RESIDENT,
        status=ReadingStatus.REFUSED,
        reason="below the last one",
    )


def test_the_staff_readings_page_lists_only_accepted_readings(world, meter, legacy_refusal, client):
    client.force_login(MembershipFactory(tenant=world.tenant, role=Role.ACCOUNTANT).user)

    body = client.get(reverse("staff-readings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "CW-857" in body and "850" in body
    assert "777,777" not in body and "777.777" not in body and "Refused" not in body


def test_the_residents_history_lists_only_accepted_readings(
    world, meter, legacy_refusal, resident, client
):
    body = client.get(_url(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "850" in body
    assert "777,777" not in body and "777.777" not in body and "Refused" not in body


def test_the_russian_page_prints_units_dates_and_numbers_the_russian_way(
    world, meter, resident, client
):
    _window(world, 15, 25)
    MeterReading.objects.filter(meter=meter, value=850).update(value=Decimal("850.5"))

    body = client.get(_url(world), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert '<span class="unit">м³</span>' in body and ">m3<" not in body
    assert "20.10.2026" in body and "25.11.2026" in body
    assert "850,5" in body


def test_units_print_as_people_read_them():
    assert [unit_label(c, "ru") for c in ("m3", "kWh", "Gcal", "")] == ["м³", "кВт·ч", "Гкал", ""]
    assert [unit_label(c, "en") for c in ("m3", "kWh", "Gcal", "l")] == ["m³", "kWh", "Gcal", "l"]


def test_a_staff_import_still_reports_a_refused_row_without_storing_it(world, meter, client):
    client.force_login(MembershipFactory(tenant=world.tenant, role=Role.ACCOUNTANT).user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "serial;value;date\nCW-857;849,5;2026-11-05\nCW-857;857,2;05.11.2026\n"
    upload = SimpleUploadedFile("r.csv", data.encode(), content_type="text/csv")
    before = MeterReading.objects.count()

    body = client.post(
        reverse("staff-readings"),
        {"tenant": world.tenant.code, "file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "1 accepted · 1 refused · 0 with errors" in body
    assert MeterReading.objects.count() == before + 1
    assert MeterReading.objects.filter(value=Decimal("857.2")).exists()
    assert not MeterReading.objects.filter(value=Decimal("849.5")).exists()
