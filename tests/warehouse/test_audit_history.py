"""The change history (issue 17, part 6): who changed what, from what to what. Bank details
changed in the admin, commission terms changed by the tenant file, a membership's role, secrets
(recorded as changed, never by value), deletions with their old values; the staff page with its
filters, its scoping (another tenant's staff see nothing of it) and its XLSX export."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    MappingProfileFactory,
    MembershipFactory,
    SupplierFactory,
    TenantFactory,
    UserFactory,
)
from tests.warehouse.test_pages import operator_staff
from warehouse.audit_history import actor_from_kwarg, audit_actor
from warehouse.models import (
    SECRET_MASK,
    AuditChange,
    DueDateRule,
    FlowDelivery,
    Membership,
    Role,
    Supplier,
    SupplierFlow,
    Tenant,
)
from warehouse.services.tenants import tenant_setup

pytestmark = pytest.mark.django_db

MIDDLEWARE = "warehouse.middleware.AuditActorMiddleware"
OLD_IBAN = "DE89370400440532013000"  # the SEPA factories' IBAN
NEW_IBAN = "DE02120300000000202051"
FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def _actor_middleware(settings):
    """The page requests run with the middleware that makes the signed-in user the actor (the
    lead's settings add it; here it is added when it is not there yet)."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


def _changes(obj, **filters):
    return AuditChange.objects.filter(
        table=obj._meta.label, object_id=str(obj.pk), **filters
    ).order_by("pk")


def _admin_post_data(response) -> dict:
    """The POST body of an admin change form as the page rendered it (with its inlines), so
    a test changes only the fields it names."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def _admin_change(client, obj, **changes):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = {**_admin_post_data(client.get(url)), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


# --- what is recorded ------------------------------------------------------------------------


def test_an_iban_changed_in_the_admin_is_recorded_with_both_values_and_who_changed_it(client):
    tenant = TenantFactory(sepa=True)
    supplier = SupplierFactory(tenant=tenant, sepa=True)
    admin = operator_staff(tenant)
    client.force_login(admin)

    _admin_change(client, supplier, iban=NEW_IBAN)

    assert Supplier.objects.get(pk=supplier.pk).iban == NEW_IBAN
    [change] = _changes(supplier, action="update")  # the IBAN and nothing else
    assert (change.field, change.old_value, change.new_value) == ("iban", OLD_IBAN, NEW_IBAN)
    assert change.actor == admin
    assert change.actor_name == admin.username
    assert change.tenant == tenant
    assert change.object_repr == str(supplier)


def test_a_commission_changed_by_the_tenant_file_is_recorded_with_both_values():
    accountant = UserFactory()
    text = (FILES / "tenant_eu.yaml").read_text(encoding="utf-8")
    tenant_setup(data=text.encode(), filename="tenant_eu.yaml")
    water = Supplier.objects.get(tenant__code="acme-eu", code="water")
    changed = text.replace(
        'commission: {percent: "1.50", fixed: "0.00", min: "0.00", max: null}',
        'commission: {percent: "2.25", fixed: "0.00", min: "0.00", max: "3.00"}',
    )
    assert changed != text

    with audit_actor(accountant):
        tenant_setup(data=changed.encode(), filename="tenant_eu.yaml", actor=accountant)

    updates = {c.field: (c.old_value, c.new_value) for c in _changes(water, action="update")}
    assert updates == {
        "commission_percent": ("1.50", "2.25"),
        "commission_max": (None, "300"),  # minor units; no maximum before
    }
    assert set(_changes(water, action="update").values_list("actor", flat=True)) == {accountant.pk}
    heat = Supplier.objects.get(tenant__code="acme-eu", code="heat")
    assert not _changes(heat, action="update").exists()  # the same terms: nothing changed


def test_a_service_that_takes_an_actor_records_it_through_the_decorator():
    accountant = UserFactory()
    setup = actor_from_kwarg(tenant_setup)

    setup(data=(FILES / "tenant_eu.yaml").read_bytes(), actor=accountant)

    tenant = Tenant.objects.get(code="acme-eu")
    created = _changes(tenant, action="create")
    assert {c.field for c in created} >= {"code", "name", "iban", "due_day", "tan_required"}
    assert {c.actor_id for c in created} == {accountant.pk}
    assert created.get(field="iban").new_value == OLD_IBAN


def test_a_membership_role_changed_in_the_admin_is_recorded(client):
    tenant = TenantFactory()
    admin = operator_staff(tenant)
    membership = MembershipFactory(tenant=tenant, role=Role.ACCOUNTANT)
    client.force_login(admin)

    _admin_change(client, membership, role=Role.COLLECTOR)

    [change] = _changes(membership, action="update")
    assert (change.field, change.old_value, change.new_value) == (
        "role",
        "accountant",
        "collector",
    )
    assert change.actor == admin
    assert change.tenant == tenant


def test_a_changed_secret_is_recorded_as_changed_never_by_value():
    supplier = SupplierFactory()
    first_secret = supplier.webhook_secret
    flow = SupplierFlow.objects.create(
        supplier=supplier,
        delivery=FlowDelivery.SFTP,
        sftp_host="127.0.0.1",
        sftp_user="unibill",
        sftp_password="first-password",
    )

    flow.sftp_password = "second-password"
    flow.save()
    supplier.webhook_secret_previous = supplier.webhook_secret
    supplier.webhook_secret = "whsec_rotated-secret-value"
    supplier.save(update_fields=["webhook_secret", "webhook_secret_previous"])

    [password] = _changes(flow, action="update")
    assert (password.field, password.old_value, password.new_value) == (
        "sftp_password",
        SECRET_MASK,
        SECRET_MASK,
    )
    assert password.tenant_id == supplier.tenant_id  # through the supplier
    rotation = {c.field: (c.old_value, c.new_value) for c in _changes(supplier, action="update")}
    assert rotation == {
        "webhook_secret": (SECRET_MASK, SECRET_MASK),
        "webhook_secret_previous": ("", SECRET_MASK),
    }
    values = [
        value
        for pair in AuditChange.objects.values_list("old_value", "new_value")
        for value in pair
        if value
    ]
    for secret in ("first-password", "second-password", first_secret, "rotated-secret-value"):
        assert not [v for v in values if secret in v]


def test_a_deleted_row_is_recorded_with_its_old_values_and_its_cascade_too():
    admin = UserFactory()
    supplier = SupplierFactory(name="Vodokanal", commission_fixed=150)
    flow = SupplierFlow.objects.create(supplier=supplier, email_to="a@example.com")
    profile = MappingProfileFactory(
        supplier=supplier, name="vk-csv", columns={"amount": 5, "account": "LS"}
    )
    supplier_id, flow_id, profile_id = supplier.pk, flow.pk, profile.pk

    with audit_actor(admin):
        supplier.delete()

    gone = AuditChange.objects.filter(action="delete")
    old = {
        (c.table, c.object_id, c.field): c.old_value
        for c in gone.filter(object_id__in=[str(supplier_id), str(flow_id), str(profile_id)])
    }
    assert old[("warehouse.Supplier", str(supplier_id), "name")] == "Vodokanal"
    assert old[("warehouse.Supplier", str(supplier_id), "commission_fixed")] == "150"
    assert old[("warehouse.Supplier", str(supplier_id), "webhook_secret")] == SECRET_MASK
    assert old[("warehouse.SupplierFlow", str(flow_id), "email_to")] == "a@example.com"
    assert old[("warehouse.MappingProfile", str(profile_id), "columns")] == (
        '{"account": "LS", "amount": 5}'
    )
    assert {c.new_value for c in gone} == {None}
    assert {c.actor_id for c in gone} == {admin.pk}
    assert {c.tenant_id for c in gone} == {supplier.tenant_id}


def test_a_deleted_tenant_keeps_its_history():
    tenant = TenantFactory(name="Gone Housing")
    SupplierFactory(tenant=tenant)
    tenant_id = tenant.pk

    tenant.delete()

    assert not Tenant.objects.filter(pk=tenant_id).exists()
    history = AuditChange.objects.filter(tenant_id=tenant_id)
    assert history.filter(table="warehouse.Tenant", action="create").exists()
    assert history.get(table="warehouse.Tenant", action="delete", field="name").old_value == (
        "Gone Housing"
    )
    assert history.filter(table="warehouse.Supplier", action="delete").exists()


def test_a_save_that_changes_nothing_records_nothing():
    supplier = SupplierFactory()
    before = AuditChange.objects.count()

    Supplier.objects.get(pk=supplier.pk).save()
    supplier.commission_percent = "0"  # the same value, as a form would give it
    supplier.save()

    assert AuditChange.objects.count() == before


def test_a_change_without_a_person_is_the_systems():
    supplier = SupplierFactory()

    supplier.webhook_url = "https://supplier.example.com/hook"
    supplier.save()

    change = _changes(supplier, action="update").get()
    assert (change.actor_id, change.actor_name) == (None, "")


def test_a_queryset_update_is_not_recorded():
    """The documented gap: `QuerySet.update()` sends no signal (warehouse.audit_history)."""
    supplier = SupplierFactory()

    Supplier.objects.filter(pk=supplier.pk).update(webhook_url="https://x.example.com/")

    assert not _changes(supplier, action="update").exists()


def test_the_policy_rows_of_splitting_and_debt_collection_are_recorded_once_registered():
    from debt_collection import audit_tracking as collection_tracking
    from debt_collection.models import CollectionSettings
    from splitting import audit_tracking as splitting_tracking
    from splitting.models import AllocationRules

    splitting_tracking.register()
    collection_tracking.register()
    tenant = TenantFactory()
    rules = AllocationRules.objects.create(tenant=tenant)
    settings = CollectionSettings.objects.create(tenant=tenant)

    rules.order = "pro_rata"
    rules.save()
    settings.plan_interest_percent = "7.5"
    settings.save()

    [order] = _changes(rules, action="update")
    assert (order.field, order.old_value, order.new_value, order.tenant_id) == (
        "order",
        "oldest_first",
        "pro_rata",
        tenant.pk,
    )
    [interest] = _changes(settings, action="update")
    assert (interest.field, interest.old_value, interest.new_value) == (
        "plan_interest_percent",
        "0.00",
        "7.50",
    )


# --- the page --------------------------------------------------------------------------------


@pytest.fixture
def two_tenants():
    """Tenant A's supplier with a new IBAN and a new name, tenant B's with a new IBAN, by
    each tenant's operator admin; a national due-date rule changed by the installation."""
    a, b = TenantFactory(code="op-a", sepa=True), TenantFactory(code="op-b", sepa=True)
    staff_a, staff_b = operator_staff(a, username="olga"), operator_staff(b, username="boris")
    water = SupplierFactory(tenant=a, sepa=True, name="Water A")
    heat = SupplierFactory(tenant=b, sepa=True, name="Heat B")
    with audit_actor(staff_a):
        water.iban = NEW_IBAN
        water.name = "Water A renamed"
        water.save()
    with audit_actor(staff_b):
        heat.iban = NEW_IBAN
        heat.save()
    rule = DueDateRule.objects.get(profile="RU", day=15)
    rule.documents_by_day = 6
    rule.save()
    return a, b, staff_a, staff_b


def test_staff_see_their_tenants_changes_and_not_another_tenants(client, two_tenants):
    a, b, staff_a, staff_b = two_tenants
    client.force_login(staff_b)

    response = client.get(reverse("audit-changes"), {"table": "warehouse.Supplier"})

    assert response.status_code == 200
    rows = list(response.context["table"].data)
    assert rows and {r.tenant_id for r in rows} == {b.pk}
    body = response.content.decode()
    assert "Heat B" in body
    assert "Water A" not in body
    assert "olga" not in body


def test_another_tenants_code_in_the_filter_shows_none_of_its_rows(client, two_tenants):
    a, b, staff_a, staff_b = two_tenants
    client.force_login(staff_b)

    response = client.get(reverse("audit-changes"), {"tenant": a.code})

    assert response.status_code == 200
    assert "tenant" in response.context["filter"].form.errors
    assert a.pk not in {r.tenant_id for r in response.context["table"].data}


def test_the_national_rows_changes_are_shown_to_every_tenants_staff(client, two_tenants):
    a, b, staff_a, staff_b = two_tenants
    client.force_login(staff_b)

    response = client.get(reverse("audit-changes"), {"table": "warehouse.DueDateRule"})

    [row] = response.context["table"].data
    assert (row.tenant_id, row.field, row.old_value, row.new_value) == (
        None,
        "documents_by_day",
        "5",
        "6",
    )


def test_the_filters_narrow_the_rows(client, two_tenants):
    a, b, staff_a, staff_b = two_tenants
    client.force_login(staff_a)
    url = reverse("audit-changes")

    def shown(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {(r.table, r.field, r.action) for r in response.context["table"].data}

    assert shown(field="iban", action="update") == {("warehouse.Supplier", "iban", "update")}
    assert shown(object="renamed", action="update") == {
        ("warehouse.Supplier", "iban", "update"),
        ("warehouse.Supplier", "name", "update"),
    }
    assert shown(actor="olg", action="update") == shown(object="renamed", action="update")
    assert shown(tenant=a.code, table="warehouse.Tenant") == {
        ("warehouse.Tenant", field, "create")
        for field in AuditChange.objects.filter(tenant=a, table="warehouse.Tenant").values_list(
            "field", flat=True
        )
    }


def test_the_date_filter_takes_the_days_of_the_change(client, clock):
    tenant = TenantFactory(sepa=True)
    staff = operator_staff(tenant)
    supplier = SupplierFactory(tenant=tenant, sepa=True)
    clock.move_to(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC))
    supplier.iban = NEW_IBAN
    supplier.save()
    client.force_login(staff)
    url = reverse("audit-changes")

    def fields(**params):
        return {
            r.field for r in client.get(url, {"action": "update", **params}).context["table"].data
        }

    assert fields(date_from="2026-11-25") == {"iban"}
    assert fields(date_from="2026-11-21", date_to="2026-11-24") == set()
    assert fields(date_to="2026-11-25") == {"iban"}


def test_the_page_is_for_operator_staff_only(client, two_tenants):
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, supplier=SupplierFactory(tenant=two_tenants[0]))
    client.force_login(supplier_user)

    assert client.get(reverse("audit-changes")).status_code == 403
    assert client.get(reverse("audit-changes-xlsx")).status_code == 403


def test_the_list_page_reads_a_bounded_number_of_queries(
    client, two_tenants, django_assert_max_num_queries
):
    a, b, staff_a, staff_b = two_tenants
    for _ in range(30):
        Membership.objects.create(user=UserFactory(), tenant=a, role=Role.COLLECTOR)
    client.force_login(staff_a)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("audit-changes"))

    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 50


def test_the_xlsx_export_holds_the_filtered_rows_of_the_users_tenants(client, two_tenants):
    a, b, staff_a, staff_b = two_tenants
    client.force_login(staff_a)

    response = client.get(reverse("audit-changes-xlsx"), {"field": "iban"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[1:] == (
        "Tenant",
        "Changed by",
        "Table",
        "Model",
        "Object id",
        "Object",
        "Action",
        "Field",
        "Old value",
        "New value",
    )
    updates = [r for r in rows if r[7] == "Changed"]
    assert [(r[1], r[2], r[4], r[8], r[9], r[10]) for r in updates] == [
        ("op-a", "olga", "warehouse.Supplier", "iban", OLD_IBAN, NEW_IBAN)
    ]
    assert {r[1] for r in rows} == {"op-a"}  # tenant B's IBAN change is not there
    assert all(isinstance(r[0], dt.datetime) for r in rows)


def test_a_bad_filter_on_the_export_is_refused_with_its_reason(client, two_tenants):
    client.force_login(two_tenants[2])

    response = client.get(reverse("audit-changes-xlsx"), {"date_from": "yesterday"})

    assert response.status_code == 400
    assert "From" in response.content.decode()
