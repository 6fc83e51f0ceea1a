"""Issue 8 "Debt collection": one dunning run over 200,000 overdue accounts on PostgreSQL
selects and queues its messages in under 60 s. BENCH_ACCOUNTS changes the size.

Set-up (not timed): demo-eu's tenant with N accounts (70 % with a phone, 50 % with an e-mail,
as the demo generator makes them), two suppliers' charges for one period, the demo procedure
(`dunning_defaults`) with the SMS level's minimum lowered to 0.00 so that every account fires
(the worst case). The run is dated 6 days after the due date, so every account is due its SMS
level; accounts without a phone get the level recorded as suppressed (no contact).

What is timed: `dunning_run` — the aggregate over open items, the decisions, rendering every
body from its template, writing messages, steps and states, the commit, and the commit's
enqueueing of the sends (one `send_messages` task per 500 messages). The Celery app publishes
for real but to its in-memory broker with no worker behind it, so nothing is *sent*: eager mode
(the test settings) would send every SMS through the console backend inside the commit, which
is the workers' job, not the run's."""

import datetime as dt
import os
import resource
import time
import zoneinfo

import pytest
from django.db import connection
from django.db.models import Min, Q
from django.urls import reverse

from config.celery import app
from debt_collection.models import DunningLevel, DunningStep
from debt_collection.services.dunning.defaults import dunning_defaults
from debt_collection.services.dunning.run import dunning_run
from messaging.models import Message
from tests.bench.world import bench_tenant, import_file, supplier_files
from warehouse.models import OpenItem

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200000"))
PERIOD = "2026-09"


@pytest.fixture
def broker_without_worker():
    """Tasks are published to the in-memory broker instead of running in-process."""
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, "memory://localhost/"
    yield
    app.conf.task_always_eager, app.conf.broker_url = saved


@pytest.mark.django_db(transaction=True)
def test_dunning_run_over_every_account(tmp_path, broker_without_worker):
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    tenant, generated, layouts = bench_tenant(ACCOUNTS, seed=8)
    for layout, path in supplier_files(generated, layouts[:2], PERIOD, 8, tmp_path):
        assert import_file(tenant, layout, path, PERIOD).status == "posted"
    dunning_defaults(tenant=tenant)
    DunningLevel.objects.filter(tenant=tenant, position=1).update(min_debt=0)
    due = OpenItem.objects.filter(tenant=tenant).aggregate(d=Min("due_date"))["d"]
    on = due + dt.timedelta(days=6)
    noon = dt.datetime.combine(on, dt.time(12), tzinfo=zoneinfo.ZoneInfo(tenant.timezone))

    reverse("pay-link", args=["warm-up"])  # a worker has its URLconf loaded (≈ 1 s once)

    started = time.perf_counter()
    result = dunning_run(tenant=tenant, on=on, now=noon)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"\nrun_dunning, {ACCOUNTS:,} accounts on PostgreSQL: {result.accounts_overdue:,} "
        f"overdue, {result.fired:,} steps, {result.messages_queued:,} messages queued in "
        f"{elapsed:.1f} s ({result.accounts_overdue / elapsed:,.0f} accounts/s); "
        f"peak RSS {peak_mb:,.0f} MB\n  phases: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
        + f"\n  {result.summary()}"
    )

    started = time.perf_counter()
    again = dunning_run(tenant=tenant, on=on, now=noon)
    print(f"  the same date again: {again.fired} steps in {time.perf_counter() - started:.1f} s")
    assert again.fired == 0
    assert result.accounts_overdue == ACCOUNTS
    assert result.fired == ACCOUNTS == DunningStep.objects.filter(tenant=tenant).count()
    queued = Message.objects.filter(tenant=tenant, source="dunning", status="queued")
    assert result.messages_queued == queued.count() > 0
    assert not DunningStep.objects.filter(
        Q(message__isnull=True) & ~Q(outcome="suppressed_no_contact")
    ).exists()
