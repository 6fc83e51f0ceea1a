import pytest
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, SupplierFactory, TenantFactory, UserFactory
from warehouse.models import Role

pytestmark = pytest.mark.django_db


def _client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_lists_only_the_tenants_of_the_caller():
    mine, other = TenantFactory(code="mine"), TenantFactory(code="other")
    user = UserFactory()
    MembershipFactory(user=user, tenant=mine, role=Role.ACCOUNTANT)

    response = _client_for(user).get("/api/v1/tenants")

    assert response.status_code == 200
    assert [t["code"] for t in response.json()] == ["mine"]
    assert other.code not in response.content.decode()


def test_api_hides_another_tenant_as_not_found_with_the_error_shape():
    mine, other = TenantFactory(code="mine"), TenantFactory(code="other")
    SupplierFactory(tenant=other, code="secret")
    user = UserFactory()
    MembershipFactory(user=user, tenant=mine, role=Role.OPERATOR_ADMIN)

    response = _client_for(user).get("/api/v1/tenants/other")

    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}
    assert "secret" not in response.content.decode()


def test_api_refuses_anonymous_callers_with_the_error_shape():
    response = APIClient().get("/api/v1/tenants")

    assert response.status_code in (401, 403)
    assert response.json()["error"] == "not_authenticated"


def test_schema_is_served_locally():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/tenants" in response.content
