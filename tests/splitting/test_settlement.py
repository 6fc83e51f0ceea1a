"""Daily settlement with suppliers: registries per supplier and day (tenant time zone), payouts
booked in the ledger, the files (CSV, XLSX, 1C, pain.001) through `export_registry`, and
`check_ledger` as the shell runs it."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree

from integrations.settlement.one_c import one_c_amount, read_1c
from integrations.settlement.pain001 import pain001_errors
from integrations.settlement.registry_files import read_registry_csv
from splitting.core.reversals import payment_reverse
from splitting.models import Allocation, Payout, Registry, RegistryStatus
from splitting.selectors import supplier_balance
from splitting.settlement.payouts import payout_create
from splitting.settlement.registries import registries_build, registries_build_due
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import OpenItem

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def paid(world):
    charges(
        world,
        "2026-11",
        water={"VK-0001": "140.00", "VK-0002": "80.00"},
        heat={"VK-0001": "60.00", "VK-0002": "40.00"},
    )
    pay(world, "VK-0001", 20_000)
    pay(world, "VK-0002", 12_000)
    return world


def _today(world):
    return timezone.now().astimezone(MOSCOW).date()


def _command(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_a_registry_lists_the_days_payments_in_the_suppliers_favour(paid):
    world = paid

    registries = registries_build(tenant=world.tenant, day=_today(world))

    water = next(r for r in registries if r.supplier == world.supplier)
    assert (water.count, water.gross) == (2, 14_000 + 8_000)
    # 1.20 % of 140.00 and of 80.00
    assert water.commission == 168 + 96
    assert water.net == water.gross - water.commission
    assert water.number == f"R{_today(world):%Y%m%d}-{world.tenant.pk}-{world.supplier.pk}"


def test_building_a_day_again_changes_nothing(paid):
    world = paid
    first = registries_build(tenant=world.tenant, day=_today(world))

    again = registries_build(tenant=world.tenant, day=_today(world))

    assert [r.pk for r in again] == [r.pk for r in first]
    assert Registry.objects.count() == 2


def test_a_payment_booked_after_midnight_waits_for_the_next_days_registry(paid):
    world = paid
    yesterday = _today(world) - timedelta(days=1)
    late = Allocation.objects.filter(payment__account=world.accounts["VK-0002"])
    midnight = datetime.combine(_today(world), datetime.min.time(), tzinfo=MOSCOW)
    Allocation.objects.exclude(pk__in=late).update(booked_at=midnight - timedelta(minutes=1))
    late.update(booked_at=midnight + timedelta(seconds=1))

    registries_build(tenant=world.tenant, day=yesterday)
    registries_build(tenant=world.tenant, day=_today(world))

    water = Registry.objects.filter(supplier=world.supplier).order_by("day")
    assert [(r.day, r.gross) for r in water] == [(yesterday, 14_000), (_today(world), 8_000)]


def test_the_beat_job_builds_yesterday_in_each_tenants_time_zone(paid):
    world = paid
    Allocation.objects.update(booked_at=timezone.now() - timedelta(days=1))

    built = registries_build_due()

    assert {r.day for r in built} == {_today(world) - timedelta(days=1)}


def test_a_reversal_appears_as_a_negative_line_in_the_next_registry(paid):
    world = paid
    registries_build(tenant=world.tenant, day=_today(world) - timedelta(days=1))
    Allocation.objects.update(booked_at=timezone.now() - timedelta(days=1))
    registries_build(tenant=world.tenant, day=_today(world) - timedelta(days=1))
    payment = Allocation.objects.filter(supplier=world.supplier).first().payment

    payment_reverse(payment=payment)
    registries = registries_build(tenant=world.tenant, day=_today(world))

    water = next(r for r in registries if r.supplier == world.supplier)
    assert water.count == 1 and water.gross < 0


def test_a_payout_books_the_net_amount_and_marks_the_registry_paid(paid):
    world = paid
    registry = next(
        r for r in registries_build(tenant=world.tenant, day=_today(world)) if r.supplier_id
    )

    payout = payout_create(registry=registry)
    again = payout_create(registry=registry)

    registry.refresh_from_db()
    assert again.pk == payout.pk
    assert registry.status == RegistryStatus.PAID
    assert payout.end_to_end_id == registry.number
    balance = supplier_balance(registry.supplier)
    assert (balance.paid_out, balance.payable) == (registry.net, 0)
    assert_ledger_clean()


def test_export_registry_writes_csv_and_xlsx_that_read_back(paid, tmp_path):
    world = paid
    args = ["--tenant", world.tenant.code, "--supplier", "vodokanal"]
    args += ["--date", _today(world).isoformat()]

    status_csv, _ = _command(
        "export_registry", *args, "--format", "csv", "--out", tmp_path / "r.csv"
    )
    status_xlsx, _ = _command(
        "export_registry", *args, "--format", "xlsx", "--out", tmp_path / "r.xlsx"
    )

    assert (status_csv, status_xlsx) == (0, 0)
    header, lines = read_registry_csv((tmp_path / "r.csv").read_bytes())
    registry = Registry.objects.get(supplier=world.supplier)
    assert header["id"] == registry.number
    assert sum(line["amount"] for line in lines) == registry.gross
    assert {line["account_number"] for line in lines} == {"00000001", "00000002"}
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert registry.number in [c.value for row in sheet.iter_rows(max_row=3) for c in row]


def test_settle_registries_pain001_validates_and_carries_the_registry_as_end_to_end_id(
    paid, tmp_path
):
    world = paid
    out = tmp_path / "payout.xml"

    registries_build(tenant=world.tenant, day=_today(world))
    Registry.objects.exclude(supplier=world.other).update(status=RegistryStatus.NETTED)
    status, _ = _command(
        "settle_registries",
        "--tenant",
        world.tenant.code,
        "--date",
        _today(world).isoformat(),
        "--format",
        "pain001",
        "--out",
        out,
        "--yes",
    )

    assert status == 0
    content = out.read_bytes()
    assert pain001_errors(content) == []
    registry = Registry.objects.get(supplier=world.other)
    tree = etree.fromstring(content)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert tree.findtext(".//p:EndToEndId", namespaces=ns) == registry.number
    amount = tree.findtext(".//p:InstdAmt", namespaces=ns)
    assert amount == f"{registry.net // 100}.{registry.net % 100:02d}"
    assert Payout.objects.get(registry=registry).amount == registry.net
    assert_ledger_clean()


def test_settle_registries_writes_one_1c_file_with_every_suppliers_payout(paid, tmp_path):
    world = paid
    out = tmp_path / "payout.txt"

    refused, _ = _command(
        "settle_registries",
        "--tenant",
        world.tenant.code,
        "--date",
        _today(world).isoformat(),
        "--format",
        "1c",
        "--out",
        out,
    )
    status, _ = _command(
        "settle_registries",
        "--tenant",
        world.tenant.code,
        "--date",
        _today(world).isoformat(),
        "--format",
        "1c",
        "--out",
        out,
        "--yes",
    )

    assert (refused, status) == (2, 0)
    parsed = read_1c(out.read_bytes())
    registries = {r.supplier_id: r for r in Registry.objects.all()}
    assert parsed.header["ВерсияФормата"] == "1.03"
    assert len(parsed.documents) == 2
    water = next(d for d in parsed.documents if d["ПолучательИНН"] == "7702070139")
    assert one_c_amount(water["Сумма"]) == registries[world.supplier.pk].net
    assert registries[world.supplier.pk].number in water["НазначениеПлатежа"]
    assert sum(one_c_amount(d["Сумма"]) for d in parsed.documents) == sum(
        r.net for r in registries.values()
    )
    assert_ledger_clean()


def test_check_ledger_passes_on_a_clean_ledger_and_lists_what_disagrees(paid):
    status, out = _command("check_ledger")
    assert status == 0 and "Ledger OK" in out

    item = OpenItem.objects.first()
    OpenItem.objects.filter(pk=item.pk).update(open_amount=item.open_amount + 1)

    status, out = _command("check_ledger", "--tenant", paid.tenant.code)
    assert status == 1
    assert "receivable equals open items" in out
