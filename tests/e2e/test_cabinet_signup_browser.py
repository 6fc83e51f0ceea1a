"""A resident in a real browser: signs up with an e-mail, links an account with the code from
the bill (after one wrong code), and sees the debt position with its Pay button — at a phone's
360 px and a desktop's 1280 px. Screenshots: var/screenshots/cabinet-residents-*.png."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshots_root
from tests.splitting.helpers import charges
from warehouse.models import AccountHolder

pytest_plugins = ["tests.warehouse.charges_fixtures"]

NBSP = "\u00a0"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page, name: str) -> None:
    folder = screenshots_root()
    folder.mkdir(parents=True, exist_ok=True)
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"cabinet-residents-{name}-{label}.png"), full_page=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_resident_signs_up_links_an_account_and_sees_the_debt_position(postgres, world, page):
    charges(world, "2026-11", water={"VK-0001": "100.00"})
    charges(world, "2026-12", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    account = world.accounts["VK-0001"]
    page.set_viewport_size(PHONE)

    page.goto("/cabinet/signup/")
    page.get_by_label("E-mail").fill("olga@example.org")
    page.get_by_label("Your name").fill("Olga")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".field-error").first).to_contain_text("too short")
    shoot(page, "signup-error")

    page.get_by_label("Password", exact=True).fill("Kvartira-42-Sever")
    page.get_by_label("Password again").fill("Kvartira-42-Sever")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/cabinet/link/")
    expect(page.get_by_role("heading", name="Link an account")).to_be_visible()

    page.get_by_label("Account number").fill(account.account_number)
    page.get_by_label("Verification code").fill(
        "000000" if account.verification_code != "000000" else "111111"
    )
    page.get_by_role("button", name="Link the account").click()
    expect(page.locator(".field-error")).to_contain_text("verification code is wrong")
    shoot(page, "link-wrong-code")

    page.get_by_label("Verification code").fill(account.verification_code)
    page.get_by_role("button", name="Link the account").click()
    page.wait_for_url("**/cabinet/")
    expect(page.locator(".message-success")).to_contain_text("is linked")
    card = page.get_by_test_id(f"account-{world.tenant.code}-{account.account_number}")
    expect(card).to_contain_text("АО «Водоканал»")
    expect(card).to_contain_text("ИП Теплов Пётр Андреевич")
    expect(card.get_by_test_id("account-due")).to_have_text(f"300,00{NBSP}₽")
    pay = card.get_by_role("link", name=f"Pay 300,00{NBSP}₽")
    expect(pay).to_have_attribute(
        "href", f"/cabinet/accounts/{world.tenant.code}/{account.account_number}/pay/"
    )
    shoot(page, "debt-position")
    assert AccountHolder.objects.filter(user__email="olga@example.org", account=account).exists()
