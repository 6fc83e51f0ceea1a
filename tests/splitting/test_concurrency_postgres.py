"""Concurrency and the database's own ledger invariants, on PostgreSQL with real threads and
real transactions (hordak's `test_concurrently.py` is the model)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from splitting.core.ledger import ledger_accounts
from splitting.models import Allocation, Payment, Transaction
from tests.factories import MembershipFactory, UserFactory
from tests.splitting.helpers import assert_ledger_clean, charges
from warehouse.models import OpenItem

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAYMENTS = 50
SENDS = 3


def test_concurrent_payments_to_one_account_each_sent_three_times_post_exactly_once(
    postgres, world
):
    charges(world, "2026-10", water={"VK-0001": "300.00"}, heat={"VK-0001": "200.00"})
    charges(world, "2026-11", water={"VK-0001": "250.00"}, heat={"VK-0001": "250.00"})
    user = UserFactory(username="gateway")
    MembershipFactory(user=user, tenant=world.tenant, role="accountant")
    token = Token.objects.create(user=user).key
    amounts = [1_000 + 37 * i for i in range(PAYMENTS)]  # 10.00 … 28.13, 1,453.25 in all
    sends = [i for i in range(PAYMENTS) for _ in range(SENDS)]

    def send(i: int) -> tuple[int, int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            response = client.post(
                "/api/v1/payments",
                {
                    "account_number": "00000001",
                    "amount": f"{amounts[i] // 100}.{amounts[i] % 100:02d}",
                    "channel": "terminal",
                    "external_id": f"txn-{i}",
                },
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"key-{i}",
            )
            return response.status_code, response.json()["id"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(send, sends))

    assert {status for status, _ in results} <= {200, 201}
    by_send: dict[int, set[int]] = {}
    for i, (_, payment_id) in zip(sends, results, strict=True):
        by_send.setdefault(i, set()).add(payment_id)
    assert all(len(ids) == 1 for ids in by_send.values()), "every replay names one payment"
    assert Payment.objects.count() == PAYMENTS
    paid = sum(amounts)
    open_now = sum(OpenItem.objects.values_list("open_amount", flat=True))
    assert open_now == 100_000 - paid
    assert sum(Allocation.objects.values_list("amount", flat=True)) == paid
    assert Transaction.objects.filter(kind="payment").count() == PAYMENTS
    assert_ledger_clean()


def test_the_database_refuses_a_transaction_that_does_not_sum_to_zero(postgres, world):
    codes = ledger_accounts(world.tenant.pk, ["bank", "suspense"])

    with pytest.raises(DatabaseError, match="does not sum to zero"), transaction.atomic():
        txn = Transaction.objects.create(
            tenant=world.tenant, kind="refund", posted_at=timezone.now()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO splitting_entry (transaction_id, ledger_account_id, period, amount)"
                " VALUES (%s, %s, '', 100), (%s, %s, '', -99)",
                [txn.pk, codes["bank"], txn.pk, codes["suspense"]],
            )

    assert Transaction.objects.count() == 0


def test_the_database_accepts_a_balanced_transaction_written_by_hand(postgres, world):
    codes = ledger_accounts(world.tenant.pk, ["bank", "suspense"])

    with transaction.atomic():
        txn = Transaction.objects.create(
            tenant=world.tenant, kind="refund", posted_at=timezone.now()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO splitting_entry (transaction_id, ledger_account_id, period, amount)"
                " VALUES (%s, %s, '', 100), (%s, %s, '', -100)",
                [txn.pk, codes["bank"], txn.pk, codes["suspense"]],
            )

    assert Transaction.objects.count() == 1
