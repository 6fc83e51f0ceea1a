"""An import killed mid-write leaves no trace (charges.py: "one transaction writes
everything"): `import_charges` runs as its own process on a 300,000-line file, is killed with
SIGKILL while its backend is writing the charge or open-item table, and afterwards there is no
charge, no open item and no posted batch. Run again, it posts exactly the rows that an
uninterrupted import of the same file posts (into a twin supplier), and the killed run's batch
is closed as interrupted."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from warehouse.models import BatchStatus, Charge, ImportBatch, OpenItem, Supplier
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import charges_import
from warehouse.services.tenants import tenant_setup

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ACCOUNTS = 150_000
PERIOD = "2026-12"
TWIN = """\
  - code: vodokanal-twin
    name: АО «Водоканал» (twin)
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
"""
# the backend of the import writing a charge or open-item row (COPY, or INSERT … SELECT)
WRITING = re.compile(r"^\s*(COPY|INSERT\s+INTO)\s+\"?warehouse_(charge|openitem)\b", re.I)
POLL_TIMEOUT = 180.0


def _charges_file(path: Path) -> Decimal:
    """Two services per account: metered cold water (amount = quantity × tariff) and hot water;
    every 50th account's hot water is a penalty (its own open item). Returns the total."""
    tariff = Decimal("52.44")
    total = Decimal(0)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("supplier_account,service_code,quantity,unit,tariff,amount,kind\n")
        for i in range(1, ACCOUNTS + 1):
            quantity = Decimal(i % 97) / 10 + 1
            amount = (quantity * tariff).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            hot = Decimal(i % 1000) / 4 + Decimal("0.01")
            kind = "penalty" if i % 50 == 0 else "regular"
            out.write(f"VK-{i:06d},01,{quantity},m3,{tariff},{amount},regular\n")
            out.write(f"VK-{i:06d},02,,,,{hot},{kind}\n")
            total += amount + hot
    return total


def _environment(application_name: str, media: Path) -> dict[str, str]:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}?application_name={application_name}"
    )
    return {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media)}


def _backend(application_name: str):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, query FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        )
        return cursor.fetchall()


def _rows(supplier: Supplier) -> tuple[Counter, Counter]:
    """Charges and open items of the supplier, as multisets; the supplier column is checked to
    be the supplier's own and then left out, so a twin's rows compare equal."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT supplier_id, account_id, service_id, period, kind, quantity, unit, tariff, "
            "amount, line FROM warehouse_charge WHERE supplier_id = %s",
            [supplier.pk],
        )
        charges = cursor.fetchall()
        cursor.execute(
            "SELECT supplier_id, account_id, period, kind, due_date, amount, open_amount "
            "FROM warehouse_openitem WHERE supplier_id = %s",
            [supplier.pk],
        )
        items = cursor.fetchall()
    assert {row[0] for row in charges} | {row[0] for row in items} == {supplier.pk}
    return Counter(row[1:] for row in charges), Counter(row[1:] for row in items)


def test_an_import_killed_while_writing_leaves_nothing_and_runs_again_exactly(
    postgres, charge_files, settings, charges_tenant_yaml, accounts_register_csv
):
    tenant = tenant_setup(data=(charges_tenant_yaml + TWIN).encode(), filename="tenant.yaml").tenant
    accounts_import(
        tenant=tenant,
        data=accounts_register_csv(
            ACCOUNTS, links=lambda i: f"vodokanal:VK-{i:06d}|vodokanal-twin:VK-{i:06d}"
        ),
        filename="accounts.csv",
    )
    supplier = Supplier.objects.get(tenant=tenant, code="vodokanal")
    twin = Supplier.objects.get(tenant=tenant, code="vodokanal-twin")
    path = charge_files / "charges-2026-12.csv"
    total = _charges_file(path)
    command = [
        sys.executable,
        str(Path(django_settings.BASE_DIR) / "manage.py"),
        "import_charges",
        str(path),
        "--tenant",
        tenant.code,
        "--supplier",
        supplier.code,
        "--period",
        PERIOD,
    ]
    name = f"crash-test-{os.getpid()}"
    media = Path(settings.MEDIA_ROOT)

    # when: the import is killed while its backend writes the charge tables
    process = subprocess.Popen(
        command,
        env=_environment(name, media),
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen, deadline = None, time.monotonic() + POLL_TIMEOUT
    try:
        while seen is None:
            for pid, state, query in _backend(name):
                if state == "active" and WRITING.match(query or ""):
                    seen = (pid, query)
            if seen is None and process.poll() is not None:
                out, err = process.communicate()
                pytest.fail(
                    "the import ended (exit status "
                    f"{process.returncode}) before its backend was seen writing "
                    f"warehouse_charge/warehouse_openitem; nothing was killed.\n{out}\n{err}"
                )
            if seen is None and time.monotonic() > deadline:
                pytest.fail(
                    f"no COPY/INSERT into the charge tables seen within {POLL_TIMEOUT:.0f}s"
                )
            if seen is None:
                time.sleep(0.002)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None and seen is None:
            process.kill()  # a failed test leaves no import running
        process.communicate(timeout=60)
    backend_pid, query = seen
    assert process.returncode == -signal.SIGKILL, (
        f"too late: the import ended by itself (exit status {process.returncode}) before the "
        f"kill landed; it was last seen running {query[:60]!r}"
    )
    deadline = time.monotonic() + 60
    while any(pid == backend_pid for pid, _, _ in _backend(name)):
        assert time.monotonic() < deadline, f"backend {backend_pid} outlived its client"
        time.sleep(0.05)

    # then: nothing of it stands
    killed = ImportBatch.objects.get(supplier=supplier)
    assert killed.status != BatchStatus.POSTED, (
        f"too late: the import committed before the kill landed (seen running {query[:60]!r})"
    )
    assert killed.status in {BatchStatus.RECEIVED, BatchStatus.VALIDATED}
    assert killed.version is None and killed.posted_at is None
    assert Charge.objects.count() == 0, f"charges left after a kill during {query[:60]!r}"
    assert OpenItem.objects.count() == 0, f"open items left after a kill during {query[:60]!r}"

    # when: the same command runs again, to the end
    again = subprocess.run(
        command,
        env=_environment(f"{name}-again", media),
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"POSTED: vodokanal {PERIOD}")
    killed.refresh_from_db()
    assert killed.status == BatchStatus.REJECTED
    assert "interrupted" in killed.message
    posted = ImportBatch.objects.get(supplier=supplier, status=BatchStatus.POSTED)
    assert (posted.version, posted.rows_total) == (1, 2 * ACCOUNTS)
    assert posted.amount_total == int(total * 100)

    # then: exactly the rows of an uninterrupted import of the same file
    reference = charges_import(
        tenant=tenant,
        supplier=twin,
        period=PERIOD,
        data=path.read_bytes(),
        filename=path.name,
    )
    assert reference.status == "posted", reference.batch.report[:5]
    charges, items = _rows(supplier)
    twin_charges, twin_items = _rows(twin)
    assert sum(charges.values()) == 2 * ACCOUNTS
    assert sum(items.values()) == ACCOUNTS + ACCOUNTS // 50
    assert charges == twin_charges
    assert items == twin_items
