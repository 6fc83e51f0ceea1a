"""The operator's desk in a real browser, in English and in Russian: an operator admin signs in
and lands on the dashboard, opens the Money group of the menu (no script: a <details>), finds
an account by its payer and opens its card. Screenshots in var/screenshots/<test>/."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import charges, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]


@pytest.fixture
def operator(world):
    charges(world, "2026-10", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    month_end_close(tenant=world.tenant, period="2026-10")
    pay(world, "VK-0001", 5_000)
    user = UserFactory(username="olga", first_name="Ольга", last_name="Петрова")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.OPERATOR_ADMIN)
    return user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_operator_lands_on_the_desk_finds_an_account_and_opens_its_card(
    postgres, world, operator, page, screenshots, language
):
    page.goto("/staff/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/staff/desk/")
    if language == "ru":
        page.locator("#lang-choice").select_option("ru")
        page.locator(".lang-form button[type=submit]").click()
        page.wait_for_url("**/staff/desk/")
    expect(page.locator(f'[data-tenant="{world.tenant.code}"]')).to_be_visible()
    nav = page.locator(".site-nav")
    assert nav.bounding_box()["height"] < 60, "the menu is one row at 1280 px"
    screenshots.shot("desk")

    nav.locator("summary").nth(1).click()  # Money
    expect(nav.locator(".nav-menu").nth(1)).to_be_visible()
    screenshots.shot("money-menu")

    page.goto("/staff/desk/accounts/?q=Плательщик")
    expect(page.locator("table.desk-results tbody tr")).to_have_count(6)
    screenshots.shot("search")
    page.locator("table.desk-results a", has_text="00000001").click()
    expect(page.get_by_test_id("balance-overdue")).to_contain_text("150")
    screenshots.shot("card")
