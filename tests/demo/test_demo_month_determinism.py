"""The same seed, arguments and day give the same demo: seeded again with --reset at the same
instant, the documents, payments, statement credits and events are the same."""

import datetime as dt

import pytest
import time_machine
from django.test.utils import override_settings

from invoicing.models import PaymentDocument
from splitting.models import BankCredit, Checkout, Payment, SupplierEvent
from tests.demo.conftest import SANDBOX, seed

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # the shared clock's day, 12:00 in Moscow


def picture() -> dict:
    return {
        "documents": list(
            PaymentDocument.objects.order_by("tenant__code", "number").values_list(
                "number", "issued_at", "due_date", "amount_due", "status"
            )
        ),
        "payments": list(
            Payment.objects.order_by("tenant__code", "booked_at", "external_id").values_list(
                "account__account_number", "channel", "amount", "booked_at", "external_id"
            )
        ),
        "credits": list(
            BankCredit.objects.order_by("tenant__code", "dedupe_key").values_list(
                "dedupe_key", "amount", "booked_on", "status"
            )
        ),
        "events": list(
            SupplierEvent.objects.order_by("created_at").values_list(
                "supplier__code", "status", "attempts", "created_at"
            )
        ),
        "checkouts": list(
            Checkout.objects.order_by("created_at").values_list(
                "account__account_number", "amount", "status", "created_at"
            )
        ),
    }


def test_the_demo_is_the_same_for_the_same_seed_and_day(tmp_path):
    with time_machine.travel(NOW, tick=False), override_settings(**SANDBOX):
        first_output = seed(tmp_path / "first")
        first = picture()
        second_output = seed(tmp_path / "second", "--reset")
        second = picture()

    assert first["documents"] and first["payments"] and first["credits"] and first["checkouts"]
    assert first == second
    assert first_output.split("Sign-ins")[1] == second_output.split("Sign-ins")[1]
