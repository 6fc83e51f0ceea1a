"""One home for the caller's tenant (warehouse.selectors): an API names its tenant or takes the
caller's only one, and answers another tenant's code exactly as a code nobody has; a staff
page's tenant and every tenant filter offer the user's staff tenants only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import ApplicationError
from tests.factories import MembershipFactory, SupplierFactory, TenantFactory, UserFactory
from warehouse.models import Role
from warehouse.selectors import staff_tenant_of, tenant_of_caller, tenants_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant():
    membership = MembershipFactory(tenant=TenantFactory(code="north"), role=Role.ACCOUNTANT)
    TenantFactory(code="south")
    return membership.user


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_callers_only_tenant_or_the_one_named(accountant):
    assert tenant_of_caller(accountant, None).code == "north"
    assert tenant_of_caller(accountant, "north").code == "north"


@pytest.mark.parametrize("code", ["south", "nowhere"])
def test_another_tenants_code_is_not_found_like_a_code_nobody_has(accountant, code):
    with pytest.raises(ApplicationError) as refused:
        tenant_of_caller(accountant, code)
    assert (refused.value.status_code, refused.value.code) == (404, "not_found")
    assert refused.value.message == f"no tenant {code!r}"


def test_a_caller_of_several_tenants_or_none_must_name_one(accountant):
    MembershipFactory(user=accountant, tenant=TenantFactory(), role=Role.ACCOUNTANT)
    for user in (accountant, UserFactory(is_superuser=True)):
        with pytest.raises(ApplicationError) as refused:
            tenant_of_caller(user, None)
        assert (refused.value.status_code, refused.value.code) == (400, "tenant_required")


def test_the_apis_answer_another_tenants_code_with_404(accountant):
    api = _api(accountant)
    payment = api.post(
        "/api/v1/payments",
        {"account_number": "00000001", "amount": "1.00", "channel": "bank", "external_id": "x-1"}
        | {"tenant": "south"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    charges = api.post(
        "/api/v1/imports/charges",
        {
            "tenant": "south",
            "supplier": "water",
            "period": "2026-11",
            "file": SimpleUploadedFile("w.csv", b"supplier_account,service_code,amount\n"),
        },
        format="multipart",
    )
    for response in (payment, charges):
        assert response.status_code == 404, response.json()
        assert response.json()["error"] == "not_found"
        assert response.json()["detail"] == "no tenant 'south'"


def test_a_staff_page_takes_the_named_tenant_or_the_first(accountant):
    MembershipFactory(user=accountant, tenant=TenantFactory(code="east"), role=Role.ACCOUNTANT)
    assert staff_tenant_of(accountant, None).code == "east"
    assert staff_tenant_of(accountant, "north").code == "north"
    with pytest.raises(Http404):
        staff_tenant_of(accountant, "south")


def test_the_dashboard_refuses_another_tenants_code_with_404(client, accountant):
    client.force_login(accountant)
    url = reverse("collections-analytics")
    assert client.get(url + "?tenant=north").status_code == 200
    assert client.get(url + "?tenant=south").status_code == 404


def test_filters_offer_the_staff_tenants_not_those_of_a_supplier_membership(accountant):
    MembershipFactory(user=accountant, supplier=SupplierFactory(tenant=TenantFactory(code="west")))
    assert [t.code for t in tenants_of(accountant)] == ["north"]
    assert {t.code for t in tenants_of(UserFactory(is_superuser=True))} >= {
        "north",
        "south",
        "west",
    }
