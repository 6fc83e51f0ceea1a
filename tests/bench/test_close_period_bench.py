"""Issue "Invoicing": issue documents for 200,000 accounts with 5 suppliers each on
PostgreSQL — documents/s for computing and storing them, without rendering. BENCH_ACCOUNTS
changes the size."""

import os
import resource
import time

import pytest
from django.db import connection

from invoicing.models import DocumentLine, PaymentDocument
from tests.bench.world import bench_tenant, import_file, supplier_files
from tests.month_end import month_end_close

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200000"))
PERIOD = "2026-10"


@pytest.mark.django_db(transaction=True)
def test_issue_documents_for_every_account(tmp_path):
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    tenant, generated, layouts = bench_tenant(ACCOUNTS, seed=5)
    for layout, path in supplier_files(generated, layouts, PERIOD, 5, tmp_path):
        assert import_file(tenant, layout, path, PERIOD).status == "posted"

    started = time.perf_counter()
    result = month_end_close(tenant=tenant, period=PERIOD)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = DocumentLine.objects.filter(document__tenant=tenant).count()
    print(
        f"\nclose_period, {ACCOUNTS:,} accounts × 5 suppliers on PostgreSQL: "
        f"{result.issued:,} documents and {lines:,} lines in {elapsed:.1f} s "
        f"({result.issued / elapsed:,.0f} documents/s, no rendering); peak RSS {peak_mb:,.0f} MB"
    )
    assert result.issued == ACCOUNTS == PaymentDocument.objects.filter(tenant=tenant).count()
