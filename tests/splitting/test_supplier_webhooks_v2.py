"""Webhook contract v2: every event has its own `id` and a rising `sequence`; two applications of
one payment's advance are two events; the receiver printed in docs/supplier-webhooks.md — run
here as written — books each exactly once through retries and resends. Every supplier has its own
secret; a rotation signs with both for its overlap; SECRET_KEY signs nothing."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from integrations.webhooks import SIGNATURE_HEADER, webhook_verify
from splitting.core.outbox import secret_rotate, supplier_event_deliver, supplier_event_resend
from splitting.models import SupplierEvent
from tests.factories import SupplierFactory
from tests.splitting.helpers import charges, pay
from tests.splitting.test_supplier_webhooks import Receiver

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "supplier-webhooks.md"


@pytest.fixture(autouse=True)
def _frozen(clock):
    """Payments of 2026-11 on 20.11.2026: the rotation's overlap and the stale call are timed
    from the shared frozen clock, not from today."""


def _doc_receiver() -> dict:
    """The receiver code of the documentation, executed as it is printed there."""
    code = re.search(r"```python receiver\n(.*?)```", DOC.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 — our own documentation
    return namespace


def _point_at(supplier, url):
    supplier.webhook_url = url
    supplier.save(update_fields=["webhook_url"])


def _deliver_all():
    for event in SupplierEvent.objects.order_by("pk"):
        supplier_event_deliver(event_id=event.pk)


def test_two_applications_of_one_advance_are_two_events_the_doc_receiver_books_once_each(world):
    secret = world.supplier.webhook_secret
    receiver_code = _doc_receiver()
    seen, booked = set(), []

    with Receiver([]) as receiver:
        _point_at(world.supplier, receiver.url)
        charges(world, "2026-11", water={"VK-0001": "100.00"})
        payment = pay(world, "VK-0001", 40_000)  # 300.00 of it is an advance
        charges(world, "2026-12", water={"VK-0001": "100.00"})  # the advance pays it
        charges(world, "2027-01", water={"VK-0001": "100.00"})  # and this
        _deliver_all()
        for event in SupplierEvent.objects.all():  # staff resend everything
            supplier_event_resend(event=event, actor=None)
        _deliver_all()

    applied = list(SupplierEvent.objects.filter(event="advance.applied").order_by("pk"))
    assert [e.payment_id for e in applied] == [payment.pk, payment.pk]
    assert applied[0].public_id != applied[1].public_id
    answers = [
        receiver_code["handle"](secret, headers, body, seen, booked.append)
        for headers, body in receiver.calls
    ]
    assert answers == [200] * len(receiver.calls)
    assert len(receiver.calls) == 2 * SupplierEvent.objects.count(), "each delivered twice"
    assert sorted(e["id"] for e in booked) == sorted(
        str(e.public_id) for e in SupplierEvent.objects.all()
    )
    kinds = [e["event"] for e in sorted(booked, key=lambda e: e["sequence"])]
    assert kinds == ["payment.booked", "advance.applied", "advance.applied"]
    periods = [e["periods"][0]["period"] for e in booked if e["event"] == "advance.applied"]
    assert sorted(periods) == ["2026-12", "2027-01"]
    assert len({e["transaction"] for e in booked}) == 3


def test_the_doc_receiver_refuses_a_forged_or_stale_call(world):
    receiver_code = _doc_receiver()
    secret = world.supplier.webhook_secret
    charges(world, "2026-11", water={"VK-0001": "100.00"})
    with Receiver([]) as receiver:
        _point_at(world.supplier, receiver.url)
        pay(world, "VK-0001", 10_000)
        _deliver_all()
    headers, body = receiver.calls[0]
    seen: set = set()

    forged = body.replace(b'"100.00"', b'"900.00"')
    assert receiver_code["handle"](secret, headers, forged, seen, lambda e: None) == 400
    assert receiver_code["handle"]("whsec_other", headers, body, seen, lambda e: None) == 400
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert receiver_code["handle"](secret, headers, body, seen, lambda e: None) == 400
    assert seen == set()


def test_every_supplier_has_its_own_secret_and_secret_key_signs_nothing(world):
    fresh = SupplierFactory(tenant=world.tenant)
    charges(world, "2026-11", water={"VK-0001": "100.00"})
    with Receiver([]) as receiver:
        _point_at(world.supplier, receiver.url)
        pay(world, "VK-0001", 10_000)
        _deliver_all()
    headers, body = receiver.calls[0]

    assert fresh.webhook_secret.startswith("whsec_") and len(fresh.webhook_secret) > 40
    assert fresh.webhook_secret != world.supplier.webhook_secret
    assert webhook_verify(world.supplier.webhook_secret, headers[SIGNATURE_HEADER], body)
    assert not webhook_verify(settings.SECRET_KEY, headers[SIGNATURE_HEADER], body)
    sent = json.loads(body)
    assert sent["id"] == str(SupplierEvent.objects.get().public_id)


def test_a_rotated_secret_signs_beside_the_old_one_for_the_overlap_only(world):
    old = world.supplier.webhook_secret
    charges(world, "2026-11", water={"VK-0001": "300.00"})
    with Receiver([]) as receiver:
        _point_at(world.supplier, receiver.url)
        new = secret_rotate(supplier=world.supplier, actor=None)
        pay(world, "VK-0001", 10_000)
        _deliver_all()
        later = timezone.now() + timedelta(hours=25)
        with time_machine.travel(later, tick=False):
            pay(world, "VK-0001", 10_000)
            _deliver_all()

    (during_headers, during_body), (after_headers, after_body) = receiver.calls
    assert new != old
    assert during_headers[SIGNATURE_HEADER].count("v1=") == 2
    assert webhook_verify(old, during_headers[SIGNATURE_HEADER], during_body)
    assert webhook_verify(new, during_headers[SIGNATURE_HEADER], during_body)
    at = later.timestamp()
    assert after_headers[SIGNATURE_HEADER].count("v1=") == 1
    assert webhook_verify(new, after_headers[SIGNATURE_HEADER], after_body, now=at)
    assert not webhook_verify(old, after_headers[SIGNATURE_HEADER], after_body, now=at)
