"""`GET /api/v1/accounts/{n}/documents`, `/documents/{reference}` and its `.pdf`: who gets a
document (staff of the tenant, the account's holders; no supplier user, no one else) and what
its body says. The world's tenant issues RF references here, so that case matters."""

from types import SimpleNamespace

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.references import format_reference
from invoicing.services.closing import document_reissue
from tests.factories import (
    AccountFactory,
    AccountHolderFactory,
    MembershipFactory,
    TenantFactory,
    UserFactory,
)
from tests.month_end import month_end_close
from tests.splitting.helpers import charges, pay
from warehouse.models import Role, Tenant

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

NUMBER = "00000001"  # VK-0001 of the world
SEPA = {
    "profile": "SEPA",
    "currency": "EUR",
    "bic": "COBADEFFXXX",
    "iban": "DE89370400440532013000",
    "bank_account": "",
    "corr_account": "",
}


@pytest.fixture
def w(world):
    """2026-11 billed (VK-0001: water 140.00, heat 60.00) and closed, with its callers."""
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    Tenant.objects.filter(pk=world.tenant.pk).update(**SEPA)
    world.tenant.refresh_from_db()
    month_end_close(tenant=world.tenant, period="2026-11")
    account = world.accounts["VK-0001"]
    other = TenantFactory(code="elsewhere")
    return SimpleNamespace(
        world=world,
        account=account,
        document=PaymentDocument.objects.get(account=account, status=DocumentStatus.ISSUED),
        staff=MembershipFactory(tenant=world.tenant, role=Role.OPERATOR_ADMIN).user,
        resident=AccountHolderFactory(account=account).user,
        water=MembershipFactory(supplier=world.supplier).user,
        stranger=MembershipFactory(tenant=other, role=Role.OPERATOR_ADMIN).user,
        other=other,
    )


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _list(client, number=NUMBER, query=""):
    return client.get(f"/api/v1/accounts/{number}/documents{query}")


def _one(client, reference, suffix="", query=""):
    return client.get(f"/api/v1/documents/{reference}{suffix}{query}")


def test_staff_get_the_accounts_documents_with_lines_state_and_links(w):
    response = _list(_api(w.staff))

    assert response.status_code == 200, response.json()
    [body] = response.json()
    reference = w.document.reference
    assert reference.startswith("RF")
    assert body | {"issued_at": None, "due_date": None, "paid_state": None, "links": None} == {
        "id": w.document.pk,
        "reference": reference,
        "number": w.document.number,
        "period": "2026-11",
        "account_number": NUMBER,
        "tenant": "rc-charges",
        "issued_at": None,
        "due_date": None,
        "amount_due": "200.00",
        "advance": "0.00",
        "status": "issued",
        "paid_state": None,
        "open": "200.00",
        "lines": [
            {"supplier": "teplo", "amount": "60.00"},
            {"supplier": "vodokanal", "amount": "140.00"},
        ],
        "links": None,
    }
    assert body["due_date"] == w.document.due_date.isoformat()
    assert body["paid_state"] in {"due", "overdue"}
    assert body["links"] == {
        "pdf": f"http://testserver/api/v1/documents/{reference}.pdf?tenant=rc-charges",
        "html": f"http://testserver/staff/documents/{w.document.pk}/",
    }


@pytest.mark.parametrize(
    ("paid", "state", "still_open"), [(5_000, "partly", "150.00"), (20_000, "paid", "0.00")]
)
def test_the_paid_state_follows_the_payments(w, paid, state, still_open):
    pay(w.world, "VK-0001", paid)

    body = _one(_api(w.resident), w.document.reference).json()

    assert (body["paid_state"], body["open"]) == (state, still_open)


def test_the_resident_opens_the_document_and_its_pdf_with_a_token(w):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=w.resident).key}")

    body = _one(client, w.document.reference).json()
    pdf = client.get(body["links"]["pdf"], HTTP_ACCEPT="application/pdf")

    assert body["account_number"] == NUMBER and body["amount_due"] == "200.00"
    assert body["links"]["html"] == (
        f"http://testserver/cabinet/accounts/rc-charges/{NUMBER}/documents/2026-11/"
    )
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_reference_typed_with_spaces_and_in_lower_case_is_found(w):
    typed = format_reference(w.document.reference).lower()
    assert " " in typed

    response = _one(_api(w.staff), typed.replace(" ", "%20"))
    pdf = _one(_api(w.staff), typed.replace(" ", "%20"), ".pdf")

    assert response.status_code == 200
    assert response.json()["reference"] == w.document.reference
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("caller", ["water", "stranger"])
def test_a_supplier_user_and_another_tenants_staff_get_404_and_nothing_else(w, caller):
    client = _api(getattr(w, caller))

    answers = [
        _list(client),
        _list(client, query="?tenant=rc-charges"),
        _one(client, w.document.reference),
        _one(client, w.document.reference, ".pdf"),
    ]

    for response in answers:
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
        assert w.document.reference not in response.content.decode()
        assert "200.00" not in response.content.decode()


def test_anonymous_callers_are_refused(w):
    for response in (
        _list(_api()),
        _one(_api(), w.document.reference),
        _one(_api(), w.document.reference, ".pdf"),
    ):
        assert response.status_code in (401, 403)
        assert response.json()["error"] == "not_authenticated"


@pytest.mark.parametrize("reference", ["RF0000000000000", "nonsense", "x" * 40, "RF03-0000"])
def test_an_unknown_or_malformed_reference_is_404(w, reference):
    client = _api(w.staff)

    assert _one(client, reference).status_code == 404
    assert _one(client, reference, ".pdf").status_code == 404


def test_unknown_accounts_and_tenants_are_404(w):
    client = _api(w.staff)

    assert _list(client, "99999999").status_code == 404
    assert _list(client, query="?tenant=elsewhere").status_code == 404
    assert _one(client, w.document.reference, query="?tenant=elsewhere").status_code == 404


def test_a_number_two_tenants_have_needs_the_tenant(w):
    AccountFactory(tenant=w.other, account_number=NUMBER)
    both = UserFactory(is_superuser=True)

    unnamed = _list(_api(both))
    named = _list(_api(both), query="?tenant=rc-charges")

    assert unnamed.status_code == 400
    assert unnamed.json()["error"] == "tenant_required" and "tenant" in unnamed.json()["fields"]
    assert named.status_code == 200 and len(named.json()) == 1


def test_a_superseded_document_is_listed_and_reached_by_its_id(w):
    new = document_reissue(document=w.document)
    client = _api(w.staff)

    listed = _list(client).json()
    old = _one(client, w.document.reference, query=f"?id={w.document.pk}")
    current = _one(client, w.document.reference)
    bad = _one(client, w.document.reference, query="?id=first")

    assert [(d["id"], d["status"]) for d in listed] == [
        (new.pk, "issued"),
        (w.document.pk, "superseded"),
    ]
    assert listed[1]["paid_state"] is None and listed[1]["open"] is None
    assert listed[1]["links"]["pdf"].endswith(f"?tenant=rc-charges&id={w.document.pk}")
    assert old.json()["status"] == "superseded"
    assert current.json()["id"] == new.pk
    assert bad.status_code == 400 and "id" in bad.json()["fields"]


def test_the_list_takes_a_few_queries_whatever_the_documents(w, django_assert_max_num_queries):
    charges(w.world, "2026-12", water={"VK-0001": "150.00"}, heat={"VK-0001": "70.00"})
    month_end_close(tenant=w.world.tenant, period="2026-12")
    client = _api(w.staff)

    with django_assert_max_num_queries(8):
        response = _list(client)

    assert [d["period"] for d in response.json()] == ["2026-12", "2026-11"]


def test_the_schema_documents_the_document_endpoints(w):
    schema = _api(w.staff).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for route in (
        "/api/v1/accounts/{account_number}/documents",
        "/api/v1/documents/{reference}",
        "/api/v1/documents/{reference}.pdf",
    ):
        assert route in schema["paths"]
