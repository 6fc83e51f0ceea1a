"""`POST /api/v1/imports/charges` and `GET /api/v1/imports/{id}`: what each outcome answers,
the error shape of bad input, who may import and whose batches a caller sees."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.factories import (
    AccountFactory,
    AccountLinkFactory,
    ImportBatchFactory,
    MappingProfileFactory,
    MembershipFactory,
    ServiceFactory,
    SupplierFactory,
    SupplierServiceCodeFactory,
    TenantFactory,
    UserFactory,
)
from warehouse.models import BatchStatus, Charge, ImportBatch, Role, UnmatchedLine

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/charges"
GOOD = b"""supplier_account,service_code,amount,quantity,tariff
W-1,101,123.45,,
W-2,101,10.50,3,3.5
"""
BATCH_KEYS = {
    "id",
    "encoding",
    "encoding_note",
    "tenant",
    "supplier",
    "period",
    "version",
    "status",
    "filename",
    "sha256",
    "rows_total",
    "rows_valid",
    "rows_rejected",
    "rows_unmatched",
    "amount_total",
    "message",
    "created_at",
    "posted_at",
    "report_url",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def member(tenant, role=Role.ACCOUNTANT):
    user = UserFactory()
    MembershipFactory(user=user, tenant=tenant, role=role)
    return user


@pytest.fixture
def world():
    tenant = TenantFactory(code="north")
    water = SupplierFactory(tenant=tenant, code="vodokanal")
    service = ServiceFactory(tenant=tenant, code="cold-water")
    SupplierServiceCodeFactory(tenant=tenant, supplier=water, service=service, external_code="101")
    AccountLinkFactory(account=AccountFactory(tenant=tenant), supplier=water, external_number="W-1")
    AccountLinkFactory(account=AccountFactory(tenant=tenant), supplier=water, external_number="W-2")
    return SimpleNamespace(tenant=tenant, water=water, accountant=member(tenant))


def post(client, content: bytes = GOOD, **fields):
    data = {
        "supplier": "vodokanal",
        "period": "2025-03",
        "file": SimpleUploadedFile("water.csv", content, content_type="text/csv"),
        **fields,
    }
    return client.post(URL, {k: v for k, v in data.items() if v is not None}, format="multipart")


def assert_error_shape(body):
    assert set(body) == {"error", "detail", "fields"}


# --- outcomes ---------------------------------------------------------------------------------


def test_posting_a_file_answers_201_with_the_batch(world):
    response = post(client_for(world.accountant), tenant="north")

    body = response.json()
    batch = ImportBatch.objects.get()
    assert response.status_code == 201
    assert set(body) == BATCH_KEYS
    assert body["id"] == batch.pk
    assert (body["tenant"], body["supplier"], body["period"]) == ("north", "vodokanal", "2025-03")
    assert (body["status"], body["version"]) == ("posted", 1)
    assert (body["rows_total"], body["rows_valid"], body["rows_rejected"]) == (2, 2, 0)
    assert body["amount_total"] == "133.95"
    assert body["filename"] == "water.csv" and len(body["sha256"]) == 64
    assert body["posted_at"] is not None and body["report_url"] is None
    assert Charge.objects.filter(batch=batch).count() == 2
    assert batch.created_by == world.accountant


def test_the_tenant_may_be_left_out_by_a_member_of_one_tenant(world):
    response = post(client_for(world.accountant))

    assert response.status_code == 201
    assert response.json()["tenant"] == "north"


def test_the_same_file_again_answers_200_with_the_posted_batch(world):
    client = client_for(world.accountant)
    first = post(client).json()

    again = post(client)

    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["status"] == "posted"
    assert ImportBatch.objects.count() == 1


def test_a_rejected_file_answers_422_with_the_per_line_report(world):
    bad = b"supplier_account,service_code,amount\nW-1,101,abc\nW-9,101,1.00\n"

    response = post(client_for(world.accountant), bad)

    body = response.json()
    assert response.status_code == 422
    assert_error_shape(body)
    assert body["error"] == "file_rejected"
    assert body["detail"].startswith("Rejected, nothing posted.")
    report = body["fields"]["report"]
    assert {(r["line"], r["column"]) for r in report} == {
        (2, "amount"),
        (3, "supplier_account"),
    }
    assert all(set(r) == {"line", "column", "value", "reason"} for r in report)
    batch = ImportBatch.objects.get(pk=body["fields"]["batch"])
    assert batch.status == BatchStatus.REJECTED
    # W-9 is unknown, but the file has another problem: rejected whole, the queue unchanged
    assert not UnmatchedLine.objects.exists()
    assert not Charge.objects.exists()


def test_a_rejected_batch_links_its_report_as_xlsx(world):
    client = client_for(world.accountant)
    batch_id = post(client, b"supplier_account,service_code,amount\nW-1,101,abc\n").json()[
        "fields"
    ]["batch"]

    body = client.get(f"/api/v1/imports/{batch_id}").json()
    download = client.get(body["report_url"])

    assert body["status"] == "rejected" and body["rows_rejected"] == 1
    assert body["report_url"].endswith(f"/api/v1/imports/{batch_id}/report.xlsx")
    assert download.status_code == 200
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows == [("line", "column", "value", "reason"), (2, "amount", "abc", rows[1][3])]


def test_the_profile_is_used_when_named(world):
    MappingProfileFactory(
        tenant=world.tenant,
        supplier=world.water,
        name="semicolons",
        columns={"supplier_account": "ls", "service_code": "code", "amount": "sum"},
    )
    content = b"ls;code;sum\nW-1;101;12,50\n"

    response = post(client_for(world.accountant), content, profile="semicolons")

    assert response.status_code == 201, response.json()
    assert response.json()["amount_total"] == "12.50"


# --- bad input --------------------------------------------------------------------------------


def test_missing_fields_answer_400_with_the_error_shape(world):
    response = client_for(world.accountant).post(URL, {}, format="multipart")

    body = response.json()
    assert response.status_code == 400
    assert_error_shape(body)
    assert body["error"] == "validation_error"
    assert {"file", "supplier", "period"} <= set(body["fields"])


@pytest.mark.parametrize("period", ["2025-13", "2025-3", "March", "2025-03-01"])
def test_a_bad_period_answers_400(world, period):
    response = post(client_for(world.accountant), period=period)

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"period"}
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"supplier": "nobody"}, "supplier"),
        ({"profile": "no-such-profile"}, "profile"),
        ({"tenant": "nowhere"}, "tenant"),
    ],
)
def test_unknown_codes_answer_404_naming_the_field(world, fields, field):
    response = post(client_for(world.accountant), **fields)

    body = response.json()
    assert response.status_code == 404
    assert_error_shape(body)
    assert body["error"] == "not_found"
    assert set(body["fields"]) == {field}
    assert not ImportBatch.objects.exists()


def test_a_profile_of_another_supplier_is_not_found(world):
    other = SupplierFactory(tenant=world.tenant, code="teplo")
    MappingProfileFactory(tenant=world.tenant, supplier=other, name="teplo-export")

    response = post(client_for(world.accountant), profile="teplo-export")

    assert response.status_code == 404
    assert set(response.json()["fields"]) == {"profile"}


def test_another_tenants_supplier_is_not_found(world):
    SupplierFactory(tenant=TenantFactory(code="south"), code="south-water")

    response = post(client_for(world.accountant), supplier="south-water")

    assert response.status_code == 404
    assert "south-water" in response.json()["detail"]


def test_a_member_of_two_tenants_must_name_one(world):
    MembershipFactory(user=world.accountant, tenant=TenantFactory(), role=Role.ACCOUNTANT)

    response = post(client_for(world.accountant))

    body = response.json()
    assert response.status_code == 400
    assert_error_shape(body)
    assert body["error"] == "tenant_required"
    assert set(body["fields"]) == {"tenant"}


def test_a_file_that_is_not_tabular_is_rejected_not_a_500(world):
    response = post(client_for(world.accountant), b"\x00\x01\x02 binary")

    assert response.status_code == 422
    assert response.json()["error"] == "file_rejected"


# --- who may import, who sees what ------------------------------------------------------------


def test_collector_may_read_but_not_import(world):
    batch = ImportBatchFactory(supplier=world.water)
    client = client_for(member(world.tenant, Role.COLLECTOR))

    refused = post(client)

    assert refused.status_code == 403
    assert_error_shape(refused.json())
    assert client.get(f"/api/v1/imports/{batch.pk}").status_code == 200
    assert ImportBatch.objects.count() == 1


def test_operator_admin_may_import(world):
    response = post(client_for(member(world.tenant, Role.OPERATOR_ADMIN)))

    assert response.status_code == 201


def test_supplier_user_sees_own_suppliers_batches_only_and_cannot_import(world):
    other = SupplierFactory(tenant=world.tenant, code="teplo")
    mine = ImportBatchFactory(supplier=world.water)
    theirs = ImportBatchFactory(supplier=other)
    client = client_for(MembershipFactory(supplier=world.water).user)

    assert client.get(f"/api/v1/imports/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/imports/{theirs.pk}").status_code == 404
    assert post(client).status_code == 403


def test_another_tenants_batch_is_not_found(world):
    foreign = ImportBatchFactory(supplier=SupplierFactory(code="secret-supplier"))
    client = client_for(world.accountant)

    response = client.get(f"/api/v1/imports/{foreign.pk}")
    report = client.get(f"/api/v1/imports/{foreign.pk}/report.xlsx")

    assert response.status_code == 404
    assert_error_shape(response.json())
    assert "secret-supplier" not in response.content.decode()
    assert report.status_code == 404


def test_posting_into_another_tenant_is_not_found(world):
    TenantFactory(code="south")

    response = post(client_for(world.accountant), tenant="south")

    assert response.status_code == 404
    assert set(response.json()["fields"]) == {"tenant"}


def test_batch_detail_shows_status_and_counts(world):
    batch = ImportBatchFactory(
        supplier=world.water,
        period="2025-02",
        status=BatchStatus.POSTED,
        version=2,
        amount_total=-1050,
        report=[],
        rows_rejected=0,
    )

    body = client_for(world.accountant).get(f"/api/v1/imports/{batch.pk}").json()

    assert set(body) == BATCH_KEYS
    assert (body["status"], body["version"], body["period"]) == ("posted", 2, "2025-02")
    assert body["amount_total"] == "-10.50"
    assert body["report_url"] is None


def test_anonymous_callers_are_refused():
    assert APIClient().get("/api/v1/imports/1").status_code in (401, 403)
    assert APIClient().post(URL, {}, format="multipart").status_code in (401, 403)


def test_schema_documents_the_import_endpoints():
    content = APIClient().get("/api/schema/").content

    assert b"/api/v1/imports/charges" in content
    assert b"/api/v1/imports/{id}" in content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("water.csv", b"\x00\x01\x02\x03binary"),
        ("water.xlsx", b"PK\x03\x04 not really a workbook"),
        ("water.csv", "supplier_account;service_code;amount\n".encode("utf-16")),
        ("water.csv", b"supplier_account,service_code,amount\nW-1,101,99999999999999999999.00\n"),
    ],
    ids=["binary", "broken xlsx", "utf-16 header only", "huge amount"],
)
def test_a_file_that_cannot_be_read_answers_422_with_the_reason_never_500(world, name, content):
    client = client_for(world.accountant)
    data = {
        "supplier": "vodokanal",
        "period": "2025-03",
        "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
    }

    response = client.post(URL, data, format="multipart")

    body = response.json()
    assert response.status_code == 422, body
    assert body["error"] == "file_rejected"
    assert body["fields"]["report"] and all(r["reason"] for r in body["fields"]["report"])
    assert not Charge.objects.exists()
