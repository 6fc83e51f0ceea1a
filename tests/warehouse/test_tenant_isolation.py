"""Staff of tenant A see nothing of tenant B — in the admin and on the staff pages — and a
user's role decides what they may do with what they see."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.factories import (
    AccountFactory,
    AccountHolderFactory,
    AccountLinkFactory,
    BuildingFactory,
    MembershipFactory,
    PremisesFactory,
    SupplierFactory,
    TenantFactory,
    UserFactory,
)
from warehouse.models import Account, AuditEvent, Premises, Role, Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    alpha = TenantFactory(code="alpha", name="Alpha Housing")
    bravo = TenantFactory(code="bravo", name="Bravo Utilities")
    alpha_water = SupplierFactory(tenant=alpha, code="alpha-water", name="Alpha Water")
    alpha_power = SupplierFactory(tenant=alpha, code="alpha-power", name="Alpha Power")
    bravo_heat = SupplierFactory(tenant=bravo, code="bravo-heat", name="Bravo Heat")
    alpha_account = AccountFactory(tenant=alpha, account_number="A-1001", payer_name="Anna")
    bravo_account = AccountFactory(tenant=bravo, account_number="B-2002", payer_name="Boris")
    AccountLinkFactory(account=alpha_account, supplier=alpha_water, external_number="AW-1")
    AccountLinkFactory(account=bravo_account, supplier=bravo_heat, external_number="BH-1")
    return SimpleNamespace(
        alpha=alpha,
        bravo=bravo,
        alpha_water=alpha_water,
        alpha_power=alpha_power,
        bravo_heat=bravo_heat,
        alpha_account=alpha_account,
        bravo_account=bravo_account,
    )


def staff_user(tenant, role=Role.OPERATOR_ADMIN, **fields):
    user = UserFactory(is_staff=True, **fields)
    MembershipFactory(user=user, tenant=tenant, role=role)
    return user


def change_url(obj):
    return reverse(f"admin:warehouse_{obj._meta.model_name}_change", args=[obj.pk])


def form_data(response, **changes):
    """The POST data of an admin change form as rendered, with `changes` applied."""
    data = {}

    def put(form, name, value):
        key = form.add_prefix(name)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name, form[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            put(formset.management_form, name, formset.management_form[name].value())
        for inline_form in formset.forms:
            for name in inline_form.fields:
                put(inline_form, name, inline_form[name].value())
    data.update(changes)
    return data


# --- the admin shows one tenant's rows only ---------------------------------------------------


def test_operator_admin_changelist_shows_own_accounts_only(client, world):
    client.force_login(staff_user(world.alpha))

    response = client.get(reverse("admin:warehouse_account_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "A-1001" in content
    assert "B-2002" not in content
    assert "Bravo Utilities" not in content  # not even in the tenant filter


def test_account_search_does_not_reach_another_tenant(client, world):
    client.force_login(staff_user(world.alpha))

    response = client.get(reverse("admin:warehouse_account_changelist"), {"q": "B-2002"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_other_tenants_account_change_page_is_not_served(client, world):
    client.force_login(staff_user(world.alpha))

    response = client.get(change_url(world.bravo_account))

    assert response.status_code in (302, 404)
    assert "Boris" not in response.content.decode()


def test_add_form_offers_only_own_tenants(client, world):
    client.force_login(staff_user(world.alpha))

    response = client.get(reverse("admin:warehouse_account_add"))

    assert response.status_code == 200
    tenant_choices = response.context["adminform"].form.fields["tenant"].queryset
    assert list(tenant_choices) == [world.alpha]
    assert "Bravo Utilities" not in response.content.decode()


def test_adding_a_row_to_another_tenant_is_refused(client, world):
    client.force_login(staff_user(world.alpha))

    response = client.post(
        reverse("admin:warehouse_building_add"),
        {"tenant": world.bravo.pk, "address": "Sneaky street 1"},
    )

    assert response.status_code == 200
    assert "tenant" in response.context["adminform"].form.errors
    assert not world.bravo.buildings.filter(address="Sneaky street 1").exists()


def test_adding_is_refused_in_a_tenant_where_the_role_does_not_allow_it(client, world):
    """Operator admin in B, accountant in A: may add buildings to B but not to A."""
    user = staff_user(world.alpha, Role.ACCOUNTANT)
    MembershipFactory(user=user, tenant=world.bravo, role=Role.OPERATOR_ADMIN)
    client.force_login(user)
    url = reverse("admin:warehouse_building_add")

    refused = client.post(url, {"tenant": world.alpha.pk, "address": "Alpha street 5"})
    accepted = client.post(url, {"tenant": world.bravo.pk, "address": "Bravo street 5"})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["tenant"] == [
        "Your role does not allow this in that tenant."
    ]
    assert not world.alpha.buildings.filter(address="Alpha street 5").exists()
    assert accepted.status_code == 302
    assert world.bravo.buildings.filter(address="Bravo street 5").exists()


def test_supplier_changelist_shows_own_suppliers_only(client, world):
    client.force_login(staff_user(world.alpha))

    response = client.get(reverse("admin:warehouse_supplier_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Water" in content
    assert "Bravo Heat" not in content


def test_supplier_add_form_offers_only_own_tenants(client, world):
    client.force_login(staff_user(world.alpha))

    response = client.get(reverse("admin:warehouse_supplier_add"))

    assert list(response.context["adminform"].form.fields["tenant"].queryset) == [world.alpha]


def test_autocomplete_does_not_leak_another_tenants_premises(client, world):
    client.force_login(staff_user(world.alpha))

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "warehouse", "model_name": "account", "field_name": "premises", "term": ""},
    )

    assert response.status_code == 200
    ids = {int(item["id"]) for item in response.json()["results"]}
    assert ids == {world.alpha_account.premises_id}


def test_rows_of_two_tenants_cannot_be_mixed(client, world):
    """Staff of both tenants still may not hang a premises of A on a building of B."""
    user = staff_user(world.alpha)
    MembershipFactory(user=user, tenant=world.bravo, role=Role.OPERATOR_ADMIN)
    bravo_building = BuildingFactory(tenant=world.bravo)
    client.force_login(user)

    response = client.post(
        reverse("admin:warehouse_premises_add"),
        {"tenant": world.alpha.pk, "building": bravo_building.pk, "number": "7"},
    )

    assert response.status_code == 200
    assert "building" in response.context["adminform"].form.errors
    assert not Premises.objects.filter(number="7").exists()


def test_a_row_cannot_be_moved_to_another_tenant(client, world):
    user = staff_user(world.alpha)
    MembershipFactory(user=user, tenant=world.bravo, role=Role.OPERATOR_ADMIN)
    client.force_login(user)
    page = client.get(change_url(world.alpha_water))

    response = client.post(
        change_url(world.alpha_water), form_data(page, tenant=world.bravo.pk, name="Moved")
    )

    assert response.status_code == 302
    world.alpha_water.refresh_from_db()
    assert (world.alpha_water.tenant, world.alpha_water.name) == (world.alpha, "Moved")


def test_account_link_inline_refuses_another_tenants_supplier(client, world):
    user = staff_user(world.alpha)
    MembershipFactory(user=user, tenant=world.bravo, role=Role.OPERATOR_ADMIN)
    client.force_login(user)
    page = client.get(change_url(world.alpha_account))
    data = form_data(page, **{"links-TOTAL_FORMS": "2"})
    data.update({"links-1-supplier": world.bravo_heat.pk, "links-1-external_number": "X-9"})

    response = client.post(change_url(world.alpha_account), data)

    assert response.status_code == 200
    (formset,) = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert formset.errors[1] == {"supplier": ["belongs to another tenant"]}
    assert not world.alpha_account.links.filter(external_number="X-9").exists()


def test_staff_of_a_tenant_who_is_a_supplier_user_elsewhere_sees_only_staff_tenant(client, world):
    user = staff_user(world.alpha)
    MembershipFactory(user=user, supplier=world.bravo_heat)
    client.force_login(user)

    response = client.get(reverse("admin:warehouse_account_changelist"))

    content = response.content.decode()
    assert "A-1001" in content
    assert "B-2002" not in content


# --- roles ------------------------------------------------------------------------------------


def test_collector_can_view_but_not_change(client, world):
    client.force_login(staff_user(world.alpha, Role.COLLECTOR))

    listing = client.get(reverse("admin:warehouse_account_changelist"))
    page = client.get(change_url(world.alpha_account))
    response = client.post(change_url(world.alpha_account), {"payer_name": "Changed"})

    assert listing.status_code == 200
    assert page.status_code == 200
    assert response.status_code == 403
    world.alpha_account.refresh_from_db()
    assert world.alpha_account.payer_name == "Anna"


def test_collector_cannot_add(client, world):
    client.force_login(staff_user(world.alpha, Role.COLLECTOR))

    assert client.get(reverse("admin:warehouse_account_add")).status_code == 403


def test_accountant_can_change_but_not_add_or_delete(client, world):
    client.force_login(staff_user(world.alpha, Role.ACCOUNTANT))
    page = client.get(change_url(world.alpha_account))

    response = client.post(change_url(world.alpha_account), form_data(page, payer_name="Anya"))

    assert response.status_code == 302
    world.alpha_account.refresh_from_db()
    assert world.alpha_account.payer_name == "Anya"
    assert client.get(reverse("admin:warehouse_account_add")).status_code == 403
    delete_url = reverse("admin:warehouse_account_delete", args=[world.alpha_account.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Account.objects.filter(pk=world.alpha_account.pk).exists()


def test_accountant_cannot_grant_roles(client, world):
    accountant = staff_user(world.alpha, Role.ACCOUNTANT)
    membership = accountant.memberships.get()
    client.force_login(accountant)

    response = client.post(
        change_url(membership),
        {"user": accountant.pk, "tenant": world.alpha.pk, "role": Role.OPERATOR_ADMIN},
    )

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.ACCOUNTANT


def test_resident_cannot_enter_admin_or_staff_pages(client, world):
    resident = UserFactory()
    AccountHolderFactory(user=resident, account=world.alpha_account)
    client.force_login(resident)

    admin_response = client.get(reverse("admin:index"))
    staff_response = client.get(reverse("staff-home"))

    assert admin_response.status_code == 302
    assert admin_response.url.startswith(reverse("admin:login"))
    assert staff_response.status_code == 403


def test_supplier_user_gets_no_admin_even_with_is_staff(client, world):
    supplier_user = UserFactory(is_staff=True)
    MembershipFactory(user=supplier_user, supplier=world.alpha_water)
    client.force_login(supplier_user)

    index = client.get(reverse("admin:index"))
    listing = client.get(reverse("admin:warehouse_account_changelist"))

    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert listing.status_code == 403


def test_staff_without_is_staff_flag_cannot_enter_admin(client, world):
    user = UserFactory(is_staff=False)
    MembershipFactory(user=user, tenant=world.alpha, role=Role.OPERATOR_ADMIN)
    client.force_login(user)

    response = client.get(reverse("admin:warehouse_account_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_users_admin_is_for_superusers_only(client, world):
    client.force_login(staff_user(world.alpha))
    assert client.get(reverse("admin:warehouse_user_changelist")).status_code == 403

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:warehouse_user_changelist")).status_code == 200


def test_audit_log_is_read_only_for_everyone(client, world):
    event = AuditEvent.objects.create(tenant=world.alpha, action="tenant.created")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(change_url(event))
    response = client.post(change_url(event), {"action": "forged"})

    assert page.status_code == 200
    assert response.status_code == 403
    assert client.get(reverse("admin:warehouse_auditevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.action == "tenant.created"


# --- bank details and the audit trail ---------------------------------------------------------


def test_supplier_bank_account_failing_the_control_key_is_refused(client, world):
    client.force_login(staff_user(world.alpha))
    page = client.get(change_url(world.alpha_water))

    response = client.post(
        change_url(world.alpha_water), form_data(page, bank_account="40702810238720001421")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "control key" in errors["bank_account"][0]
    world.alpha_water.refresh_from_db()
    assert world.alpha_water.bank_account == "40702810238720001420"


def test_supplier_with_bad_inn_is_refused(client, world):
    client.force_login(staff_user(world.alpha))
    page = client.get(change_url(world.alpha_water))

    response = client.post(change_url(world.alpha_water), form_data(page, inn="7707083894"))

    assert response.status_code == 200
    assert "inn" in response.context["adminform"].form.errors


def test_sepa_supplier_is_checked_as_iban(client):
    tenant = TenantFactory(sepa=True)
    supplier = SupplierFactory(tenant=tenant, sepa=True)
    client.force_login(staff_user(tenant))
    page = client.get(change_url(supplier))

    bad = client.post(change_url(supplier), form_data(page, iban="DE89370400440532013001"))
    good = client.post(change_url(supplier), form_data(page, iban="de89 3704 0044 0532 0130 00"))

    assert "iban" in bad.context["adminform"].form.errors
    assert good.status_code == 302
    supplier.refresh_from_db()
    assert supplier.iban == "DE89370400440532013000"


def test_admin_change_writes_an_audit_event(client, world):
    admin_user = staff_user(world.alpha)
    client.force_login(admin_user)
    page = client.get(change_url(world.alpha_water))

    response = client.post(
        change_url(world.alpha_water), form_data(page, commission_percent="1.50")
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.supplier.changed")
    assert event.tenant == world.alpha
    assert event.actor == admin_user
    assert event.detail["fields"] == ["commission_percent"]
    assert Supplier.objects.get(pk=world.alpha_water.pk).commission_percent == 1.5


# --- the staff pages --------------------------------------------------------------------------


def test_staff_home_lists_own_tenant_only(client, world):
    client.force_login(staff_user(world.alpha, Role.COLLECTOR))

    response = client.get(reverse("staff-home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Housing" in content
    assert "Bravo Utilities" not in content
    assert [t.code for t in response.context["tenants"]] == ["alpha"]


def test_other_tenants_page_is_not_found(client, world):
    client.force_login(staff_user(world.alpha))

    assert client.get(reverse("staff-tenant", args=["bravo"])).status_code == 404
    assert client.get(reverse("staff-tenant", args=["alpha"])).status_code == 200


def test_supplier_user_sees_own_supplier_only(client, world):
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, supplier=world.alpha_water)
    client.force_login(supplier_user)

    response = client.get(reverse("supplier-home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Water" in content
    assert "Alpha Power" not in content
    assert "Bravo Heat" not in content
    assert [(s.code, s.linked_accounts) for s in response.context["suppliers"]] == [
        ("alpha-water", 1)
    ]


def test_resident_sees_only_their_accounts(client, world):
    resident = UserFactory()
    neighbour_account = AccountFactory(tenant=world.alpha, account_number="A-1002")
    AccountHolderFactory(user=resident, account=world.alpha_account)
    AccountHolderFactory(account=neighbour_account)  # held by someone else
    client.force_login(resident)

    response = client.get(reverse("resident-home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "A-1001" in content
    assert "A-1002" not in content
    assert "B-2002" not in content


def test_resident_of_two_tenants_sees_both_accounts(client, world):
    resident = UserFactory()
    AccountHolderFactory(user=resident, account=world.alpha_account)
    AccountHolderFactory(user=resident, account=world.bravo_account)
    client.force_login(resident)

    response = client.get(reverse("resident-home"))

    assert [a.account_number for a in response.context["accounts"]] == ["A-1001", "B-2002"]


def test_premises_of_other_tenant_stay_hidden_from_staff_counts(client, world):
    PremisesFactory(tenant=world.bravo)
    client.force_login(staff_user(world.alpha))

    response = client.get(reverse("staff-home"))

    (alpha,) = response.context["tenants"]
    assert (alpha.supplier_count, alpha.account_count, alpha.link_count) == (2, 1, 1)
    assert alpha.premises_count == 1
