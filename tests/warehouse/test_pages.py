"""The warehouse pages: landing, sign-in and sign-out, where each kind of user lands, and what
the staff, supplier and resident pages show."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    AccountFactory,
    AccountHolderFactory,
    AccountLinkFactory,
    AuditEventFactory,
    MembershipFactory,
    PremisesFactory,
    ServiceFactory,
    SupplierFactory,
    SupplierServiceCodeFactory,
    TenantFactory,
    UserFactory,
)
from warehouse.models import Role

pytestmark = pytest.mark.django_db


def operator_staff(tenant, role=Role.OPERATOR_ADMIN, **fields):
    user = UserFactory(is_staff=True, **fields)
    MembershipFactory(user=user, tenant=tenant, role=role)
    return user


def populated_tenant(n: int):
    """A tenant with 2 suppliers, 1 service, 3 accounts in 2 buildings, 2 links."""
    tenant = TenantFactory(code=f"op-{n}", name=f"Operator number {n}")
    water, heat = SupplierFactory.create_batch(2, tenant=tenant)
    ServiceFactory(tenant=tenant)
    first, second, third = AccountFactory.create_batch(3, tenant=tenant)
    third.premises = PremisesFactory(tenant=tenant, building=first.premises.building)
    third.save()
    AccountLinkFactory(account=first, supplier=water)
    AccountLinkFactory(account=second, supplier=heat)
    return tenant


# --- landing and where each user lands --------------------------------------------------------


def test_anonymous_visitor_gets_the_landing_page(client):
    response = client.get(reverse("home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "One bill for every utility" in content
    assert f'href="{reverse("staff-login")}"' in content
    assert "Sign in" in content
    assert 'href="/static/css/unibill.css"' in content


@pytest.mark.parametrize(
    ("make_user", "target"),
    [
        (lambda: operator_staff(TenantFactory()), "staff-desk"),  # config.portal.STAFF_HOMES
        (lambda: MembershipFactory(supplier=SupplierFactory()).user, "supplier-home"),
        (lambda: AccountHolderFactory().user, "resident-home"),
    ],
    ids=["staff", "supplier", "resident"],
)
def test_signed_in_users_are_sent_to_their_area(client, make_user, target):
    client.force_login(make_user())

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == reverse(target)


def test_signed_in_user_without_a_role_sees_the_landing_page(client):
    client.force_login(UserFactory())

    response = client.get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "no account is linked to your sign-in yet" in page
    assert f'href="{reverse("cabinet-link")}"' in page


# --- sign in and out --------------------------------------------------------------------------


def test_staff_login_page_signs_a_user_in(client):
    user = operator_staff(TenantFactory(), username="olga")

    page = client.get(reverse("staff-login"))
    response = client.post(reverse("staff-login"), {"username": "olga", "password": PASSWORD})

    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse("staff-desk")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_resident_signing_in_lands_on_their_accounts(client):
    AccountHolderFactory(user=UserFactory(username="rita"))

    response = client.post(reverse("staff-login"), {"username": "rita", "password": PASSWORD})

    assert response.url == reverse("resident-home")


def test_wrong_password_is_refused(client):
    operator_staff(TenantFactory(), username="olga")

    response = client.post(reverse("staff-login"), {"username": "olga", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client):
    client.force_login(operator_staff(TenantFactory()))

    refused = client.get(reverse("staff-logout"))
    response = client.post(reverse("staff-logout"))

    assert refused.status_code == 405
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session


def test_anonymous_visitor_is_sent_to_sign_in_from_staff_pages(client):
    response = client.get(reverse("staff-home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('staff-login')}?next={reverse('staff-home')}"


# --- staff pages ------------------------------------------------------------------------------


def test_staff_home_counts_each_tenants_rows(client):
    tenant = populated_tenant(1)
    client.force_login(operator_staff(tenant))

    response = client.get(reverse("staff-home"))

    (row,) = response.context["tenants"]
    assert (
        row.supplier_count,
        row.service_count,
        row.building_count,
        row.premises_count,
        row.account_count,
        row.link_count,
    ) == (2, 1, 3, 4, 3, 2)
    assert reverse("staff-tenant", args=[tenant.code]) in response.content.decode()


def test_staff_home_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    tenants = [populated_tenant(n) for n in range(5)]
    user = operator_staff(tenants[0])
    for tenant in tenants[1:]:
        MembershipFactory(user=user, tenant=tenant, role=Role.ACCOUNTANT)
    client.force_login(user)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("staff-home"))

    assert len(response.context["tenants"]) == 5


def test_superuser_sees_every_tenant_on_staff_home(client):
    populated_tenant(1)
    populated_tenant(2)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("staff-home"))

    assert [t.code for t in response.context["tenants"]] == ["op-1", "op-2"]


def test_tenant_page_shows_suppliers_services_map_and_activity(client):
    tenant = TenantFactory(code="north", name="North Housing")
    water = SupplierFactory(
        tenant=tenant,
        code="vodokanal",
        name="Vodokanal",
        commission_percent="1.25",
        commission_fixed=1500,
        commission_max=50000,
    )
    cold_water = ServiceFactory(tenant=tenant, code="cold-water", name="Cold water")
    SupplierServiceCodeFactory(
        tenant=tenant, supplier=water, service=cold_water, external_code="HVS-01"
    )
    for i in range(55):
        AuditEventFactory(tenant=tenant, action=f"test.event{i}")
    client.force_login(operator_staff(tenant))

    response = client.get(reverse("staff-tenant", args=["north"]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Vodokanal" in content
    assert "40702810238720001420" in content  # settlement account
    assert "044525225" in content  # BIC
    assert "1.25 % + 15.00 RUB" in content
    assert "500.00" in content  # commission max
    assert "HVS-01" in content and "Cold water" in content
    events = response.context["detail"].audit_events
    assert len(events) == 50
    assert events[0].action == "test.event54"
    assert "test.event4<" not in content  # the oldest five are left out


def test_unknown_tenant_page_is_not_found(client):
    client.force_login(operator_staff(TenantFactory()))

    assert client.get(reverse("staff-tenant", args=["nowhere"])).status_code == 404


def test_supplier_user_cannot_open_staff_pages(client):
    supplier = SupplierFactory()
    user = MembershipFactory(supplier=supplier).user
    client.force_login(user)

    assert client.get(reverse("staff-home")).status_code == 403
    assert client.get(reverse("staff-tenant", args=[supplier.tenant.code])).status_code == 403


# --- supplier and resident pages --------------------------------------------------------------


def test_supplier_page_counts_linked_accounts(client):
    supplier = SupplierFactory(name="Teplo")
    account = AccountFactory(tenant=supplier.tenant)
    AccountLinkFactory(account=account, supplier=supplier)
    AccountLinkFactory(account=account, supplier=supplier)  # two numbers, one account
    AccountLinkFactory(supplier=supplier)
    client.force_login(MembershipFactory(supplier=supplier).user)

    response = client.get(reverse("supplier-home"))

    assert response.status_code == 200
    assert [(s.name, s.linked_accounts) for s in response.context["suppliers"]] == [("Teplo", 2)]


def test_supplier_page_is_for_supplier_users(client):
    client.force_login(operator_staff(TenantFactory()))

    assert client.get(reverse("supplier-home")).status_code == 403


def test_resident_page_shows_number_operator_address_and_premises(client):
    tenant = TenantFactory(name="South Housing")
    account = AccountFactory(tenant=tenant, account_number="77-0001")
    holder = AccountHolderFactory(account=account)
    client.force_login(holder.user)

    response = client.get(reverse("resident-home"))

    content = response.content.decode()
    assert "77-0001" in content
    assert "South Housing" in content
    assert account.premises.building.address in content
    assert f"{account.premises.building.address}, {account.premises.number}" in content


def test_resident_page_without_accounts_says_so(client):
    client.force_login(UserFactory())

    response = client.get(reverse("resident-home"))

    assert response.status_code == 200
    assert "No accounts are linked to you yet." in response.content.decode()


def test_tenant_page_shows_an_event_whose_detail_has_an_items_key(client):
    """The penalty run's audit detail has a key "items" (a count): the page once answered 500
    because the template's `detail.items` looked that key up instead of the pairs."""
    tenant = TenantFactory(code="north")
    AuditEventFactory(
        tenant=tenant, action="penalties.charged", detail={"period": "2026-11", "items": 42}
    )
    client.force_login(operator_staff(tenant))

    response = client.get(reverse("staff-tenant", args=["north"]))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<span class="tag">items: 42</span>' in content
    assert '<span class="tag">period: 2026-11</span>' in content


def test_tenant_page_shows_when_this_months_charges_fall_due_and_by_which_rule(client, clock):
    clock.move_to(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC))
    ru = TenantFactory(code="north", profile="RU", due_day=10, timezone="Europe/Moscow")
    sepa = TenantFactory(code="south", profile="SEPA", due_day=10, currency="EUR")
    user = operator_staff(ru)
    MembershipFactory(user=user, tenant=sepa, role=Role.OPERATOR_ADMIN)
    client.force_login(user)

    ru_page = client.get(reverse("staff-tenant", args=["north"])).content.decode()
    sepa_page = client.get(reverse("staff-tenant", args=["south"])).content.decode()

    assert "charges of 2026-12 due 15.01.2027" in ru_page and "177-ФЗ" in ru_page
    assert "charges of 2026-12 due 10.01.2027" in sepa_page and "the contract" in sepa_page
