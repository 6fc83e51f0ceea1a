"""seed_demo at scale: `--accounts 200000 --no-import` (per tenant, so 400,000 accounts, 2.2 million
supplier links and 33 supplier files of 200,000–400,000 lines). Issue goal: under 2 minutes
on PostgreSQL. Set BENCH_ACCOUNTS to try another size."""

import io
import os
import resource
import time

import pytest
from django.core.management import call_command
from django.db import connection

from warehouse.models import Account, AccountLink

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200000"))


@pytest.mark.django_db(transaction=True)
def test_seed_demo_at_scale(tmp_path):
    started = time.perf_counter()
    call_command(
        "seed_demo",
        "--accounts",
        str(ACCOUNTS),
        "--out",
        str(tmp_path),
        "--last-period",
        "2026-10",
        "--no-import",
        stdout=io.StringIO(),
    )
    elapsed = time.perf_counter() - started

    accounts = Account.objects.count()
    links = AccountLink.objects.count()
    lines = sum(sum(1 for _ in p.open("rb")) - 1 for p in tmp_path.rglob("*-20*.csv"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"\nseed_demo --accounts {ACCOUNTS} on {connection.vendor}: {elapsed:.1f} s "
        f"({accounts:,} accounts, {links:,} links, {lines:,} CSV charge lines + XLSX files; "
        f"{accounts / elapsed:,.0f} accounts/s); peak RSS {peak_mb:,.0f} MB, "
        f"file-writer process {child_mb:,.0f} MB"
    )
    assert accounts == 2 * ACCOUNTS
    assert links == ACCOUNTS * 11  # six demo-ru suppliers and five demo-eu suppliers
