"""The supplier's cabinet in a real browser: a supplier user of vodokanal signs in, sees a
payment in its favour (not teplo's share of it), filters by channel, downloads the XLSX, looks at
the debt with aging, and switches the page to Russian. Screenshots at 360 and 1280 px in
var/screenshots/cabinet-supplier-*.png."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import screenshots_root
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.splitting.helpers import charges, pay

pytest_plugins = ["tests.warehouse.charges_fixtures"]

NBSP = "\u00a0"
WIDTHS = (360, 1280)


@pytest.fixture
def supplier_user(world):
    charges(world, "2026-11", water={"VK-0001": "140.00", "VK-0002": "90.00"})
    charges(world, "2026-11", heat={"VK-0001": "60.00"})
    pay(world, "VK-0001", 10000, external_id="sbp-1", channel="provider")
    pay(world, "VK-0002", 5000, external_id="term-1", channel="terminal")
    user = UserFactory(username="vera", first_name="Вера", last_name="Водоканалова")
    MembershipFactory(user=user, supplier=world.supplier)
    return user


def shoot(page, name: str) -> None:
    """The page at both widths, back at 1280 afterwards."""
    folder = screenshots_root()
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"cabinet-supplier-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_supplier_user_sees_a_payment_in_its_favour_and_downloads_the_xlsx(
    postgres, world, supplier_user, page, sign_in
):
    sign_in("vera", PASSWORD, next_url="/supplier/")
    expect(page.get_by_role("heading", name="АО «Водоканал»")).to_be_visible()
    shares = page.locator("table.data-table").first
    expect(shares).to_contain_text("00000001")
    expect(shares).to_contain_text(f"70,00{NBSP}₽")  # its share of the 100.00; teplo got 30.00
    expect(shares).not_to_contain_text(f"30,00{NBSP}₽")
    expect(page.locator(".stat-box").first).to_contain_text(f"120,00{NBSP}₽")
    shoot(page, "payments")

    page.get_by_label("Channel").select_option("provider")
    page.get_by_role("button", name="Filter").click()
    expect(shares).to_contain_text("00000001")
    expect(shares).not_to_contain_text("00000002")
    shoot(page, "filtered")

    with page.expect_download() as download_info:
        page.locator(".section-head").first.get_by_role("link", name="XLSX").click()
    download = download_info.value
    assert download.suggested_filename.startswith("vodokanal-payments-")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one payment by provider
    assert rows[1][1] == "00000001" and rows[1][3] == "provider"
    assert Decimal(str(rows[1][6])) == Decimal("70.00")

    page.get_by_role("link", name="Debt and aging").click()
    expect(page.locator(".aging-table")).to_contain_text("VK-0002")
    shoot(page, "debt")

    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("link", name="Долги по срокам")).to_be_visible()
    shoot(page, "debt-ru")
