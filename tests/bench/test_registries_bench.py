"""Issue 17 "Settlement exact in every direction": building and delivering the day's registries
for 1,000 suppliers × 200 payments each (BENCH_SUPPLIERS, BENCH_PAYMENTS change the size), on
PostgreSQL, through a real SMTP server on loopback.

Set-up (not timed): a tenant with the suppliers, each with a daily CSV flow delivered by e-mail;
the day's payment shares inserted in bulk (payments, one allocation each), as payment_post
would have left them.

What is timed: `flows_build_due` the next night — the day's registry of every supplier (lines
attached, totals), every supplier's flow file (its registry's lines as CSV) and its delivery row
— then every delivery attempt, each an e-mail with the file attached through Django's SMTP
backend to aiosmtpd on loopback.

The yardstick, from the same run: the least any implementation must do — one SELECT of the day's
lines with their account numbers, the CSV of each supplier's lines written with the csv module,
and one smtplib message per supplier with that CSV attached, to the same server."""

import csv
import datetime as dt
import io
import os
import smtplib
import time
import zoneinfo
from email.message import EmailMessage

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from config.celery import app
from splitting.models import (
    Allocation,
    FlowDelivery,
    FlowDeliveryStatus,
    Payment,
    Registry,
    Transaction,
)
from splitting.settlement.flows import flow_delivery_attempt, flows_build_due
from tests.bench.world import free_port
from tests.factories import AccountFactory, SupplierFactory, TenantFactory
from warehouse.models import OpenItem, Supplier, SupplierFlow

SUPPLIERS = int(os.environ.get("BENCH_SUPPLIERS", "1000"))
PAYMENTS = int(os.environ.get("BENCH_PAYMENTS", "200"))
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
DAY = dt.date(2026, 12, 1)


class Counter:
    def __init__(self):
        self.messages = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


@pytest.fixture
def broker_without_worker():
    """The deliveries are published to the in-memory broker (timed separately, one attempt
    each, as a worker would make them) instead of running inside the build's commit."""
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, "memory://localhost/"
    yield
    app.conf.task_always_eager, app.conf.broker_url = saved


@pytest.fixture
def smtp(settings):
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield controller, counter
    controller.stop()


def _world():
    tenant = TenantFactory()
    account = AccountFactory(tenant=tenant)
    Supplier.objects.bulk_create(
        SupplierFactory.build(tenant=tenant, code=f"s{n:04d}", name=f"Поставщик {n}")
        for n in range(SUPPLIERS)
    )
    suppliers = list(Supplier.objects.filter(tenant=tenant).order_by("pk"))
    SupplierFlow.objects.filter(supplier__tenant=tenant).delete()
    SupplierFlow.objects.bulk_create(
        SupplierFlow(supplier=s, delivery="email", email_to=f"{s.code}@suppliers.example")
        for s in suppliers
    )
    noon = dt.datetime.combine(DAY, dt.time(12), tzinfo=MOSCOW)
    items = OpenItem.objects.bulk_create(
        OpenItem(
            tenant=tenant,
            account=account,
            supplier=s,
            period="2026-11",
            due_date=DAY,
            amount=10**9,
            open_amount=10**9,
        )
        for s in suppliers
    )
    txn = Transaction.objects.create(tenant=tenant, kind="payment", posted_at=noon)
    total = SUPPLIERS * PAYMENTS
    payments = Payment.objects.bulk_create(
        (
            Payment(
                tenant=tenant,
                account=account,
                amount=10_000 + n % 5_000,
                channel="bank",
                external_id=f"b-{n}",
                received_at=noon,
                booked_at=noon,
            )
            for n in range(total)
        ),
        batch_size=5_000,
    )
    Allocation.objects.bulk_create(
        (
            Allocation(
                tenant=tenant,
                payment=payment,
                transaction=txn,
                open_item=items[n % SUPPLIERS],
                supplier_id=items[n % SUPPLIERS].supplier_id,
                period="2026-11",
                kind="payment",
                amount=payment.amount,
                commission=payment.amount // 100,
                booked_at=noon,
            )
            for n, payment in enumerate(payments)
        ),
        batch_size=5_000,
    )
    return tenant


def _yardstick(tenant, port: int) -> float:
    """One SELECT, the CSVs with the csv module, one smtplib message each."""
    started = time.perf_counter()
    by_supplier: dict[int, io.StringIO] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.supplier_id, c.account_number, a.period, a.payment_id, a.booked_at,"
            " a.amount, a.commission FROM splitting_allocation a"
            " JOIN splitting_payment p ON p.id = a.payment_id"
            " JOIN warehouse_account c ON c.id = p.account_id"
            " WHERE a.tenant_id = %s ORDER BY a.supplier_id, a.booked_at, a.id",
            [tenant.pk],
        )
        for supplier_id, number, period, payment, at, amount, commission in cursor:
            out = by_supplier.get(supplier_id)
            if out is None:
                out = by_supplier[supplier_id] = io.StringIO()
            csv.writer(out, delimiter=";").writerow(
                [number, period, payment, at.isoformat(), amount, commission, amount - commission]
            )
    with smtplib.SMTP("127.0.0.1", port) as client:
        for supplier_id, out in by_supplier.items():
            message = EmailMessage()
            message["From"], message["To"] = "noreply@unibill.local", f"{supplier_id}@x.example"
            message["Subject"] = f"registry {supplier_id}"
            message.add_attachment(
                out.getvalue().encode(), maintype="text", subtype="csv", filename="r.csv"
            )
            client.send_message(message)
    return time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_the_days_registries_for_every_supplier_built_and_delivered(smtp, broker_without_worker):
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    controller, counter = smtp
    tenant = _world()

    night = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(1), tzinfo=MOSCOW)
    with time_machine.travel(night, tick=True):
        started = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            profile = cProfile.Profile()
            made = profile.runcall(flows_build_due, now=timezone.now())
            profile.dump_stats(os.environ["BENCH_PROFILE"])
        else:
            made = flows_build_due(now=timezone.now())
        built = time.perf_counter() - started
        for pk in FlowDelivery.objects.filter(status=FlowDeliveryStatus.PENDING).values_list(
            "pk", flat=True
        ):
            flow_delivery_attempt(delivery_id=pk)
        elapsed = time.perf_counter() - started

    assert Registry.objects.filter(tenant=tenant, day=DAY).count() == SUPPLIERS
    assert len(made) == SUPPLIERS
    assert FlowDelivery.objects.filter(status=FlowDeliveryStatus.DELIVERED).count() == SUPPLIERS
    assert counter.messages == SUPPLIERS
    lines = SUPPLIERS * PAYMENTS

    yardstick = _yardstick(tenant, controller.port)
    print(
        f"\nthe day's registries, {SUPPLIERS:,} suppliers × {PAYMENTS:,} payments "
        f"({lines:,} lines) on PostgreSQL: built with their files in {built:.1f} s, "
        f"delivered by e-mail in {elapsed - built:.1f} s, {elapsed:.1f} s in all "
        f"({lines / elapsed:,.0f} lines/s, {SUPPLIERS / elapsed:,.1f} suppliers/s)"
        f"\n  yardstick (one SELECT, csv module, smtplib, same server): {yardstick:.1f} s "
        f"— Unibill takes {elapsed / yardstick:.1f}× the yardstick"
    )
