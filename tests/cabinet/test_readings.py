"""Meter readings: the resident's submission rules (window, monotonic, plausibility with and
without a photo), the staff import with its per-row report, the supplier's export and the signed
`reading.accepted` webhook, and who may open which page."""

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cabinet.models import CabinetSettings, Meter, MeterReading, ReadingSource, ReadingStatus
from cabinet.services.readings import ReadingRefused, reading_submit, readings_import
from core.errors import ApplicationError
from integrations.webhooks import SIGNATURE_HEADER, webhook_verify
from splitting.models import SupplierEvent
from tests.factories import (
    AccountHolderFactory,
    MembershipFactory,
    TenantFactory,
    UserFactory,
)
from tests.splitting.test_supplier_webhooks import Receiver
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the 20th: inside the default 15–25 window
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name="meter.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def meters(world):
    """Cold and hot water meters of account VK-0001's premises, each with six monthly readings
    of +10 m³ (the average the plausibility check measures against) up to 2026-10-20."""
    premises = world.account("VK-0001").premises
    made = {}
    for code, serial in (("CW", "CW-1"), ("HW", "HW-1")):
        meter = Meter.objects.create(
            tenant=world.tenant,
            premises=premises,
            supplier=world.supplier,
            service=world.services[code],
            serial=serial,
        )
        for i in range(6):
            MeterReading.objects.create(
                meter=meter,
                value=Decimal(100 + 10 * i),
                taken_on=date(2026, 5 + i, 20),
                submitted_at=AT - timedelta(days=200),
                source=ReadingSource.IMPORT,
                status=ReadingStatus.ACCEPTED,
            )
        made[code] = meter
    return made  # last reading: 150 on 2026-10-20


@pytest.fixture
def resident(world, client):
    user = UserFactory(username="resident-1")
    AccountHolderFactory(user=user, account=world.account("VK-0001"))
    client.force_login(user)
    return user


def submit(meter, value, **options):
    options.setdefault("at", AT)
    options.setdefault("source", ReadingSource.RESIDENT)
    return reading_submit(meter=meter, value=value, **options)


def refused(meter, value, **options) -> str:
    """Submits a reading the rules refuse: the reason, and nothing of it stored."""
    before = MeterReading.objects.count()
    with pytest.raises(ReadingRefused) as refusal:
        submit(meter, value, **options)
    assert MeterReading.objects.count() == before
    return refusal.value.message


def page_url(world, number="VK-0001"):
    account = world.account(number)
    return reverse("cabinet-readings", args=[world.tenant.code, account.account_number])


# --- the rules --------------------------------------------------------------------------------


def test_a_reading_outside_the_window_is_refused_and_not_kept(world, meters):
    reason = refused(meters["CW"], "155", at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    assert "from the 15 to the 25" in reason and "11/15/2026" in reason
    assert not MeterReading.objects.filter(status=ReadingStatus.REFUSED).exists()


def test_the_window_is_the_tenants_setting(world, meters):
    CabinetSettings.objects.create(
        tenant=world.tenant, reading_window_start=1, reading_window_end=12
    )
    assert (
        submit(meters["CW"], "155", at=datetime(2026, 11, 10, 9, tzinfo=UTC)).status == "accepted"
    )
    refused(meters["HW"], "155", at=AT)


def test_staff_and_imports_are_not_bound_to_the_window(world, meters):
    day = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    assert submit(meters["CW"], "155", at=day, source=ReadingSource.STAFF).status == "accepted"


def test_a_reading_below_the_last_one_is_refused(world, meters):
    assert "below the last one (150 on 10/20/2026)" in refused(meters["CW"], "149.5")


def test_a_usual_consumption_is_accepted_and_becomes_the_last_reading(world, meters):
    reading = submit(meters["CW"], "162.25")
    assert (reading.status, reading.flagged, reading.value) == (
        "accepted",
        False,
        Decimal("162.250"),
    )
    refused(meters["CW"], "160")  # now below 162.25


def test_an_implausible_consumption_is_refused_without_a_photo(world, meters):
    # average 10 a month, multiple 3.0: more than 30 over a month needs a photo
    assert "with a photo of the meter" in refused(meters["CW"], "181")
    assert submit(meters["HW"], "180").status == "accepted"  # exactly 3 × 10: still plausible


def test_an_implausible_consumption_with_a_photo_is_accepted_and_flagged(world, meters):
    reading = submit(meters["CW"], "181", photo=photo())
    assert (reading.status, reading.flagged) == ("accepted", True)
    assert reading.photo.read() == PNG


def test_the_plausibility_multiple_is_the_tenants_setting(world, meters):
    CabinetSettings.objects.create(tenant=world.tenant, plausibility_multiple=Decimal("5.00"))
    assert submit(meters["CW"], "195").status == "accepted"


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_written(world, meters):
    with pytest.raises(ApplicationError):
        submit(meters["CW"], "181", photo=photo("meter.png", b"%PDF-1.4 not an image"))
    with pytest.raises(ApplicationError):
        submit(meters["CW"], "181", photo=photo("meter.pdf", b"%PDF-1.4"))
    assert MeterReading.objects.filter(submitted_at=AT).count() == 0


@pytest.mark.parametrize("value", ["abc", "-1", "1.2345", "NaN", ""])
def test_a_value_that_is_not_a_reading_writes_nothing(world, meters, value):
    with pytest.raises(ApplicationError):
        submit(meters["CW"], value)
    assert MeterReading.objects.filter(submitted_at=AT).count() == 0


# --- the resident's page ----------------------------------------------------------------------


def _window_today(world, *, open_: bool):
    today = timezone.localdate(timezone=MOSCOW)
    day = today.day if open_ else today.day % 28 + 1
    CabinetSettings.objects.update_or_create(
        tenant=world.tenant, defaults={"reading_window_start": day, "reading_window_end": day}
    )


def test_the_page_lists_the_meters_with_their_last_reading(world, meters, resident, client):
    response = client.get(page_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "CW-1" in body and "HW-1" in body and "10/20/2026" in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_a_resident_sees_a_refused_reading_on_the_form_and_it_is_not_stored(
    world, meters, resident, client
):
    _window_today(world, open_=True)
    meter = meters["CW"]
    response = client.post(page_url(world), {"meter": meter.pk, f"m{meter.pk}-value": "140"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="field-error"' in body and "below the last one" in body
    assert not MeterReading.objects.filter(submitted_by=resident).exists()

    client.post(page_url(world), {"meter": meter.pk, f"m{meter.pk}-value": "158"})
    assert MeterReading.objects.filter(submitted_by=resident, status="accepted").count() == 1


def test_outside_the_window_the_page_says_why(world, meters, resident, client):
    _window_today(world, open_=False)
    meter = meters["CW"]
    client.post(page_url(world), {"meter": meter.pk, f"m{meter.pk}-value": "158"})
    assert "Readings are taken from the" in client.get(page_url(world)).content.decode()
    assert not MeterReading.objects.filter(submitted_by=resident).exists()


def test_a_bad_value_is_a_form_error_next_to_the_field(world, meters, resident, client):
    _window_today(world, open_=True)
    meter = meters["CW"]
    response = client.post(page_url(world), {"meter": meter.pk, f"m{meter.pk}-value": "twelve"})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not MeterReading.objects.filter(submitted_by=resident).exists()


def test_a_meter_of_another_premises_cannot_be_posted_to(world, meters, resident, client):
    other = Meter.objects.create(
        tenant=world.tenant,
        premises=world.account("VK-0002").premises,
        supplier=world.supplier,
        service=world.services["CW"],
        serial="CW-2",
    )
    response = client.post(page_url(world), {"meter": other.pk, f"m{other.pk}-value": "1"})
    assert response.status_code == 404
    assert not other.readings.exists()


# --- isolation --------------------------------------------------------------------------------


@pytest.fixture
def outsiders(world):
    """Another resident (of VK-0002), another tenant's staff, a supplier user of this tenant."""
    other_resident = UserFactory(username="resident-2")
    AccountHolderFactory(user=other_resident, account=world.account("VK-0002"))
    foreign_staff = MembershipFactory(tenant=TenantFactory(), role=Role.OPERATOR_ADMIN).user
    supplier_user = MembershipFactory(supplier=world.supplier).user
    return {"resident": other_resident, "staff": foreign_staff, "supplier": supplier_user}


@pytest.mark.parametrize("who", ["resident", "staff", "supplier"])
def test_nobody_else_opens_the_readings_page(world, meters, outsiders, client, who):
    client.force_login(outsiders[who])
    assert client.get(page_url(world)).status_code == 404
    meter = meters["CW"]
    response = client.post(page_url(world), {"meter": meter.pk, f"m{meter.pk}-value": "155"})
    assert response.status_code == 404
    assert not MeterReading.objects.filter(submitted_at__gt=AT).exists()


def test_anonymous_is_sent_to_sign_in(world, meters, client):
    response = client.get(page_url(world))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("staff-readings")).status_code == 302


def test_a_readings_photo_is_for_the_holder_and_staff_only(world, meters, outsiders, client):
    reading = submit(meters["CW"], "181", photo=photo())
    url = reverse("reading-photo", args=[reading.pk])
    for who in ("resident", "staff"):
        client.force_login(outsiders[who])
        assert client.get(url).status_code == 404
    holder = UserFactory()
    AccountHolderFactory(user=holder, account=world.account("VK-0001"))
    client.force_login(holder)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize("who", ["resident", "supplier"])
def test_the_staff_readings_page_is_for_staff(world, outsiders, client, who):
    client.force_login(outsiders[who])
    assert client.get(reverse("staff-readings")).status_code == 403


# --- the import -------------------------------------------------------------------------------


@pytest.fixture
def accountant(world, client):
    user = MembershipFactory(tenant=world.tenant, role=Role.ACCOUNTANT).user
    client.force_login(user)
    return user


IMPORT = (
    "account_number,serial,value,date\n"
    ",CW-1,158.5,2026-11-05\n"  # accepted (staff: no window)
    "00000001,HW-1,149,2026-11-05\n"  # below the last one: refused
    ",XX-9,10,2026-11-05\n"  # no such meter
    "00000002,,10,2026-11-05\n"  # the account has no meter
    ",HW-1,abc,2026-11-05\n"  # not a number
    ",HW-1,152,05.11.2026\n"  # accepted, Russian date
)


def test_an_import_reports_each_row(world, meters, accountant):
    report = readings_import(tenant=world.tenant, data=IMPORT.encode(), actor=accountant)
    assert [(r.line, r.outcome) for r in report.rows] == [
        (2, "accepted"),
        (3, "refused"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "accepted"),
    ]
    assert "below the last one" in report.rows[1].reason
    assert "No meter XX-9" in report.rows[2].reason
    imported = MeterReading.objects.filter(source="import", submitted_by=accountant)
    assert sorted((r.meter.serial, str(r.value), r.status) for r in imported) == [
        ("CW-1", "158.500", "accepted"),
        ("HW-1", "152.000", "accepted"),
    ]  # the refused row is in the report, not stored


def test_an_account_with_one_meter_is_enough(world, accountant):
    Meter.objects.create(
        tenant=world.tenant,
        premises=world.account("VK-0003").premises,
        supplier=world.supplier,
        service=world.services["CW"],
        serial="CW-3",
    )
    report = readings_import(
        tenant=world.tenant, data=b"account_number,value,date\n00000003,12,2026-11-01\n"
    )
    assert [r.outcome for r in report.rows] == ["accepted"]


def test_a_larger_file_is_judged_in_order_and_written_in_bulk(
    world, meters, accountant, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """40 meters, three readings each in one file: each row sees the rows accepted before it
    (a drop below the file's own earlier reading is refused), the readings and their events
    are written in bulk — a fixed number of queries, not a few per row."""
    world.supplier.webhook_url = "http://127.0.0.1:9/never"
    world.supplier.save(update_fields=["webhook_url"])
    premises = world.account("VK-0001").premises
    Meter.objects.bulk_create(
        Meter(
            tenant=world.tenant,
            premises=premises,
            supplier=world.supplier,
            service=world.services["CW"],
            serial=f"M-{n:02}",
        )
        for n in range(40)
    )
    lines = ["serial,value,date"]
    for n in range(40):
        lines += [f"M-{n:02},10,2026-11-01", f"M-{n:02},12,2026-11-02"]
        lines.append(f"M-{n:02},{11 if n == 7 else 15},2026-11-03")  # M-07 drops: refused
    lines.append("CW-1,158,2026-11-05")  # after the fixture's history: accepted
    lines.append("NOPE-1,1,2026-11-05")
    with django_assert_max_num_queries(25), django_capture_on_commit_callbacks() as callbacks:
        report = readings_import(
            tenant=world.tenant, data="\n".join(lines).encode(), actor=accountant
        )
    assert (report.accepted_count, report.refused_count, report.error_count) == (120, 1, 1)
    refused = next(r for r in report.rows if r.outcome == "refused")
    assert (refused.line, refused.serial) == (2 + 3 * 7 + 2, "M-07")
    assert "below the last one (12 on 11/02/2026)" in refused.reason
    imported = MeterReading.objects.filter(source="import", submitted_by=accountant)
    assert imported.count() == imported.filter(status="accepted").count() == 120
    last = MeterReading.objects.filter(meter__serial="M-07", status="accepted").first()
    assert last.value == Decimal(12)
    events = SupplierEvent.objects.filter(event="reading.accepted")
    assert events.count() == 120 and len(callbacks) == 1
    event = events.get(body__reading__meter="CW-1")
    assert event.body["supplier"] == "vodokanal" and event.body["reading"]["value"] == "158.000"
    assert event.body["accounts"] == [{"account_number": "00000001", "supplier_account": "VK-0001"}]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"meter;reading\nCW-1;10\n",  # not our columns
        b"serial,value,date\nCW-1,158,2026-11-05\nCW-1,159\n",  # a short line
        b"\x00\x01\x02PK binary",
        b"serial,value,date\n",  # no rows
    ],
)
def test_a_bad_file_is_refused_whole(world, meters, content):
    before = MeterReading.objects.count()
    with pytest.raises(ApplicationError):
        readings_import(tenant=world.tenant, data=content)
    assert MeterReading.objects.count() == before


def test_the_staff_page_imports_and_shows_the_report(world, meters, accountant, client):
    upload = SimpleUploadedFile("readings.csv", IMPORT.encode(), content_type="text/csv")
    response = client.post(reverse("staff-readings"), {"tenant": world.tenant.code, "file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 accepted · 1 refused · 3 with errors" in body
    assert "No meter XX-9" in body


def test_the_staff_page_refuses_a_bad_file_next_to_the_field(world, meters, accountant, client):
    upload = SimpleUploadedFile("readings.csv", b"meter;reading\n1;2\n", content_type="text/csv")
    before = MeterReading.objects.count()
    response = client.post(reverse("staff-readings"), {"tenant": world.tenant.code, "file": upload})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert MeterReading.objects.count() == before


def test_another_tenants_staff_cannot_import_here(world, meters, outsiders, client):
    client.force_login(outsiders["staff"])
    upload = SimpleUploadedFile("readings.csv", IMPORT.encode(), content_type="text/csv")
    before = MeterReading.objects.count()
    response = client.post(reverse("staff-readings"), {"tenant": world.tenant.code, "file": upload})
    assert response.status_code == 400
    assert MeterReading.objects.count() == before


# --- the export -------------------------------------------------------------------------------


def test_the_export_holds_the_accepted_readings_of_the_supplier_and_period(world, meters, tmp_path):
    submit(meters["CW"], "158.5")
    refused(meters["HW"], "140")  # refused: not stored, not exported
    submit(meters["HW"], "190", photo=photo())  # flagged
    teplo_meter = Meter.objects.create(
        tenant=world.tenant,
        premises=world.account("VK-0001").premises,
        supplier=world.other,
        service=world.services["HEAT"],
        serial="OT-1",
    )
    submit(teplo_meter, "5")  # another supplier: not exported
    out = tmp_path / "readings.csv"
    call_command(
        "export_readings",
        "--tenant", world.tenant.code,
        "--supplier", "vodokanal",
        "--period", "2026-11",
        "--out", str(out),
        stderr=io.StringIO(),
    )  # fmt: skip
    assert out.read_text().splitlines() == [
        "supplier_account,account_number,meter,service,value,taken_on,source,flagged",
        "VK-0001,00000001,CW-1,CW,158.500,2026-11-20,resident,0",
        "VK-0001,00000001,HW-1,HW,190.000,2026-11-20,resident,1",
    ]


def test_the_staff_download_is_the_same_csv(world, meters, accountant, client):
    submit(meters["CW"], "158.5")
    response = client.get(
        reverse("staff-readings"), {"supplier": world.supplier.pk, "period": "2026-11"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "readings-rc-charges-vodokanal-2026-11.csv" in response["Content-Disposition"]
    assert response.content.decode().splitlines()[1].startswith("VK-0001,00000001,CW-1,CW,158.500")


def test_the_download_offers_only_the_staffs_own_suppliers(world, meters, outsiders, client):
    client.force_login(outsiders["staff"])
    response = client.get(
        reverse("staff-readings"), {"supplier": world.supplier.pk, "period": "2026-11"}
    )
    assert response.status_code == 200  # the form again, with the choice refused
    assert "Select a valid choice" in response.content.decode()
    assert not response.get("Content-Disposition")


# --- the webhook ------------------------------------------------------------------------------

SECRET = "whsec-readings"


def test_an_accepted_reading_is_sent_to_the_supplier_signed(
    world, meters, django_capture_on_commit_callbacks
):
    with Receiver([200]) as receiver:
        world.supplier.webhook_url, world.supplier.webhook_secret = receiver.url, SECRET
        world.supplier.save(update_fields=["webhook_url", "webhook_secret"])
        with django_capture_on_commit_callbacks(execute=True):
            reading = submit(meters["CW"], "158.5")

    event = SupplierEvent.objects.get()
    assert (event.event, event.payment_id, event.status) == ("reading.accepted", None, "delivered")
    headers, body = receiver.calls[0]
    assert webhook_verify(SECRET, headers[SIGNATURE_HEADER], body)
    sent = json.loads(body)
    assert sent["event"] == "reading.accepted" and sent["supplier"] == "vodokanal"
    assert sent["reading"]["id"] == reading.pk
    assert sent["reading"]["meter"] == "CW-1" and sent["reading"]["value"] == "158.500"
    assert sent["accounts"] == [{"account_number": "00000001", "supplier_account": "VK-0001"}]


def test_a_refused_reading_sends_nothing_and_a_supplier_without_endpoint_gets_no_event(
    world, meters, django_capture_on_commit_callbacks
):
    world.supplier.webhook_url = "http://127.0.0.1:9/never"
    world.supplier.save(update_fields=["webhook_url"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        refused(meters["CW"], "10")
    assert not SupplierEvent.objects.exists() and not callbacks

    world.supplier.webhook_url = ""
    world.supplier.save(update_fields=["webhook_url"])
    submit(meters["CW"], "158")
    assert not SupplierEvent.objects.exists()


def test_the_delivery_log_shows_a_reading_event(world, meters, client):
    world.supplier.webhook_url = "http://127.0.0.1:9/never"
    world.supplier.save(update_fields=["webhook_url"])
    submit(meters["CW"], "158")
    event = SupplierEvent.objects.get()
    client.force_login(MembershipFactory(tenant=world.tenant).user)
    assert client.get(reverse("webhook-list")).status_code == 200
    response = client.get(reverse("webhook-detail", args=[event.pk]))
    assert response.status_code == 200 and "reading.accepted" in response.content.decode()


# --- demo meters ------------------------------------------------------------------------------


def test_demo_meters_give_each_premises_meters_with_six_months_of_history(world):
    from demo.cabinet import demo_meters

    created = demo_meters([world.tenant.code], seed=1)
    premises = {a.premises_id for a in world.accounts.values()}
    assert created == 2 * len(premises)  # cold and hot water; this tenant sells no electricity
    meter = Meter.objects.filter(service__code="CW").first()
    values = list(meter.readings.order_by("taken_on").values_list("value", flat=True))
    assert len(values) == 6 and values == sorted(values)
    assert demo_meters([world.tenant.code], seed=1) == 0  # idempotent
