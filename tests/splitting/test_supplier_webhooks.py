"""Real-time notifications to suppliers: a real HTTP receiver on loopback checks the signature
and the body; a 500 makes the delivery retry later, with backoff, and the log shows both."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from integrations.webhooks import SIGNATURE_HEADER, webhook_verify
from splitting.core.outbox import supplier_event_deliver, supplier_event_resend
from splitting.core.reversals import payment_reverse
from splitting.models import DeliveryAttempt, OutboxStatus, SupplierEvent
from tests.splitting.helpers import charges, pay

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

SECRET = "whsec-vodokanal"


class Receiver:
    """A supplier's billing system: answers each call with the next status in `answers`."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.calls: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/unibill"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooked(world):
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    return world


def _point_at(world, url):
    world.supplier.webhook_url, world.supplier.webhook_secret = url, SECRET
    world.supplier.save(update_fields=["webhook_url", "webhook_secret"])


def test_a_payment_notifies_the_supplier_with_a_signed_body_after_commit(
    hooked, django_capture_on_commit_callbacks
):
    world = hooked
    with Receiver([200]) as receiver:
        _point_at(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            payment = pay(world, "VK-0001", 15_000, external_id="bank-1")

    assert len(receiver.calls) == 1
    headers, body = receiver.calls[0]
    assert webhook_verify(SECRET, headers[SIGNATURE_HEADER], body)
    assert not webhook_verify("another-secret", headers[SIGNATURE_HEADER], body)
    sent = json.loads(body)
    assert sent["event"] == "payment.booked"
    assert sent["payment"]["id"] == payment.pk
    assert sent["account_number"] == "00000001"
    assert (sent["amount"], sent["commission"], sent["net"]) == ("105.00", "1.26", "103.74")
    assert sent["periods"] == [{"period": "2026-11", "amount": "105.00"}]
    event = SupplierEvent.objects.get()
    assert event.status == OutboxStatus.DELIVERED and event.attempts == 1
    assert SupplierEvent.objects.filter(supplier=world.other).count() == 0, "teplo has no endpoint"


def test_a_failed_delivery_is_retried_with_backoff_and_logged(hooked):
    world = hooked
    with Receiver([500, 200]) as receiver:
        _point_at(world, receiver.url)
        pay(world, "VK-0001", 15_000)
        event = SupplierEvent.objects.get()

        supplier_event_deliver(event_id=event.pk)
        event.refresh_from_db()
        assert (event.status, event.attempts) == (OutboxStatus.PENDING, 1)
        assert event.next_attempt_at > timezone.now() + timedelta(seconds=20)
        assert supplier_event_deliver(event_id=event.pk) is None, "not due yet"

        SupplierEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
        supplier_event_deliver(event_id=event.pk)

    event.refresh_from_db()
    assert (event.status, event.attempts) == (OutboxStatus.DELIVERED, 2)
    assert [a.status_code for a in DeliveryAttempt.objects.order_by("at", "pk")] == [500, 200]
    first, second = receiver.calls
    assert first[1] == second[1], "a retry sends the same body"


def test_an_unreachable_endpoint_is_a_logged_failure_not_an_error(hooked):
    world = hooked
    _point_at(world, "http://127.0.0.1:9/closed")
    pay(world, "VK-0001", 15_000)
    event = SupplierEvent.objects.get()

    supplier_event_deliver(event_id=event.pk)

    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None and attempt.error
    event.refresh_from_db()
    assert event.status == OutboxStatus.PENDING


def test_staff_can_resend_a_delivered_event(hooked, django_capture_on_commit_callbacks):
    world = hooked
    with Receiver([200, 200]) as receiver:
        _point_at(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            pay(world, "VK-0001", 15_000)
        event = SupplierEvent.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            supplier_event_resend(event=event, actor=None)

    assert len(receiver.calls) == 2
    assert DeliveryAttempt.objects.filter(event=event).count() == 2


def test_a_reversal_notifies_the_supplier_with_negative_amounts(hooked):
    world = hooked
    _point_at(world, "http://127.0.0.1:9/closed")
    payment = pay(world, "VK-0001", 15_000)

    payment_reverse(payment=payment)

    reversal = SupplierEvent.objects.get(event="payment.reversed")
    assert reversal.body["amount"] == "-105.00"
