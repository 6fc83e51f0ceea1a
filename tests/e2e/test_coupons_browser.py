"""Coupons in a real browser: a corporate issuer signs in, issues a batch from the funded wallet
and downloads it (one PDF, a page per coupon, whose QR codes read back as the numbers); a
clerk of the receiving office signs in, verifies one coupon by typing its number as a scanner
would, redeems it with a case reference, and is told "already used" when it is presented again.
Screenshots and the PDF's first page in var/screenshots/."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.splitting.helpers import assert_ledger_clean
from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.models import Coupon, CouponStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 780}


def _qr_numbers(pdf_path) -> list[str]:
    """What zbar reads from each page of the PDF, as a person's phone would."""
    stem = pdf_path.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "110", str(pdf_path), f"{stem}-qr"], check=True)
    numbers = []
    for image in sorted(pdf_path.parent.glob(f"{stem.name}-qr*.png")):
        read = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
            capture_output=True,
            text=True,
            check=True,
        )
        numbers.append(read.stdout.strip())
    return numbers


def test_an_issuer_issues_and_downloads_a_batch_and_a_clerk_redeems_a_coupon(
    postgres, page, sign_in, screenshots
):
    assert shutil.which("zbarimg") and shutil.which("pdftoppm")
    world = coupon_world()
    fund(world, "10000.00")
    payer = world.wallet.payer

    sign_in(world.issuer.username, PASSWORD, next_url=f"/corporate/{payer.pk}/")
    expect(page.locator("body")).to_contain_text("10 000,00")
    screenshots.shot("wallet")

    page.goto(f"/corporate/{payer.pk}/issue/")
    page.get_by_label("Vehicle registration").check()
    page.get_by_label("Number of coupons").fill("3")
    expect(page.locator("[data-issue-sum]")).to_contain_text("4 500,00")
    screenshots.shot("issue-form")
    page.get_by_role("button", name="Issue coupons").click()
    page.wait_for_url(f"**/corporate/{payer.pk}/batches/*/")
    expect(page.get_by_role("heading", name="3 × Vehicle registration")).to_be_visible()
    screenshots.shot("batch")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download all (one PDF)").click()
    pdf_path = screenshots.folder / "batch.pdf"
    download.value.save_as(pdf_path)
    screenshots.pdf("batch-first-page", pdf_path.read_bytes())
    issued = sorted(Coupon.objects.values_list("identifier", flat=True))
    assert sorted(_qr_numbers(pdf_path)) == issued
    world.refresh()
    assert (world.wallet.available, world.wallet.blocked) == (550_000, 450_000)

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    coupon = issued[1]
    sign_in(world.clerk.username, PASSWORD, next_url="/office/")
    number = page.get_by_label("Coupon number")
    number.fill(f"{coupon[:4]} {coupon[4:8]} {coupon[8:12]} {coupon[12]}")
    number.press("Enter")  # what a scanner sends after the number
    expect(page.locator(".coupon-result")).to_contain_text("Valid")
    expect(page.locator(".coupon-result")).to_contain_text("1 500,00")
    screenshots.shot("clerk-valid")

    page.get_by_label("Case reference").fill("REG-2026/0042")
    page.get_by_role("button", name="Redeem").click()
    expect(page.locator(".coupon-result")).to_contain_text("Redeemed — perform the service")
    expect(page.locator(".coupon-result")).to_contain_text("REG-2026/0042")
    screenshots.shot("clerk-redeemed")

    number = page.get_by_label("Coupon number")
    number.fill(coupon)
    number.press("Enter")
    expect(page.locator(".coupon-result")).to_contain_text("Already used — do not accept")
    expect(page.locator(".coupon-result")).to_contain_text("REG-2026/0042")
    expect(page.get_by_role("button", name="Redeem")).to_have_count(0)
    screenshots.shot("clerk-used")

    used = Coupon.objects.get(identifier=coupon)
    assert (used.status, used.case_reference, used.redeemed_by) == (
        CouponStatus.USED,
        "REG-2026/0042",
        world.clerk,
    )
    world.refresh()
    assert (world.wallet.blocked, world.wallet.spent) == (300_000, 150_000)
    assert_ledger_clean()
