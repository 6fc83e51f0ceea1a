"""The benchmarks' shared set-up: demo-eu's tenant with N accounts and its five suppliers'
files for a period, one CSV each with one service (one line per account), and their mapping
profiles."""

import json
from dataclasses import replace
from pathlib import Path

from warehouse.demo.generate import accounts_register_csv, demo_accounts, write_supplier_file
from warehouse.demo.layouts import SupplierLayout, layouts_for, profile_name
from warehouse.models import MappingProfile, Supplier, Tenant
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import ImportOutcome, charges_import
from warehouse.services.demo import DEMO_DIR
from warehouse.services.profiles import profiles_setup
from warehouse.services.tenants import tenant_setup


def bench_tenant(accounts: int, *, seed: int) -> tuple[Tenant, object, list[SupplierLayout]]:
    tenant = tenant_setup(data=(DEMO_DIR / "demo-eu.yaml").read_bytes()).tenant
    generated = demo_accounts("demo-eu", accounts, seed=seed)
    accounts_import(tenant=tenant, data=accounts_register_csv(generated), filename="a.csv")
    layouts = [replace(x, file_format="csv", rules=x.rules[:1]) for x in layouts_for("demo-eu")]
    profiles = [
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
    profiles_setup(tenant=tenant, data=json.dumps({"profiles": profiles}).encode())
    return tenant, generated, layouts


def supplier_files(generated, layouts, period: str, seed: int, folder: Path):
    return [(x, write_supplier_file(x, generated, period, seed, folder)) for x in layouts]


def import_file(tenant: Tenant, layout: SupplierLayout, path: Path, period: str) -> ImportOutcome:
    return charges_import(
        tenant=tenant,
        supplier=Supplier.objects.get(tenant=tenant, code=layout.supplier),
        period=period,
        data=path.read_bytes(),
        filename=path.name,
        profile=MappingProfile.objects.get(tenant=tenant, name=profile_name(layout)),
    )
