"""The terminal processors' check/pay endpoint, called as a processor calls it: the processor's
own client over loopback against a live server, HTTP Basic, the OSMP result codes."""

from datetime import datetime

import pytest
from django.test import Client

from integrations.terminals import OSMP, SBER_ONLINE, Outcome, TerminalClient, TransportError
from splitting.models import Payment, TerminalProcessor
from tests.splitting.helpers import assert_ledger_clean, charges

pytest_plugins = ["tests.warehouse.charges_fixtures"]

URL = "/api/v1/terminals/qiwi/"
WHEN = datetime(2026, 11, 21, 14, 30, 5)


@pytest.fixture
def processor(world):
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    found = TerminalProcessor(
        tenant=world.tenant, code="qiwi", name="QIWI", code_table="osmp", username="qiwi"
    )
    found.set_password("s3cret")
    found.save()
    return found


def _get(client, **params):
    return client.get(URL, params, HTTP_AUTHORIZATION="Basic cWl3aTpzM2NyZXQ=")  # qiwi:s3cret


def _result(response) -> int:
    text = response.content.decode()
    return int(text.split("<result>")[1].split("</result>")[0])


# A live server needs a transactional database; its teardown empties the ledger, which only
# PostgreSQL's TRUNCATE may do (SQLite's DELETE meets the entries' no-delete trigger).
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_check_then_pay_over_loopback_posts_one_split_payment(postgres, processor, live_server):
    client = TerminalClient(f"{live_server.url}{URL}", "qiwi", "s3cret")

    checked = client.check("1001", "00000001", 20_000)
    paid = client.pay("1001", "00000001", 20_000, WHEN)
    again = client.pay("1001", "00000001", 20_000, WHEN)

    assert checked.result == OSMP.code(Outcome.OK)
    assert checked.fields["DEBT"] == "200.00"
    assert checked.fields["FIO"].startswith("П") and "*" in checked.fields["FIO"]
    assert paid.result == 0 and paid.prv_txn
    assert again.result == 0 and again.prv_txn == paid.prv_txn
    payment = Payment.objects.get()
    assert payment.channel == "terminal" and payment.external_id == "qiwi:1001"
    assert payment.amount == 20_000
    assert_ledger_clean()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_wrong_credentials_are_refused_before_anything(postgres, processor, live_server):
    client = TerminalClient(f"{live_server.url}{URL}", "qiwi", "wrong")

    with pytest.raises(TransportError) as refused:
        client.pay("1002", "00000001", 1_000, WHEN)

    assert refused.value.status == 401
    assert Payment.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "outcome"),
    [
        ({"command": "check", "txn_id": "1", "account": "99999999", "sum": "10.00"}, "5"),
        ({"command": "check", "txn_id": "1", "account": "ab-12", "sum": "10.00"}, "4"),
        ({"command": "check", "txn_id": "1", "account": "00000001", "sum": "0.50"}, "241"),
        ({"command": "check", "txn_id": "1", "account": "00000001", "sum": "200000.00"}, "242"),
        ({"command": "pay", "txn_id": "1", "account": "00000001", "sum": "10,00"}, "300"),
        ({"command": "refund", "txn_id": "1", "account": "00000001", "sum": "10.00"}, "300"),
    ],
)
def test_each_refusal_gets_its_result_code(processor, params, outcome):
    response = _get(Client(), **params)

    assert response.status_code == 200
    assert _result(response) == int(outcome)
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_an_inactive_account_is_79(processor, world):
    world.accounts["VK-0001"].is_active = False
    world.accounts["VK-0001"].save(update_fields=["is_active"])

    response = _get(Client(), command="check", txn_id="5", account="00000001", sum="10.00")

    assert _result(response) == 79


@pytest.mark.django_db
def test_a_txn_id_reused_for_another_amount_is_refused(processor):
    params = {"command": "pay", "txn_id": "7", "account": "00000001", "txn_date": "20261121143005"}
    first = _get(Client(), **params, sum="10.00")

    second = _get(Client(), **params, sum="11.00")

    assert _result(first) == 0
    assert _result(second) == 300
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_an_address_outside_the_allow_list_is_refused(processor):
    processor.allowed_ips = "10.1.2.3"
    processor.save(update_fields=["allowed_ips"])

    response = _get(Client(), command="check", txn_id="1", account="00000001", sum="10.00")

    assert response.status_code == 403


@pytest.mark.django_db
def test_a_processor_with_the_sber_table_answers_in_its_codes(processor):
    processor.code_table = "sber-online"
    processor.save(update_fields=["code_table"])

    response = _get(Client(), command="check", txn_id="1", account="99999999", sum="10.00")

    assert _result(response) == SBER_ONLINE.code(Outcome.ACCOUNT_NOT_FOUND) == 3


@pytest.mark.django_db
def test_staff_set_a_processors_password_in_the_admin_and_only_its_hash_is_kept(world):
    from tests.factories import MembershipFactory, UserFactory

    admin_user = UserFactory(username="ops", is_staff=True)
    MembershipFactory(user=admin_user, tenant=world.tenant, role="operator_admin")
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        "/admin/splitting/terminalprocessor/add/",
        {
            "tenant": world.tenant.pk,
            "code": "cyber",
            "name": "Cyber",
            "code_table": "osmp",
            "username": "cyber",
            "password": "p4ss",
            "allowed_ips": "",
            "min_amount": 100,
            "max_amount": 100000,
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = TerminalProcessor.objects.get(code="cyber")
    assert saved.check_password("p4ss") and "p4ss" not in saved.password_hash
