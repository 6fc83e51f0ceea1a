"""Meter readings and requests in a real browser: a resident submits a reading that is refused
(below the last one) and sees the reason on the form (nothing stored), submits a good one, then
files a request with a file and sees it on its timeline. Screenshots at 1280 and 360 px in
var/screenshots/cabinet-readings-*.png."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cabinet.models import CabinetSettings, Meter, MeterReading, ServiceRequest
from tests.e2e.conftest import screenshots_root
from tests.factories import PASSWORD, AccountHolderFactory, UserFactory

pytest_plugins = ["tests.warehouse.charges_fixtures"]

WIDTHS = (1280, 360)


@pytest.fixture
def resident(world):
    account = world.account("VK-0001")
    user = UserFactory(username="irina", first_name="Ирина", last_name="Жилина")
    AccountHolderFactory(user=user, account=account)
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    CabinetSettings.objects.create(
        tenant=world.tenant, reading_window_start=1, reading_window_end=31
    )
    for code, serial, last in (("CW", "CW-0001", 120), ("HW", "HW-0001", 80)):
        meter = Meter.objects.create(
            tenant=world.tenant,
            premises=account.premises,
            supplier=world.supplier,
            service=world.services[code],
            serial=serial,
        )
        MeterReading.objects.create(
            meter=meter,
            value=Decimal(last),
            taken_on=date(today.year - 1, 12, 20),
            submitted_at=timezone.now(),
            source="import",
            status="accepted",
        )
    return user, account


def shoot(page, name: str) -> None:
    """The page at both widths, back at 1280 afterwards."""
    folder = screenshots_root()
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"cabinet-readings-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_resident_submits_readings_and_files_a_request(
    postgres, world, resident, page, sign_in, tmp_path
):
    user, account = resident
    readings_url = f"/cabinet/accounts/{world.tenant.code}/{account.account_number}/readings/"
    sign_in("irina", PASSWORD, next_url=readings_url)
    cold = page.locator(".reading-card", has_text="CW-0001")
    expect(cold).to_contain_text("120")

    cold.get_by_label("Reading").fill("110")
    cold.get_by_role("button", name="Submit reading").click()
    cold = page.locator(".reading-card", has_text="CW-0001")
    expect(cold.locator(".field-error")).to_contain_text("below the last one (120")
    expect(cold.get_by_label("Reading")).to_have_value("110")  # kept in the field to correct
    expect(page.locator(".reading-history")).not_to_contain_text("Refused")
    shoot(page, "refused")

    page.locator(".reading-card", has_text="CW-0001").get_by_label("Reading").fill("123.5")
    page.locator(".reading-card", has_text="CW-0001").get_by_role(
        "button", name="Submit reading"
    ).click()
    expect(page.locator(".message-success")).to_contain_text("123,5 of meter CW-0001 accepted")
    expect(page.locator(".reading-card", has_text="CW-0001")).to_contain_text("123,5")
    shoot(page, "accepted")

    page.get_by_role("link", name="Requests").last.click()
    page.get_by_label("Kind").select_option("recalculation")
    page.get_by_label("Subject").fill("No hot water for ten days")
    page.get_by_label("Your request").fill("From the 1st to the 10th there was no hot water.")
    act = tmp_path / "act.pdf"
    act.write_bytes(b"%PDF-1.4\n% an act of the building manager\n")
    page.get_by_label("Files").set_input_files(str(act))
    page.get_by_role("button", name="File request").click()
    expect(page.locator(".message-success")).to_contain_text("filed")
    expect(page.locator(".request-timeline")).to_contain_text("Filed")
    expect(page.locator(".request-timeline")).to_contain_text("act.pdf")
    shoot(page, "request")

    filed = ServiceRequest.objects.get()
    assert (filed.account_id, filed.created_by_id, filed.status) == (account.pk, user.pk, "new")
    assert MeterReading.objects.filter(submitted_by=user).count() == 1  # the refused one: not kept
