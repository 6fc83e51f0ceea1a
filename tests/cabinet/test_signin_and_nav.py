"""Two loose ends of the cabinet: a throttled staff sign-in says how long to wait (not that the
password is wrong), and a signed-in resident with no linked account is led to link one."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cabinet import ratelimit
from core import ratelimit as core_ratelimit
from tests.factories import (
    PASSWORD,
    AccountHolderFactory,
    MembershipFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _nav(page: str) -> str:
    return page.split('class="site-nav"')[1].split("</nav>")[0]


def test_a_throttled_staff_sign_in_says_how_long_to_wait(client, monkeypatch):
    monkeypatch.setattr(ratelimit, "SIGN_IN_PER_USER", ratelimit.Limit("signin-user", 2, 600))
    UserFactory(username="clerk")
    for _ in range(2):
        wrong = client.post(reverse("staff-login"), {"username": "clerk", "password": "nope"})
        assert "Too many" not in wrong.content.decode()
    # Even the right password is held back, and the page says why and for how long.
    response = client.post(reverse("staff-login"), {"username": "clerk", "password": PASSWORD})
    page = response.content.decode()
    assert "Too many sign-in attempts. Try again in 10 minutes." in page
    assert "correct username and password" not in page
    assert "_auth_user_id" not in client.session


def test_the_wait_counts_down_with_the_window(monkeypatch):
    limit = ratelimit.Limit("signin-user", 1, 600)
    clock = [1_000_000.0]
    monkeypatch.setattr(core_ratelimit.time, "time", lambda: clock[0])
    assert limit.retry_after("clerk") == 0
    limit.hit("clerk")
    assert limit.retry_after("clerk") == 600
    clock[0] += 539
    assert limit.retry_after("clerk") == 61 and ratelimit.minutes(61) == 2
    limit.clear("clerk")
    assert limit.retry_after("clerk") == 0


def test_staff_still_sign_in_on_the_same_page(client):
    user = MembershipFactory().user
    response = client.post(
        reverse("staff-login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("staff-desk")


def test_a_resident_without_accounts_is_led_to_link_one(client):
    client.force_login(UserFactory())
    link = f'href="{reverse("cabinet-link")}"'
    for url in ("/", reverse("cabinet-home")):
        page = client.get(url).content.decode()
        nav, content = _nav(page), page.split('id="content"')[1]
        assert link in nav and link in content


def test_the_link_entry_leaves_the_navigation_once_an_account_is_linked(client):
    user = UserFactory()
    client.force_login(user)
    AccountHolderFactory(user=user)
    page = client.get(reverse("cabinet-home")).content.decode()
    nav = _nav(page)
    assert reverse("cabinet-link") not in nav and reverse("resident-home") in nav


def test_staff_and_suppliers_get_no_link_entry(client):
    for user in (MembershipFactory().user, MembershipFactory(supplier=SupplierFactory()).user):
        client.force_login(user)
        page = client.get(reverse("home"), follow=True).content.decode()
        assert reverse("cabinet-link") not in _nav(page)
