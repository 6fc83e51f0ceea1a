"""The payments API as a system calls it: token authentication, `Idempotency-Key`, the bodies
of interfaces.md, errors as `{"error", "detail", "fields"}`."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from splitting.models import IdempotencyKey, Payment
from tests.factories import MembershipFactory, UserFactory
from tests.splitting.helpers import assert_ledger_clean, charges

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def client(world):
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    user = UserFactory(username="bank-gateway")
    MembershipFactory(user=user, tenant=world.tenant, role="accountant")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def _body(**changes):
    body = {
        "account_number": "00000001",
        "amount": "150.00",
        "channel": "bank",
        "external_id": "stmt-1/4",
    }
    return body | changes


def _post(client, body, key="key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/payments", body, format="json", **headers)


def test_a_payment_is_posted_and_answered_with_its_allocation(client):
    response = _post(client, _body())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "150.00"
    assert body["status"] == "booked"
    assert body["allocations"] == [
        {"supplier": "teplo", "period": "2026-11", "amount": "45.00", "commission": "10.00"},
        {"supplier": "vodokanal", "period": "2026-11", "amount": "105.00", "commission": "1.26"},
    ]
    assert body["commission"] == "11.26"
    assert_ledger_clean()


def test_a_replay_with_the_same_key_returns_the_same_body_and_posts_nothing(client):
    first = _post(client, _body())

    again = _post(client, _body())

    assert again.status_code == 201
    assert again.json() == first.json()
    assert Payment.objects.count() == 1


def test_the_key_names_the_payment_and_a_replay_is_rendered_from_it(client):
    """The payment service keeps the payment's id under the key (no rendered body); a replay
    after a reversal shows the payment as it stands now, with the first status code."""
    first = _post(client, _body())
    kept = IdempotencyKey.objects.get(key="key-1")
    assert kept.payment_id == first.json()["id"] and kept.response is None

    reversed_ = client.post(f"/api/v1/payments/{kept.payment_id}/reverse", {}, format="json")
    again = _post(client, _body())

    assert reversed_.status_code == 200
    assert again.status_code == 201
    assert again.json() == first.json() | {
        "status": "reversed",
        "reversed_at": again.json()["reversed_at"],
    }
    assert again.json()["reversed_at"] is not None
    assert Payment.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(client):
    _post(client, _body())

    response = _post(client, _body(amount="10.00"))

    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_the_same_external_id_under_a_new_key_returns_the_booked_payment(client):
    first = _post(client, _body(), key="a")

    again = _post(client, _body(), key="b")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Payment.objects.count() == 1


def test_a_payment_without_an_idempotency_key_is_refused(client):
    response = _post(client, _body(), key=None)

    assert response.status_code == 400
    assert response.json()["error"] == "idempotency_key_required"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"amount": "150.5"}, 400, "amount"),
        ({"amount": "0.00"}, 400, "amount"),
        ({"channel": "pigeon"}, 400, "channel"),
        ({"account_number": "99999999"}, 404, "account_number"),
        ({"split": [{"supplier": "teplo", "amount": "100.00"}], "amount": "100.00"}, 422, "split"),
    ],
)
def test_bad_payloads_get_a_reason_and_change_nothing(client, changes, status, field):
    response = _post(client, _body(**changes))

    assert response.status_code == status, response.json()
    assert field in response.json()["fields"], response.json()
    assert Payment.objects.count() == 0


def test_a_split_chosen_by_the_payer_is_applied(client):
    response = _post(
        client, _body(amount="50.00", split=[{"supplier": "teplo", "amount": "50.00"}])
    )

    assert response.status_code == 201, response.json()
    assert [a["supplier"] for a in response.json()["allocations"]] == ["teplo"]


def test_get_and_reverse_a_payment(client):
    created = _post(client, _body()).json()

    shown = client.get(f"/api/v1/payments/{created['id']}")
    reversed_ = client.post(f"/api/v1/payments/{created['id']}/reverse", {"reason": "returned"})
    twice = client.post(f"/api/v1/payments/{created['id']}/reverse", {})

    assert shown.status_code == 200 and shown.json()["external_id"] == "stmt-1/4"
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    assert twice.status_code == 409
    balance = client.get("/api/v1/accounts/00000001/balance").json()
    assert balance["total_due"] == "200.00"
    assert_ledger_clean()


def test_account_balance_shows_what_is_due_per_supplier(client):
    _post(client, _body(amount="250.00"))

    balance = client.get("/api/v1/accounts/00000001/balance")

    assert balance.status_code == 200
    assert balance.json()["total_due"] == "0.00"
    assert balance.json()["advance"] == "50.00"


def test_supplier_balance_shows_collected_commission_and_payable(client):
    _post(client, _body())

    balance = client.get("/api/v1/suppliers/vodokanal/balance")

    assert balance.status_code == 200
    assert balance.json() | {"tenant": None} == {
        "supplier": "vodokanal",
        "tenant": None,
        "currency": "RUB",
        "collected": "105.00",
        "commission": "1.26",
        "paid_out": "0.00",
        "payable": "103.74",
        "owes_back": "0.00",
    }


def test_a_collector_may_not_post_payments(world, client):
    collector = UserFactory(username="collector-1")
    MembershipFactory(user=collector, tenant=world.tenant, role="collector")
    other = APIClient()
    other.force_authenticate(collector)

    response = _post(other, _body())

    assert response.status_code == 403
    assert Payment.objects.count() == 0


def test_the_schema_documents_the_payment_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for route in ("/api/v1/payments", "/api/v1/payments/{id}/reverse"):
        assert route in schema["paths"]
    assert "/api/v1/accounts/{account_number}/balance" in schema["paths"]
    assert "/api/v1/suppliers/{code}/balance" in schema["paths"]
