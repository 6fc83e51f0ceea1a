"""Issue "Invoicing": issue documents for 200,000 accounts with 5 suppliers each on
PostgreSQL — documents/s for computing and storing them, without rendering. BENCH_ACCOUNTS
changes the size."""

import json
import os
import resource
import time
from dataclasses import replace

import pytest
from django.db import connection

from invoicing.models import DocumentLine, PaymentDocument
from invoicing.services.closing import period_close
from warehouse.demo.generate import accounts_register_csv, demo_accounts, write_supplier_file
from warehouse.demo.layouts import layouts_for, profile_name
from warehouse.models import MappingProfile, Supplier
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import charges_import
from warehouse.services.demo import DEMO_DIR
from warehouse.services.profiles import profiles_setup
from warehouse.services.tenants import tenant_setup

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200000"))
PERIOD = "2026-10"


@pytest.mark.django_db(transaction=True)
def test_issue_documents_for_every_account(tmp_path):
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    tenant = tenant_setup(data=(DEMO_DIR / "demo-eu.yaml").read_bytes()).tenant
    generated = demo_accounts("demo-eu", ACCOUNTS, seed=5)
    accounts_import(tenant=tenant, data=accounts_register_csv(generated), filename="a.csv")
    layouts = [replace(x, file_format="csv", rules=x.rules[:1]) for x in layouts_for("demo-eu")]
    profiles_setup(
        tenant=tenant,
        data=json.dumps(
            {
                "profiles": [
                    {
                        "name": profile_name(x),
                        "supplier": x.supplier,
                        "columns": dict(x.columns),
                        "encoding": x.encoding,
                        "separator": x.separator,
                        "decimal_mark": "," if x.decimal_comma else ".",
                    }
                    for x in layouts
                ]
            }
        ).encode(),
    )
    for layout in layouts:
        path = write_supplier_file(layout, generated, PERIOD, 5, tmp_path)
        outcome = charges_import(
            tenant=tenant,
            supplier=Supplier.objects.get(tenant=tenant, code=layout.supplier),
            period=PERIOD,
            data=path.read_bytes(),
            filename=path.name,
            profile=MappingProfile.objects.get(tenant=tenant, name=profile_name(layout)),
        )
        assert outcome.status == "posted"

    started = time.perf_counter()
    result = period_close(tenant=tenant, period=PERIOD)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = DocumentLine.objects.filter(document__tenant=tenant).count()
    print(
        f"\nclose_period, {ACCOUNTS:,} accounts × 5 suppliers on PostgreSQL: "
        f"{result.issued:,} documents and {lines:,} lines in {elapsed:.1f} s "
        f"({result.issued / elapsed:,.0f} documents/s, no rendering); peak RSS {peak_mb:,.0f} MB"
    )
    assert result.issued == ACCOUNTS == PaymentDocument.objects.filter(tenant=tenant).count()
