"""The benchmarks' shared set-up — a free loopback port and the test database's URL for a
server the benchmark starts, and demo-eu's tenant with N accounts and its five suppliers'
files for a period, one CSV each with one service (one line per account), and their mapping
profiles."""

import json
import socket
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from demo.generate import accounts_register_csv, demo_accounts, write_supplier_file
from demo.layouts import SupplierLayout, layouts_for, profile_name
from demo.warehouse import DEMO_DIR
from warehouse.models import MappingProfile, Supplier, Tenant
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import ImportOutcome, charges_import
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(name: str) -> str:
    """The URL of database `name` on the server the tests use, for a server process."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{quote(name, safe='')}"
