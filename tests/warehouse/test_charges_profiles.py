"""Mapping profiles (import-formats.md, introduction): `profiles_setup` stores them from YAML or
JSON, refusing a bad document with the path of every bad field; a supplier's own layout then
imports through its profile — columns by name or position, constants, a service-code map,
preamble rows, a period date format, an explicit encoding/separator/decimal mark, a named XLSX
sheet — and the demo's eleven layouts import through theirs."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from core.errors import ApplicationError
from warehouse.models import (
    AuditEvent,
    BatchStatus,
    Charge,
    ImportBatch,
    MappingProfile,
    SourceFormat,
    Supplier,
)
from warehouse.reports import FileRejected
from warehouse.services.profiles import profiles_setup

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db


def _setup(world, document: str | dict) -> list[MappingProfile]:
    data = json.dumps(document) if isinstance(document, dict) else world.text(document)
    return profiles_setup(tenant=world.tenant, data=data.encode("utf-8"))


def _profile(world, **spec) -> MappingProfile:
    """One profile of vodokanal, stored through `profiles_setup` (JSON)."""
    (profile,) = _setup(world, {"profiles": [{"name": "p", "supplier": "vodokanal", **spec}]})
    return profile


def _charges() -> list[tuple]:
    return sorted(
        Charge.objects.values_list(
            "account__account_number", "service__code", "kind", "quantity", "unit", "amount", "line"
        )
    )


# --- profiles_setup ------------------------------------------------------------------------


def test_profiles_setup_from_yaml_creates_then_updates_profiles(world):
    profiles = _setup(
        world,
        """
        profiles:
          - name: vodokanal-export
            supplier: vodokanal
            format: csv
            encoding: cp1251
            separator: ";"
            decimal_mark: ","
            columns: {supplier_account: ЛицевойСчет, service_code: КодУслуги, amount: 6}
            service_map: {"Холодная вода": "01"}
            constants: {kind: regular}
            skip_rows: 2
          - name: teplo-xlsx
            supplier: teplo
            format: xlsx
            sheet: Начисления
            has_header: false
            columns: {supplier_account: 1, service_code: 2, amount: 3}
            date_format: "%m.%Y"
        """,
    )

    assert [p.name for p in profiles] == ["vodokanal-export", "teplo-xlsx"]
    water = MappingProfile.objects.get(name="vodokanal-export")
    assert (water.tenant, water.supplier, water.source_format) == (
        world.tenant,
        world.supplier,
        "csv",
    )
    assert (water.encoding, water.separator, water.decimal_mark, water.skip_rows) == (
        "cp1251",
        ";",
        ",",
        2,
    )
    assert water.columns == {
        "supplier_account": "ЛицевойСчет",
        "service_code": "КодУслуги",
        "amount": 6,
    }
    assert (water.service_map, water.constants, water.has_header) == (
        {"Холодная вода": "01"},
        {"kind": "regular"},
        True,
    )
    heat = MappingProfile.objects.get(name="teplo-xlsx")
    assert (heat.supplier, heat.source_format, heat.sheet, heat.has_header) == (
        world.other,
        "xlsx",
        "Начисления",
        False,
    )
    assert heat.date_format == "%m.%Y"
    assert AuditEvent.objects.filter(action="profiles.saved").count() == 1

    _setup(
        world,
        """
        profiles:
          - name: vodokanal-export
            supplier: vodokanal
            encoding: utf-8
            columns: {supplier_account: ls, service_code: usl, amount: summa}
        """,
    )

    assert MappingProfile.objects.count() == 2
    updated = MappingProfile.objects.get(name="vodokanal-export")
    assert updated.pk == water.pk
    assert (updated.encoding, updated.separator, updated.skip_rows) == ("utf-8", "", 0)
    assert updated.columns == {"supplier_account": "ls", "service_code": "usl", "amount": "summa"}


def test_profiles_setup_from_json(world):
    document = [
        {
            "name": "vodokanal-json",
            "supplier": "vodokanal",
            "format": "csv",
            "columns": {"supplier_account": 1, "service_code": 2, "amount": 3},
            "has_header": False,
            "constants": {"unit": "m3"},
        }
    ]

    (profile,) = profiles_setup(tenant=world.tenant, data=json.dumps(document).encode())

    profile.refresh_from_db()
    assert profile.name == "vodokanal-json" and profile.supplier == world.supplier
    assert profile.columns == {"supplier_account": 1, "service_code": 2, "amount": 3}
    assert (profile.has_header, profile.constants) == (False, {"unit": "m3"})


@pytest.mark.parametrize(
    ("spec", "path", "value", "reason"),
    [
        (
            {"columns": {"acount": "ls", "amount": "summa"}},
            "profiles[1].columns.acount",
            "ls",
            "not a canonical column",
        ),
        ({"supplier": "gazprom"}, "profiles[1].supplier", "gazprom", "no such supplier"),
        ({"encoding": "cp9999"}, "profiles[1].encoding", "cp9999", "unknown encoding"),
        (
            {"format": "sql", "sql_query": "SELECT 1"},
            "profiles[1].sql_url",
            "",
            "a SQL profile needs sql_url and sql_query",
        ),
        ({"columns": {"amount": 0}}, "profiles[1].columns.amount", "0", "1-based"),
        ({"decimal_mark": ";"}, "profiles[1].decimal_mark", ";", "decimal_mark is"),
    ],
    ids=[
        "unknown-column",
        "unknown-supplier",
        "bad-encoding",
        "sql-without-url",
        "position-0",
        "mark",
    ],
)
def test_a_bad_profile_document_is_rejected_with_the_field_path(world, spec, path, value, reason):
    good = {"name": "good", "supplier": "vodokanal", "columns": {"amount": "summa"}}
    bad = {"name": "bad", "supplier": "vodokanal", **spec}

    with pytest.raises(FileRejected) as rejected:
        profiles_setup(tenant=world.tenant, data=json.dumps({"profiles": [good, bad]}).encode())

    errors = {e.column: e for e in rejected.value.errors}
    assert path in errors, errors
    assert errors[path].value == value
    assert reason in errors[path].reason
    assert all(column.startswith("profiles[1].") for column in errors)
    assert MappingProfile.objects.count() == 0  # the good one is not stored either


# --- files in a supplier's own layout --------------------------------------------------------


def test_columns_named_by_header_import_through_the_profile(world):
    profile = _profile(
        world,
        columns={
            "supplier_account": "ЛицевойСчет",
            "service_code": "КодУслуги",
            "quantity": "Объем",
            "unit": "ЕдИзм",
            "tariff": "Тариф",
            "amount": "Сумма",
        },
    )
    content = world.text(
        """
        Период;ЛИЦЕВОЙСЧЕТ ; КодУслуги;Объем;ЕдИзм;Тариф;Сумма;Примечание
        12.2026;ВК-0006;01;2,5;м3;52,44;131,10;
        12.2026;VK-0001;02;1;м3;210,5;210,50;перерасчёт не нужен
        """
    ).encode("cp1251")

    outcome = world.import_(content, profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert outcome.batch.profile == profile
    assert _charges() == [
        ("00000001", "HW", "regular", Decimal("1"), "м3", 21050, 3),
        ("00000006", "CW", "regular", Decimal("2.5"), "м3", 13110, 2),
    ]


def test_a_column_the_profile_names_but_the_file_lacks_rejects_the_file(world):
    profile = _profile(
        world, columns={"supplier_account": "ls", "service_code": "usl", "amount": "summa"}
    )

    outcome = world.import_("ls,usl,sum\nVK-0001,01,1.00\n", profile=profile)

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(1, "amount", "summa")]


def test_columns_by_position_in_a_file_without_a_header_row(world):
    profile = _profile(
        world,
        has_header=False,
        columns={"supplier_account": 2, "service_code": 3, "amount": 5, "quantity": 4},
    )
    content = "2026-12,VK-0001,01,3,30.00\n2026-12,VK-0002,02,,7.50\n"

    outcome = world.import_(content, profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert _charges() == [
        ("00000001", "CW", "regular", Decimal("3"), "", 3000, 1),
        ("00000002", "HW", "regular", None, "", 750, 2),
    ]

    bad = world.import_(content.replace("7.50", "7.505"), profile=profile)

    assert bad.status == "rejected"
    assert world.report(bad.batch) == [(2, "amount", "7.505")]  # no header: line 2 is data


def test_columns_by_position_in_a_file_with_a_header_row(world):
    profile = _profile(world, columns={"supplier_account": 1, "service_code": 2, "amount": 3})

    outcome = world.import_("Konto,Leistung,Betrag\nVK-0003,01,12.00\n", profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert _charges() == [("00000003", "CW", "regular", None, "", 1200, 2)]


def test_a_position_beyond_the_file_rejects_it(world):
    profile = _profile(world, columns={"supplier_account": 1, "service_code": 2, "amount": 9})

    outcome = world.import_("a,b,c\nVK-0003,01,12.00\n", profile=profile)

    world.assert_rejected_whole(outcome)
    assert [(column, value) for _, column, value in world.report(outcome.batch)] == [
        ("amount", "9")
    ]


def test_constants_give_kind_and_unit(world):
    profile = _profile(
        world,
        columns={"supplier_account": "ls", "service_code": "usl", "amount": "summa"},
        constants={"kind": "recalculation", "unit": "m3"},
    )

    outcome = world.import_("ls,usl,summa\nVK-0001,01,-12.00\nVK-0002,01,3.00\n", profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert _charges() == [
        ("00000001", "CW", "recalculation", None, "m3", -1200, 2),
        ("00000002", "CW", "recalculation", None, "m3", 300, 3),
    ]


def test_the_service_map_turns_the_files_values_into_the_suppliers_codes(world):
    profile = _profile(
        world,
        columns={"supplier_account": "ls", "service_code": "usluga", "amount": "summa"},
        service_map={"Холодная вода": "01", "Горячая вода": "02"},
    )
    content = "ls,usluga,summa\nVK-0001,Холодная вода,10.00\nVK-0001,Горячая вода,20.00\n"

    outcome = world.import_(content, profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert [(c[1], c[5]) for c in _charges()] == [("CW", 1000), ("HW", 2000)]

    unknown = world.import_(content + "VK-0002,Отопление,5.00\n", profile=profile)

    assert unknown.status == "rejected"
    assert world.report(unknown.batch) == [(4, "service_code", "Отопление")]


def test_skip_rows_skips_a_preamble_and_keeps_the_files_line_numbers(world):
    profile = _profile(
        world,
        skip_rows=2,
        columns={"supplier_account": "ls", "service_code": "usl", "amount": "summa"},
    )
    content = "Выгрузка начислений за 12.2026\nВодоканал;ИНН 7702070139\nls,usl,summa\n"
    content += "VK-0001,01,10.00\nVK-0002,01,oops\n"

    rejected = world.import_(content, profile=profile)

    assert rejected.status == "rejected"
    assert world.report(rejected.batch) == [(5, "amount", "oops")]

    outcome = world.import_(content.replace("oops", "2.00"), profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert [(c[0], c[5], c[6]) for c in _charges()] == [("00000001", 1000, 4), ("00000002", 200, 5)]


def test_the_date_format_reads_the_period_column(world):
    profile = _profile(
        world,
        date_format="%m.%Y",
        columns={
            "supplier_account": "ls",
            "service_code": "usl",
            "amount": "summa",
            "period": "mes",
        },
    )
    content = "ls,usl,summa,mes\nVK-0001,01,10.00,12.2026\nVK-0002,01,10.00,11.2026\n"

    rejected = world.import_(content, profile=profile)

    assert rejected.status == "rejected"
    assert [(line, column) for line, column, _ in world.report(rejected.batch)] == [(3, "period")]
    assert world.report(rejected.batch)[0][2] == "11.2026"

    outcome = world.import_(content.replace("11.2026", "12.2026"), profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert Charge.objects.count() == 2


def test_an_explicit_encoding_separator_and_decimal_mark(world):
    profile = _profile(
        world,
        encoding="koi8_r",
        separator="\t",
        decimal_mark=",",
        columns={"supplier_account": "Счёт", "service_code": "Услуга", "amount": "Сумма"},
    )
    content = "Счёт\tУслуга\tСумма\nВК-0006\t01\t1234,56\nVK-0001\t02\t7,00\n".encode("koi8_r")

    outcome = world.import_(content, profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert world.charge_totals() == {"ВК-0006": 123456, "VK-0001": 700}

    # the same bytes without the profile's encoding and separator cannot be read as charges
    assert world.import_(content, period="2026-11").status == "rejected"


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_sheet_named_by_the_profile(world):
    profile = _profile(
        world,
        format="xlsx",
        sheet="Начисления",
        columns={"supplier_account": "Лицевой счёт", "service_code": "Код", "amount": "Сумма"},
    )
    content = _workbook(
        {
            "Сводка": [["Итого", 1234.5]],
            "Начисления": [
                ["Лицевой счёт", "Код", "Сумма"],
                ["VK-0001", "01", 100.5],
                ["VK-0002", "02", 7],
            ],
        }
    )

    outcome = world.import_(content, filename="export.xlsx", profile=profile)

    assert outcome.status == "posted", outcome.batch.report
    assert world.charge_totals() == {"VK-0001": 10050, "VK-0002": 700}

    profile.sheet = "Лист1"
    profile.save()
    missing = world.import_(content, filename="export.xlsx", period="2026-11", profile=profile)

    assert missing.status == "rejected"
    assert world.report(missing.batch) == [(None, "sheet", "Лист1")]


def test_the_command_imports_through_a_named_profile(world):
    _profile(world, columns={"supplier_account": "ls", "service_code": "usl", "amount": "summa"})
    path = world.write("export.csv", "ls,usl,summa\nVK-0001,01,10.00\n")

    status, stdout, _ = world.run(path, profile="p")

    assert status == 0 and stdout.startswith("POSTED")
    assert ImportBatch.objects.get().profile.name == "p"

    with pytest.raises(CommandError, match="no mapping profile 'nope'"):
        world.run(path, profile="nope")


def test_a_profile_of_another_supplier_is_refused(world):
    (heat,) = _setup(world, {"profiles": [{"name": "heat", "supplier": "teplo"}]})

    with pytest.raises(ApplicationError, match="belongs to another supplier"):
        world.import_("supplier_account,service_code,amount\nVK-0001,01,1.00\n", profile=heat)

    assert ImportBatch.objects.count() == 0


# --- the demo's layouts ----------------------------------------------------------------------


def test_every_demo_file_imports_through_its_suppliers_profile(db, charge_files):
    call_command(
        "seed_demo",
        "--accounts",
        "30",
        "--last-period",
        "2026-10",
        "--out",
        str(charge_files / "demo"),
        stdout=io.StringIO(),
    )

    written = sorted(p for p in (charge_files / "demo").glob("*/*/*") if p.is_file())
    assert len(written) == 33
    # the demo closes periods, which charges penalties in batches of their own (no file)
    batches = ImportBatch.objects.select_related("supplier", "profile").exclude(
        source_format=SourceFormat.PENALTY
    )
    assert batches.count() == batches.filter(status=BatchStatus.POSTED).count() == 33
    for batch in batches:
        assert batch.profile.name == f"{batch.supplier.code}-export"
        assert batch.rows_total == Charge.objects.filter(batch=batch).count() > 0
    assert {b.source_format for b in batches} == {"csv", "xlsx"}
    for supplier in Supplier.objects.filter(tenant__code__in=["demo-ru", "demo-eu"]):
        assert set(batches.filter(supplier=supplier).values_list("period", flat=True)) == {
            "2026-08",
            "2026-09",
            "2026-10",
        }
