"""Shared setup of the charges import tests: a tenant set up through `tenant_setup` (a classifier
of three services, two suppliers with their own service codes) and a register of accounts
imported through `accounts_import`, each linked to the suppliers' own account numbers.

Test modules load it with `pytest_plugins = ["tests.warehouse.charges_fixtures"]` and reach
everything through the `world` fixture (its helpers are methods), so the module is imported once,
as a plugin, with its assertions rewritten.

    vodokanal: "01" → CW (m3), "02" → HW (m3)     accounts 00000001…00000006
    teplo:     "OT" → HEAT (Gcal)                  links VK-0001…VK-0005, ВК-0006 (Cyrillic)
"""

from __future__ import annotations

import io
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum

from warehouse.models import (
    Account,
    BatchStatus,
    Charge,
    ImportBatch,
    OpenItem,
    Service,
    Supplier,
    Tenant,
)
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import ImportOutcome, charges_import
from warehouse.services.tenants import tenant_setup

PERIOD = "2026-12"  # due on 2027-01-10: the due date crosses the year
TENANT_CODE = "rc-charges"

TENANT_YAML = """\
code: rc-charges
name: ООО «Расчётный центр»
profile: RU
currency: RUB
locale: ru
timezone: Europe/Moscow
due_day: 10
inn: "7707083893"
kpp: "773601001"
address: г. Москва, ул. Вавилова, д. 19
bank:
  name: ПАО Сбербанк
  bic: "044525225"
  account: "40702810238720001420"
  corr_account: "30101810400000000225"
services:
  - {code: CW, name: Холодное водоснабжение, unit: m3}
  - {code: HW, name: Горячее водоснабжение, unit: m3}
  - {code: HEAT, name: Отопление, unit: Gcal}
suppliers:
  - code: vodokanal
    name: АО «Водоканал»
    inn: "7702070139"
    kpp: "784201001"
    bank:
      name: АО «Райффайзенбанк»
      bic: "044525700"
      account: "40702810800001400002"
      corr_account: "30101810200000000700"
    commission: {percent: "1.20", fixed: "0.00", min: "0.00", max: null}
    service_codes: {"01": CW, "02": HW}
    registry_format: csv
  - code: teplo
    name: ИП Теплов Пётр Андреевич
    inn: "500100732259"
    bank:
      name: АО «ТБанк»
      bic: "044525974"
      account: "40702810610000000001"
      corr_account: "30101810145250000974"
    commission: {percent: "0.75", fixed: "5.00", min: "10.00", max: "500.00"}
    service_codes: {"OT": HEAT}
    registry_format: 1c
"""

WATER_NUMBERS = ["VK-0001", "VK-0002", "VK-0003", "VK-0004", "VK-0005", "ВК-0006"]


def accounts_register(count: int, *, links) -> bytes:
    """A canonical accounts register of `count` accounts; `links(i)` gives account i's links
    cell (`SUPPLIER:number|…`), i from 1."""
    out = io.StringIO()
    out.write("account_number,address,premises,payer_name,links\n")
    for i in range(1, count + 1):
        out.write(f"{i:08d},ул. Строителей д. {i // 100 + 1},{i % 100 + 1},Плательщик {i},")
        out.write(f"{links(i)}\n")
    return out.getvalue().encode("utf-8")


@pytest.fixture
def charge_files(settings, tmp_path) -> Path:
    """Keeps received files and rejection reports out of the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


@pytest.fixture
def charges_tenant_yaml() -> str:
    """The tenant document the `world` fixture sets up (for tests that build their own)."""
    return TENANT_YAML


@pytest.fixture
def accounts_register_csv():
    """`accounts_register(count, links=…)`, for tests that build their own accounts."""
    return accounts_register


@pytest.fixture
def world(db, charge_files) -> World:
    tenant = tenant_setup(data=TENANT_YAML.encode(), filename="tenant.yaml").tenant
    accounts_import(
        tenant=tenant,
        data=accounts_register(
            len(WATER_NUMBERS),
            links=lambda i: f"vodokanal:{WATER_NUMBERS[i - 1]}|teplo:T-{i:04d}",
        ),
        filename="accounts.csv",
    )
    by_number = {a.account_number: a for a in Account.objects.filter(tenant=tenant)}
    return World(
        tenant=tenant,
        supplier=Supplier.objects.get(tenant=tenant, code="vodokanal"),
        other=Supplier.objects.get(tenant=tenant, code="teplo"),
        services={s.code: s for s in Service.objects.filter(tenant=tenant)},
        accounts={n: by_number[f"{i:08d}"] for i, n in enumerate(WATER_NUMBERS, start=1)},
        folder=charge_files,
    )


def text(content: str) -> str:
    """A file's content written indented in a test, without the indentation."""
    return textwrap.dedent(content).lstrip("\n")


def import_charges(
    world: World,
    data: bytes | str,
    *,
    filename: str = "charges.csv",
    period: str = PERIOD,
    supplier: Supplier | None = None,
    profile=None,
) -> ImportOutcome:
    if isinstance(data, str):
        data = text(data).encode("utf-8")
    return charges_import(
        tenant=world.tenant,
        supplier=supplier or world.supplier,
        period=period,
        data=data,
        filename=filename,
        profile=profile,
    )


def command(*args: str) -> tuple[int, str, str]:
    """Runs `import_charges` as the shell does: exit status, stdout, stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("import_charges", *args, stdout=stdout, stderr=stderr)
    except SystemExit as exc:
        return int(exc.code or 0), stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


def import_command(
    world: World, path: Path | None, *, period: str = PERIOD, profile: str | None = None
) -> tuple[int, str, str]:
    args = [str(path)] if path is not None else []
    args += ["--tenant", world.tenant.code, "--supplier", world.supplier.code, "--period", period]
    if profile:
        args += ["--profile", profile]
    return command(*args)


def report(batch: ImportBatch) -> list[tuple[int | None, str, str]]:
    """The batch's rejection report as (line, column, value)."""
    batch.refresh_from_db()
    return [(row["line"], row["column"], row["value"]) for row in batch.report]


def reasons(batch: ImportBatch) -> dict[tuple[int | None, str], str]:
    batch.refresh_from_db()
    return {(row["line"], row["column"]): row["reason"] for row in batch.report}


def assert_rejected_whole(outcome: ImportOutcome) -> None:
    """Nothing of the file was posted: no charges, no open items, the batch rejected with its
    report."""
    batch = outcome.batch
    batch.refresh_from_db()
    assert outcome.status == "rejected", outcome.message
    assert batch.status == BatchStatus.REJECTED
    assert batch.version is None and batch.posted_at is None
    assert batch.report, "a rejected batch keeps its report"
    assert Charge.objects.count() == 0
    assert OpenItem.objects.count() == 0


def charge_totals(world: World, period: str = PERIOD, supplier=None) -> dict[str, int]:
    """Charged amount (minor units) per supplier account number, over every standing row."""
    supplier = supplier or world.supplier
    number_of = {a.pk: n for n, a in world.accounts.items()}
    rows = (
        Charge.objects.filter(supplier=supplier, period=period)
        .values("account_id")
        .annotate(total=Sum("amount"))
    )
    return {number_of[r["account_id"]]: r["total"] for r in rows if r["total"] != 0}


def open_totals(world: World, period: str = PERIOD, supplier=None) -> dict[str, int]:
    """What is still open per supplier account number."""
    supplier = supplier or world.supplier
    number_of = {a.pk: n for n, a in world.accounts.items()}
    totals: Counter = Counter()
    for item in OpenItem.objects.filter(supplier=supplier, period=period):
        totals[number_of[item.account_id]] += item.open_amount
    return {k: v for k, v in totals.items() if v != 0}


@dataclass
class World:
    """The tenant, its suppliers, services and accounts, and the helpers the tests use."""

    tenant: Tenant
    supplier: Supplier  # vodokanal
    other: Supplier  # teplo
    services: dict[str, Service]
    accounts: dict[str, Account]  # vodokanal's account number → our account
    folder: Path  # where a test writes its files
    period: str = PERIOD

    def account(self, number: str) -> Account:
        return self.accounts[number]

    text = staticmethod(text)
    command = staticmethod(command)
    report = staticmethod(report)
    reasons = staticmethod(reasons)
    assert_rejected_whole = staticmethod(assert_rejected_whole)

    def import_(self, data, **options) -> ImportOutcome:
        return import_charges(self, data, **options)

    def run(self, path: Path | None, **options) -> tuple[int, str, str]:
        return import_command(self, path, **options)

    def write(self, name: str, content: bytes | str) -> Path:
        path = self.folder / name
        path.write_bytes(text(content).encode() if isinstance(content, str) else content)
        return path

    def charge_totals(self, **options) -> dict[str, int]:
        return charge_totals(self, **options)

    def open_totals(self, **options) -> dict[str, int]:
        return open_totals(self, **options)
