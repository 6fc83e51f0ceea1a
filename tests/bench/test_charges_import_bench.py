"""Issue "Warehouse: ingest charges": 200,000 accounts × 5 suppliers = 1,000,000 charge lines,
one CSV per supplier in that supplier's own layout, imported and posted on PostgreSQL through
the mapping profiles. In the same run, a raw COPY of the same lines into an empty, unindexed
table gives the yardstick. Goal: import time / raw COPY time ≤ 8, peak memory ≤ 1.5 GB, an
identical re-import under 1 s. BENCH_ACCOUNTS changes the size."""

import os
import resource
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from tests.bench.world import bench_tenant, import_file, supplier_files
from warehouse.models import Charge, OpenItem, Tenant

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200000"))
PERIOD = "2026-10"
NEXT_PERIOD = "2026-11"


def _raw_copy_seconds(files) -> float:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        started = time.perf_counter()
        for index, (layout, path) in enumerate(files):
            table = f"bench_raw_{index}"
            columns = ", ".join(f"c{i} text" for i in range(len(layout.columns)))
            raw.execute(f"DROP TABLE IF EXISTS {table}")
            raw.execute(f"CREATE TABLE {table} ({columns})")
            encoding = "WIN1251" if layout.encoding == "cp1251" else "UTF8"
            with raw.copy(
                f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true, "
                f"DELIMITER '{layout.separator}', ENCODING '{encoding}')"
            ) as copy:
                copy.write(path.read_bytes())
        elapsed = time.perf_counter() - started
        for index in range(len(files)):
            raw.execute(f"DROP TABLE bench_raw_{index}")
    return elapsed


@pytest.mark.django_db(transaction=True)
def test_import_one_million_charge_lines(tmp_path):
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    tenant, generated, layouts = bench_tenant(ACCOUNTS, seed=3)
    files = supplier_files(generated, layouts, PERIOD, 3, tmp_path)
    lines = sum(sum(1 for _ in path.open("rb")) - 1 for _, path in files)

    raw_seconds = _raw_copy_seconds(files)

    def run(layout, path, period):
        try:
            return import_file(tenant, layout, path, period)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    started = time.perf_counter()
    for layout, path in files:
        outcome = run(layout, path, PERIOD)
        assert outcome.status == "posted", outcome.batch.report[:5]
    import_seconds = time.perf_counter() - started

    # The same files for the next period, two suppliers at a time (as two Celery workers
    # would import them): how far concurrency carries on this two-core machine.
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda item: run(*item, NEXT_PERIOD), files))
    parallel_seconds = time.perf_counter() - started
    assert {o.status for o in outcomes} == {"posted"}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    layout, path = files[0]
    started = time.perf_counter()
    again = import_file(tenant, layout, path, PERIOD)
    reimport_seconds = time.perf_counter() - started

    print(
        f"\ncharges import, {lines:,} lines in {len(files)} supplier files "
        f"({ACCOUNTS:,} accounts) on PostgreSQL:\n"
        f"  raw COPY into unindexed tables: {raw_seconds:.2f} s "
        f"({lines / raw_seconds:,.0f} lines/s)\n"
        f"  import and post:                {import_seconds:.2f} s "
        f"({lines / import_seconds:,.0f} lines/s)\n"
        f"  ratio import / raw COPY:        {import_seconds / raw_seconds:.1f} (goal ≤ 8)\n"
        f"  two imports at a time:          {parallel_seconds:.2f} s "
        f"({lines / parallel_seconds:,.0f} lines/s, ratio {parallel_seconds / raw_seconds:.1f})\n"
        f"  peak memory (RSS):              {peak_mb:,.0f} MB (goal ≤ 1536)\n"
        f"  identical re-import:            {reimport_seconds * 1000:.0f} ms (goal < 1000)"
    )
    assert again.status == "already_posted"
    assert Charge.objects.filter(tenant=tenant).count() == 2 * lines
    assert OpenItem.objects.filter(tenant=tenant).count() == 2 * lines
    assert Tenant.objects.filter(pk=tenant.pk).exists()
