"""The rules of import-formats.md ("Common rules", "Charges"), one test each: a bad line is
reported with its line, column, value and reason, and nothing of the file is posted; the good
files (Windows-1251, BOM, blank lines, XLSX) post charges and one open item per account."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from warehouse.models import BatchStatus, Charge, ChargeKind, ImportBatch, OpenItem, UnmatchedLine

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db


def _reason(outcome, line, column) -> str:
    outcome.batch.refresh_from_db()
    found = {(row["line"], row["column"]): row["reason"] for row in outcome.batch.report}
    assert (line, column) in found, f"no error at line {line}, {column}: {found}"
    return found[(line, column)]


# --- a good file ---------------------------------------------------------------------------


def test_good_file_posts_charges_and_one_open_item_per_account(world):
    outcome = world.import_(
        """
        supplier_account,service_code,quantity,unit,tariff,amount,kind,period
        VK-0001,01,2.5,m3,52.44,131.10,regular,2026-12
        VK-0001,02,1.25,m3,210.123456,262.65,,2026-12
        VK-0002,01,3,m3,52.44,157.32,regular,
        VK-0002,01,,,,-10.00,recalculation,2026-12
        VK-0003,02,,,,99.99,penalty,2026-12
        """,
    )

    assert outcome.status == "posted", outcome.batch.report
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.version, batch.rows_total) == (BatchStatus.POSTED, 1, 5)
    assert batch.amount_total == 13110 + 26265 + 15732 - 1000 + 9999
    first = Charge.objects.get(account=world.account("VK-0001"), service=world.services["HW"])
    assert (first.quantity, first.unit, first.tariff) == (
        Decimal("1.25"),
        "m3",
        Decimal("210.123456"),
    )
    assert (first.amount, first.kind, first.period, first.line) == (26265, "regular", "2026-12", 3)
    assert first.batch == batch and first.supplier == world.supplier
    recalculation = Charge.objects.get(kind=ChargeKind.RECALCULATION)
    assert (recalculation.quantity, recalculation.tariff, recalculation.unit) == (None, None, "")
    assert recalculation.amount == -1000

    items = {
        (i.account.account_number, i.kind): i for i in OpenItem.objects.select_related("account")
    }
    assert set(items) == {("00000001", "charges"), ("00000002", "charges"), ("00000003", "penalty")}
    expected = {"00000001": 13110 + 26265, "00000002": 15732 - 1000, "00000003": 9999}
    for (number, _), item in items.items():
        assert item.amount == item.open_amount == expected[number]
        assert item.due_date == dt.date(2027, 1, 15)  # the law's 15th of the next month (177-ФЗ)
        assert item.supplier == world.supplier and item.period == "2026-12"
        assert item.batch == batch
    assert world.charge_totals() == {"VK-0001": 39375, "VK-0002": 14732, "VK-0003": 9999}


def test_the_command_posts_a_good_file_and_exits_0(world):
    path = world.write("charges.csv", "supplier_account,service_code,amount\nVK-0001,01,10.00\n")

    status, stdout, _ = world.run(path)

    assert status == 0
    assert stdout.startswith("POSTED: vodokanal 2026-12")
    assert Charge.objects.get().amount == 1000


# --- every rule, each rejecting the whole file ---------------------------------------------


def test_a_line_with_the_wrong_number_of_fields_is_an_error_of_that_line(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount
        VK-0001,01,10.00
        VK-0002,01,10.00,surplus
        VK-0003,01
        """,
    )

    world.assert_rejected_whole(outcome)
    assert [(line, column) for line, column, _ in world.report(outcome.batch)] == [
        (3, "line"),
        (4, "line"),
    ]
    assert _reason(outcome, 3, "line") == "has 4 fields, the header has 3"
    assert _reason(outcome, 4, "line") == "has 2 fields, the header has 3"


def test_the_command_exits_1_with_the_report_for_a_rejected_file(world):
    path = world.write(
        "charges.csv", "supplier_account,service_code,amount\nVK-0001,01,10.00,surplus\n"
    )

    status, stdout, stderr = world.run(path)

    assert status == 1
    assert "REJECTED" in stderr and "line 2, line" in stderr
    report_path = stderr.split("Report: ")[1].strip()
    assert "has 4 fields" in Path(report_path).read_text(encoding="utf-8")
    assert Charge.objects.count() == 0
    assert ImportBatch.objects.get().status == BatchStatus.REJECTED


def test_an_unknown_supplier_account_is_rejected_and_queued_for_mapping(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount
        VK-0001,01,10.00
        VK-9999,01,10.00
        VK-9999,02,5.00
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [
        (3, "supplier_account", "VK-9999"),
        (4, "supplier_account", "VK-9999"),
    ]
    assert _reason(outcome, 3, "supplier_account").startswith("unknown supplier account")
    queued = UnmatchedLine.objects.get()
    assert (queued.supplier, queued.supplier_account, queued.lines) == (
        world.supplier,
        "VK-9999",
        [3, 4],
    )
    assert queued.batch == outcome.batch and queued.resolved_at is None
    assert outcome.batch.rows_unmatched == 2


def test_an_unknown_service_code_is_rejected(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount
        VK-0001,01,10.00
        VK-0002,OT,10.00
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [
        (3, "service_code", "OT")
    ]  # teplo's code, not vodokanal's
    assert _reason(outcome, 3, "service_code").startswith("unknown service code")


def test_a_non_numeric_amount_is_rejected(world):
    outcome = world.import_(
        """
        supplier_account,service_code,quantity,tariff,amount
        VK-0001,01,,,ten
        VK-0002,01,,,?
        VK-0003,01,,,1e3
        VK-0004,01,,,NaN
        VK-0005,01,,,+5.00
        ВК-0006,01,2,3,
        """
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [
        (2, "amount", "ten"),
        (3, "amount", "?"),
        (4, "amount", "1e3"),
        (5, "amount", "NaN"),
        (6, "amount", "+5.00"),
        (7, "amount", ""),  # only once: an empty amount is not also "not quantity × tariff"
    ]
    assert _reason(outcome, 2, "amount").startswith("not an amount with at most 2 decimals")
    assert _reason(outcome, 7, "amount") == "required value is empty"


def test_an_amount_with_three_decimals_is_rejected(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount
        VK-0001,01,10.00
        VK-0002,01,10.125
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(3, "amount", "10.125")]
    assert _reason(outcome, 3, "amount").startswith("not an amount with at most 2 decimals")


@pytest.mark.parametrize(
    ("content", "value"),
    [
        (
            "supplier_account;service_code;amount\nVK-0001;01;10.00\nVK-0002;01;1,234.56\n",
            "1,234.56",
        ),
        (
            "supplier_account;service_code;amount\nVK-0001;01;10,00\nVK-0002;01;1.234,56\n",
            "1.234,56",
        ),
        (
            "supplier_account,service_code,amount\nVK-0001,01,10.00\nVK-0002,01,1 234.56\n",
            "1 234.56",
        ),
    ],
    ids=["comma-thousands", "point-thousands", "space-thousands"],
)
def test_an_amount_with_a_thousands_separator_is_rejected(world, content, value):
    outcome = world.import_(content.encode())

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(3, "amount", value)]
    assert "thousands separator" in _reason(outcome, 3, "amount")


def test_a_negative_regular_amount_is_rejected(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount,kind
        VK-0001,01,-10.00,regular
        VK-0002,01,-10.00,
        VK-0003,01,-10.00,penalty
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [
        (2, "amount", "-10.00"),
        (3, "amount", "-10.00"),
        (4, "amount", "-10.00"),
    ]
    assert _reason(outcome, 2, "amount") == (
        "a negative amount is allowed only for kind recalculation or privilege"
    )


def test_a_negative_amount_is_accepted_for_recalculation_and_privilege(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount,kind
        VK-0001,01,100.00,regular
        VK-0001,01,-10.00,recalculation
        VK-0002,01,-25.50,Privilege
        """,
    )

    assert outcome.status == "posted", outcome.batch.report
    assert sorted(Charge.objects.values_list("kind", "amount")) == [
        ("privilege", -2550),
        ("recalculation", -1000),
        ("regular", 10000),
    ]
    items = {i.account_id: (i.amount, i.open_amount) for i in OpenItem.objects.all()}
    assert items == {
        world.account("VK-0001").pk: (9000, 9000),
        world.account("VK-0002").pk: (-2550, -2550),  # a credit
    }


def test_an_unknown_kind_is_rejected(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount,kind
        VK-0001,01,10.00,regular
        VK-0002,01,10.00,bonus
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(3, "kind", "bonus")]
    assert _reason(outcome, 3, "kind").startswith("kind must be one of regular, recalculation")


def test_a_duplicate_line_is_rejected_at_its_second_occurrence(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount,kind
        VK-0001,01,10.00,regular
        VK-0001,01,-1.00,recalculation
        VK-0001,02,10.00,regular
        VK-0001,01,12.00,
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(5, "supplier_account", "VK-0001")]
    assert _reason(outcome, 5, "supplier_account").startswith("duplicate line")


def test_a_line_of_another_period_is_rejected(world):
    outcome = world.import_(
        """
        supplier_account,service_code,amount,period
        VK-0001,01,10.00,2026-12
        VK-0002,01,10.00,2026-11
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(3, "period", "2026-11")]
    assert _reason(outcome, 3, "period") == (
        "the line's period differs from the import's period 2026-12"
    )


def test_amount_must_be_quantity_times_tariff_within_one_cent(world):
    outcome = world.import_(
        """
        supplier_account,service_code,quantity,tariff,amount
        VK-0001,01,2.5,52.44,131.10
        VK-0002,01,2.5,52.44,131.12
        VK-0003,01,2.5,52.44,131.08
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(3, "amount", "131.12"), (4, "amount", "131.08")]
    assert _reason(outcome, 3, "amount") == (
        "amount is not quantity × tariff rounded to 2 decimals (within 0.01)"
    )


def test_amount_within_one_cent_of_quantity_times_tariff_is_accepted(world):
    outcome = world.import_(
        """
        supplier_account,service_code,quantity,tariff,amount,kind
        VK-0001,01,2.5,52.44,131.11,
        VK-0002,01,2.5,52.44,131.09,
        VK-0003,01,3.333333,1.5,5.00,
        VK-0004,01,2.5,52.44,-40.00,recalculation
        """,
    )

    assert outcome.status == "posted", outcome.batch.report
    assert world.charge_totals() == {
        "VK-0001": 13111,
        "VK-0002": 13109,
        "VK-0003": 500,
        "VK-0004": -4000,
    }


def test_a_quantity_with_seven_decimals_is_rejected(world):
    outcome = world.import_(
        """
        supplier_account,service_code,quantity,tariff,amount
        VK-0001,01,1.123456,1,1.12
        VK-0002,01,1.1234567,1,1.12
        VK-0003,01,1,1.1234567,1.12
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(3, "quantity", "1.1234567"), (4, "tariff", "1.1234567")]
    assert _reason(outcome, 3, "quantity") == "not a number with at most 6 decimals"


def test_a_missing_required_column_rejects_the_file_at_line_1(world):
    outcome = world.import_(
        """
        supplier_account,service_code,quantity
        VK-0001,01,2
        """,
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(1, "amount", "")]
    assert _reason(outcome, 1, "amount") == "required column is missing from the header"


def test_a_file_mixing_decimal_marks_is_rejected_at_the_lines_with_the_other_mark(world):
    outcome = world.import_(
        """
        supplier_account;service_code;quantity;tariff;amount
        VK-0001;01;2.5;52.44;131.10
        VK-0002;01;1.5;10.00;15.00
        VK-0003;01;2,5;52,44;131,10
        VK-0004;01;;;7.00
        """
    )

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [
        (4, "amount", "131,10"),
        (4, "quantity", "2,5"),
        (4, "tariff", "52,44"),
    ]
    assert "decimal mark" in _reason(outcome, 4, "amount")


# --- encodings, blank lines, XLSX ----------------------------------------------------------


def test_a_windows_1251_file_with_semicolons_and_decimal_commas_posts_exact_amounts(world):
    content = world.text(
        """
        Supplier_Account ; Service_Code;Quantity;Unit;Tariff;Amount
        ВК-0006;01;2,5;м3;52,44;131,10
        ВК-0006;02;0,333333;м3;3,000003;1,00
        VK-0001;01;1;м3;0,01;0,01
        VK-0002;01;;;;12345678901,99
        """
    ).encode("cp1251")

    outcome = world.import_(content)

    assert outcome.status == "posted", outcome.batch.report
    assert world.charge_totals() == {
        "ВК-0006": 13110 + 100,
        "VK-0001": 1,
        "VK-0002": 1234567890199,
    }
    assert set(Charge.objects.values_list("unit", flat=True)) == {"м3", ""}
    assert Charge.objects.get(line=3).quantity == Decimal("0.333333")
    assert Charge.objects.get(line=3).tariff == Decimal("3.000003")


def test_a_utf8_file_with_a_bom_is_accepted(world):
    content = "\ufeffsupplier_account,service_code,amount\r\nВК-0006,01,10.50\r\n".encode()

    outcome = world.import_(content)

    assert outcome.status == "posted", outcome.batch.report
    assert world.charge_totals() == {"ВК-0006": 1050}


def test_empty_lines_are_skipped_and_line_numbers_stay_those_of_the_file(world):
    content = (
        b"supplier_account,service_code,amount\r\n"
        b"\r\n"
        b"VK-0001,01,10.00\r\n"
        b",,\r\n"
        b"   \r\n"
        b"VK-0002,01,bad\r\n"
        b"\r\n"
    )

    outcome = world.import_(content)

    world.assert_rejected_whole(outcome)
    assert world.report(outcome.batch) == [(6, "amount", "bad")]
    fixed = world.import_(content.replace(b"bad", b"1.00"))
    assert fixed.status == "posted", fixed.batch.report
    assert sorted(Charge.objects.values_list("line", flat=True)) == [3, 6]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_file_is_accepted(world):
    content = _xlsx(
        [
            ["Supplier_Account", "Service_Code", "Quantity", "Unit", "Tariff", "Amount"],
            ["VK-0001", "01", 2.5, "m3", 52.44, 131.1],
            [None, None, None, None, None, None],
            ["VK-0002", "02", 3, "m3", 10, 30],
            ["VK-0003", "01", None, None, None, "7.05"],
        ]
    )

    outcome = world.import_(content, filename="charges.xlsx")

    assert outcome.status == "posted", outcome.batch.report
    assert outcome.batch.source_format == "xlsx"
    assert world.charge_totals() == {"VK-0001": 13110, "VK-0002": 3000, "VK-0003": 705}
    assert sorted(Charge.objects.values_list("line", flat=True)) == [2, 4, 5]
    assert Charge.objects.get(line=2).quantity == Decimal("2.5")


def test_an_xlsx_file_reports_its_bad_rows_by_sheet_row(world):
    content = _xlsx(
        [
            ["supplier_account", "service_code", "amount"],
            ["VK-0001", "01", 10],
            ["VK-0002", "01", 10.125],
            ["VK-0003", "01", 1, "beyond the header"],
        ]
    )

    outcome = world.import_(content, filename="charges.xlsx")

    world.assert_rejected_whole(outcome)
    assert [(line, column) for line, column, _ in world.report(outcome.batch)] == [
        (3, "amount"),
        (4, "line"),
    ]
