"""The suppliers' reporting flows, through real servers on loopback: vodokanal's contract sends a
weekly XLSX by SFTP, teplo's a daily 1C registry by e-mail, empty days included. Each receives
exactly the files its contract says; a failed delivery is retried with backoff and shows in the
log; a webhook delivery carries a download link signed with the supplier's secret."""

import email
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from integrations.settlement.one_c_registry import read_registry_1c
from integrations.webhooks import SIGNATURE_HEADER, webhook_verify
from splitting.models import FlowDelivery, FlowDeliveryStatus, FlowFile, Registry
from splitting.settlement.flows import flow_delivery_attempt, flows_build_due
from tests.factories import MembershipFactory, UserFactory
from tests.splitting.helpers import charges, pay
from tests.splitting.test_supplier_webhooks import Receiver
from warehouse.models import Role, SupplierFlow

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def _at(day: int, hour: int = 12, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=MOSCOW)


def _deliver_pending() -> list[FlowDelivery]:
    return [
        flow_delivery_attempt(delivery_id=pk)
        for pk in FlowDelivery.objects.filter(status=FlowDeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]


def _night(day: int) -> None:
    """The hourly job at 01:00 of `day`: the files of the stretches that ended, then sending."""
    with time_machine.travel(_at(day, 1), tick=False):
        flows_build_due()
        _deliver_pending()


@pytest.fixture
def contracts(world, sftp_server, smtp_settings):
    (sftp_server.root / "in").mkdir()
    water = SupplierFlow.objects.create(
        supplier=world.supplier,
        format="xlsx",
        interval="weekly",
        delivery="sftp",
        sftp_host=sftp_server.host,
        sftp_port=sftp_server.port,
        sftp_user=sftp_server.user,
        sftp_password=sftp_server.password,
        sftp_directory="/in",
        sftp_host_key=sftp_server.host_key,
    )
    heat = SupplierFlow.objects.create(
        supplier=world.other,
        format="1c",
        interval="daily",
        delivery="email",
        email_to="buh@teplo.example",
        send_empty=True,
    )
    world.supplier.flows.exclude(pk=water.pk).update(active=False)
    world.other.flows.exclude(pk=heat.pk).update(active=False)
    with time_machine.travel(_at(1, 9), tick=False):
        charges(
            world,
            "2026-11",
            water={"VK-0001": "900.00", "VK-0002": "900.00"},
            heat={"VK-0001": "500.00", "VK-0002": "500.00"},
        )
    return world


def _mails(smtp_server):
    _, recorder = smtp_server
    found = []
    for envelope in recorder.envelopes:
        message = email.message_from_bytes(envelope.content)
        for part in message.walk():
            if part.get_filename():
                found.append((part.get_filename(), part.get_payload(decode=True)))
    return found


def test_a_weekly_xlsx_by_sftp_and_a_daily_1c_by_email_arrive_as_the_contracts_say(
    contracts,
    sftp_server,
    smtp_server,
):
    world = contracts
    with time_machine.travel(_at(1, 12), tick=False):  # Tuesday
        pay(world, "VK-0001", 140_000)
    with time_machine.travel(_at(3, 12), tick=False):  # Thursday
        pay(world, "VK-0002", 140_000)

    for day in (2, 3, 4, 5, 6, 7):
        _night(day)

    mails = _mails(smtp_server)
    names = [name for name, _ in mails]
    assert names == [f"REG-{world.tenant.pk}-teplo-202612{d:02d}.txt" for d in range(1, 7)]
    by_day = {name[-6:-4]: read_registry_1c(content) for name, content in mails}
    assert [len(f.registry.lines) for f in by_day.values()] == [1, 0, 1, 0, 0, 0]
    heat = Registry.objects.filter(supplier=world.other).order_by("day")
    assert [r.day.day for r in heat] == [1, 3]
    assert by_day["01"].registry.gross == heat[0].gross

    uploaded = sorted(p.name for p in (sftp_server.root / "in").iterdir())
    assert uploaded == [f"REG-{world.tenant.pk}-vodokanal-20261130-20261206.xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO((sftp_server.root / "in" / uploaded[0]).read_bytes()))
    cells = [c.value for row in sheet.active.iter_rows() for c in row]
    assert {"00000001", "00000002"} <= set(cells)
    week = FlowFile.objects.get(flow__supplier=world.supplier, last_day=_at(6).date())
    assert week.net == sum(r.net for r in Registry.objects.filter(supplier=world.supplier))
    skipped = FlowFile.objects.get(flow__supplier=world.supplier, last_day=_at(29, month=11).date())
    assert skipped.delivery.status == FlowDeliveryStatus.SKIPPED and not skipped.filename

    _night(8)  # nothing new for the week; Monday's day for teplo
    assert len(_mails(smtp_server)) == 7
    assert len(list((sftp_server.root / "in").iterdir())) == 1


def test_a_failed_delivery_is_retried_with_backoff_and_shows_in_the_log(
    contracts,
    sftp_server,
    client,
):
    world = contracts
    SupplierFlow.objects.filter(supplier=world.supplier).update(sftp_password="wrong")
    with time_machine.travel(_at(1, 12), tick=False):
        pay(world, "VK-0001", 140_000)
    _night(7)

    delivery = FlowDelivery.objects.get(file__flow__supplier=world.supplier, file__lines__gt=0)
    assert (delivery.status, delivery.attempts) == (FlowDeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at > _at(7, 1) + timedelta(seconds=20)
    assert "login" in delivery.last_error.lower() or "auth" in delivery.last_error.lower()
    assert not list((sftp_server.root / "in").iterdir())

    staff = UserFactory()
    MembershipFactory(user=staff, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(staff)
    log = client.get(reverse("flow-log"))
    assert log.status_code == 200 and escape(delivery.last_error).encode() in log.content

    SupplierFlow.objects.filter(supplier=world.supplier).update(sftp_password=sftp_server.password)
    with time_machine.travel(_at(7, 1) + timedelta(seconds=10), tick=False):
        assert flow_delivery_attempt(delivery_id=delivery.pk) is None, "not due yet"
    with time_machine.travel(_at(7, 2), tick=False):
        flow_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (FlowDeliveryStatus.DELIVERED, 2)
    assert [t.ok for t in delivery.tries.order_by("at")] == [False, True]
    assert len(list((sftp_server.root / "in").iterdir())) == 1

    resend = client.post(reverse("flow-delivery-resend", args=[delivery.pk]))
    assert resend.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == FlowDeliveryStatus.PENDING


def test_a_webhook_delivery_carries_a_download_link_signed_with_the_suppliers_secret(
    contracts, client
):
    world = contracts
    SupplierFlow.objects.filter(supplier=world.other).update(
        delivery="webhook", format="csv", send_empty=False
    )
    with time_machine.travel(_at(1, 12), tick=False):
        pay(world, "VK-0001", 140_000)
    with Receiver([200]) as receiver:
        world.other.webhook_url = receiver.url
        world.other.save(update_fields=["webhook_url"])
        _night(2)

    headers, body = receiver.calls[0]
    at = _at(2, 1).timestamp()
    assert webhook_verify(world.other.webhook_secret, headers[SIGNATURE_HEADER], body, now=at)
    sent = json.loads(body)
    url = sent["file"]["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    fetched = client.get("/" + path)
    assert fetched.status_code == 200
    assert FlowFile.objects.get(filename=sent["file"]["filename"]).sha256 == sent["file"]["sha256"]
    forged = client.get("/" + path.rstrip("/")[:-4] + "0000/")
    assert forged.status_code == 404
