"""The staff menu grouped by work (config/navigation.py) and where each role lands
(config/portal.py): every link a role is shown opens for that role (no 403 behind a link), the
work of other roles is not offered, and each role lands on its own work."""

import re

import pytest
from django.urls import reverse

from tests.factories import AccountHolderFactory, MembershipFactory, SupplierFactory, UserFactory
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]

STAFF_ROLES = [Role.OPERATOR_ADMIN, Role.ACCOUNTANT, Role.COLLECTOR]


def _menu_links(page: str) -> list[str]:
    """The hrefs of the site navigation, apart from the home link and the sign-out form."""
    nav = page.split('class="site-nav"')[1].split("</nav>")[0]
    return [href for href in re.findall(r'href="([^"]+)"', nav) if href != "/"]


def _user(world, role):
    user = UserFactory(username=f"nav-{role}")
    MembershipFactory(user=user, tenant=world.tenant, role=role)
    return user


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_menu_link_opens_for_the_role_shown_it(world, client, role):
    client.force_login(_user(world, role))

    links = _menu_links(client.get(reverse("staff-desk")).content.decode())

    assert links, "a staff user has a menu"
    answers = {href: client.get(href).status_code for href in links}
    assert {href: code for href, code in answers.items() if code != 200} == {}


def test_a_collector_is_not_offered_the_money_desks(world, client):
    client.force_login(_user(world, Role.COLLECTOR))

    links = _menu_links(client.get(reverse("case-queue")).content.decode())

    assert reverse("case-queue") in links
    assert reverse("staff-account-search") in links
    for name in ("cashdesk", "payout-list", "import-list", "billing-periods", "accounting-export"):
        assert reverse(name) not in links, name
    # and the cash desk, offered to nobody of their role, would have refused them
    assert client.get(reverse("cashdesk")).status_code == 403


def test_an_accountant_gets_the_money_desks_but_not_the_case_queue(world, client):
    client.force_login(_user(world, Role.ACCOUNTANT))

    links = _menu_links(client.get(reverse("staff-desk")).content.decode())

    for name in ("cashdesk", "suspense-list", "stuck-checkouts", "payout-list", "billing-periods"):
        assert reverse(name) in links, name
    assert reverse("case-queue") not in links


def test_the_menu_is_grouped_by_work(world, client):
    client.force_login(_user(world, Role.OPERATOR_ADMIN))

    page = client.get(reverse("payment-list")).content.decode()

    nav = page.split('class="site-nav"')[1].split("</nav>")[0]
    groups = re.findall(r"<summary>([^<]+)</summary>", nav)
    assert groups == ["Billing", "Money", "Collections", "Residents", "Settings"]
    # the page's own group is marked, and its link
    assert 'nav-details nav-current"><summary>Money' in nav
    assert f'href="{reverse("payment-list")}" aria-current="page"' in nav


def test_residents_and_supplier_users_get_no_staff_menu(world, client):
    resident = AccountHolderFactory(account=world.accounts["VK-0001"]).user
    supplier_user = MembershipFactory(supplier=world.supplier).user
    for user in (resident, supplier_user):
        client.force_login(user)
        page = client.get("/", follow=True).content.decode()
        assert "<summary>" not in page.split('class="site-nav"')[1].split("</nav>")[0]
        assert reverse("staff-desk") not in page


@pytest.mark.parametrize(
    ("make_user", "target"),
    [
        (lambda w: _user(w, Role.OPERATOR_ADMIN), "staff-desk"),
        (lambda w: _user(w, Role.ACCOUNTANT), "staff-desk"),
        (lambda w: _user(w, Role.COLLECTOR), "case-queue"),
        (
            lambda w: MembershipFactory(supplier=SupplierFactory(tenant=w.tenant)).user,
            "supplier-home",
        ),
        (lambda w: AccountHolderFactory(account=w.accounts["VK-0001"]).user, "resident-home"),
    ],
    ids=["operator-admin", "accountant", "collector", "supplier", "resident"],
)
def test_each_role_lands_on_its_own_work(world, client, make_user, target):
    client.force_login(make_user(world))

    response = client.get(reverse("home"))

    assert response.status_code == 302 and response.url == reverse(target)
