"""`import_accounts FILE --tenant CODE` (import-formats.md "Accounts"): a good register in any of
the accepted shapes creates accounts, buildings, premises and supplier links, and a re-import
updates without deleting; a file with any bad line is rejected whole, every problem reported
with its line and column, and nothing is written."""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from warehouse.models import Account, AccountLink, AuditEvent, Building, Premises, Tenant
from warehouse.reports import FileRejected
from warehouse.services.accounts import accounts_import

FILES = Path(__file__).parent / "files"
TENANT = "rc-moskva"

pytestmark = pytest.mark.django_db

HEADER = [
    "account_number",
    "address",
    "premises",
    "payer_name",
    "phone",
    "email",
    "area_m2",
    "residents",
    "delivery_route",
    "links",
]
LENINA = "г. Москва, ул. Ленина, д. 1"
MIRA = "г. Москва, ул. Мира, д. 5"
ROWS = [
    [
        "1001",
        LENINA,
        "1",
        "Иванов Иван Иванович",
        "+79161234567",
        "ivanov@example.ru",
        "45.50",
        "3",
        "R1",
        "vodokanal:VK-0001|teplo:T-1",
    ],
    ["1002", LENINA, "2", "Петрова Анна Сергеевна", "", "", "62.1", "2", "R1", "vodokanal:VK-0002"],
    [
        "1003",
        MIRA,
        "12А",
        "ООО «Ромашка»",
        "+74951234567",
        "office@romashka.ru",
        "120",
        "",
        "R2",
        "",
    ],
]
# What ROWS leave in the database, whatever the file's shape.
ACCOUNTS = [
    (
        "1001",
        LENINA,
        "1",
        "Иванов Иван Иванович",
        "+79161234567",
        "ivanov@example.ru",
        Decimal("45.50"),
        3,
        "R1",
    ),
    ("1002", LENINA, "2", "Петрова Анна Сергеевна", "", "", Decimal("62.10"), 2, "R1"),
    (
        "1003",
        MIRA,
        "12А",
        "ООО «Ромашка»",
        "+74951234567",
        "office@romashka.ru",
        Decimal(120),
        None,
        "R2",
    ),
]
LINKS = [
    ("teplo", "T-1", "1001"),
    ("vodokanal", "VK-0001", "1001"),
    ("vodokanal", "VK-0002", "1002"),
]


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def tenant() -> Tenant:
    """The RU tenant of files/tenant_ru.yaml, with the suppliers `vodokanal` and `teplo`."""
    call_command("setup_tenant", str(FILES / "tenant_ru.yaml"), stdout=StringIO())
    return Tenant.objects.get(code=TENANT)


def _csv_text(rows, header=HEADER, *, separator=",", decimal_comma=False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    area = header.index("area_m2") if "area_m2" in header else None
    writer.writerow(header)
    for row in rows:
        row = list(row)
        if decimal_comma and area is not None:
            row[area] = row[area].replace(".", ",")
        writer.writerow(row)
    return out.getvalue()


def _xlsx(rows, header=HEADER, *, blank_rows_after_header=0) -> bytes:
    """An XLSX as a spreadsheet user makes it: numbers typed as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Лицевые счета"
    sheet.append(header)
    for _ in range(blank_rows_after_header):
        sheet.append([None])
    for row in rows:
        sheet.append([_typed(column, value) for column, value in zip(header, row, strict=True)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _typed(column: str, value: str):
    if value == "":
        return None
    if column in ("account_number", "residents") and value.isdigit():
        return int(value)
    if column == "area_m2" and re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    return value


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _import(path: Path, code: str = TENANT) -> str:
    out = StringIO()
    call_command("import_accounts", str(path), "--tenant", code, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def _import_rejected(path: Path) -> tuple[str, list[dict]]:
    """Runs the command on a bad file: exit status 1; returns stderr and the report's rows."""
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_accounts", str(path), "--tenant", TENANT, stdout=StringIO(), stderr=err
        )
    assert exit_.value.code == 1
    output = err.getvalue()
    assert f"REJECTED {path}" in output
    assert "nothing was written" in output
    report = Path(re.search(r"^Report: (.+)$", output, re.MULTILINE).group(1))
    assert report.is_file()
    assert report.parent.name == "reports"
    with report.open(encoding="utf-8", newline="") as f:
        return output, list(csv.DictReader(f))


def _state():
    accounts = sorted(
        Account.objects.values_list(
            "account_number",
            "premises__building__address",
            "premises__number",
            "payer_name",
            "phone",
            "email",
            "area_m2",
            "residents",
            "delivery_route",
        )
    )
    links = sorted(
        AccountLink.objects.values_list(
            "supplier__code", "external_number", "account__account_number"
        )
    )
    return accounts, links


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Account, AccountLink, Building, Premises, AuditEvent)
    }


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(lines) >= occurrence, f"{needle!r} not in the file"
    return lines[occurrence - 1]


# --- good files ---------------------------------------------------------------------------

SHAPES = {
    "utf-8, comma": lambda: ("accounts.csv", _csv_text(ROWS).encode("utf-8")),
    "utf-8 with BOM": lambda: ("accounts.csv", _csv_text(ROWS).encode("utf-8-sig")),
    "windows-1251, semicolon, decimal comma": lambda: (
        "accounts.csv",
        _csv_text(ROWS, separator=";", decimal_comma=True).encode("cp1251"),
    ),
    "utf-8, semicolon, decimal comma, LF": lambda: (
        "accounts.csv",
        _csv_text(ROWS, separator=";", decimal_comma=True).replace("\r\n", "\n").encode(),
    ),
    "utf-16 (Excel's Unicode text)": lambda: (
        "accounts.csv",
        _csv_text(ROWS, separator=";").encode("utf-16"),
    ),
    "xlsx": lambda: ("accounts.xlsx", _xlsx(ROWS)),
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_good_register_creates_accounts_buildings_premises_and_links(
    tmp_path, tenant, shape, request
):
    name, data = shape()

    output = _import(_write(tmp_path, name, data))

    in_1251 = "1251" in request.node.callspec.id
    guessed = " The file was read as Windows-1251 (detected)." if in_1251 else ""
    assert output == f"Accounts of {TENANT}: 3 created, 0 updated, 3 supplier links.{guessed}"
    assert _state() == (ACCOUNTS, LINKS)
    assert sorted(Building.objects.filter(tenant=tenant).values_list("address", flat=True)) == [
        LENINA,
        MIRA,
    ]
    assert Premises.objects.filter(tenant=tenant).count() == 3
    assert AccountLink.objects.filter(tenant=tenant).count() == 3
    for account in Account.objects.all():
        assert account.tenant_id == tenant.id
        assert re.fullmatch(r"\d{6}", account.verification_code)
        assert account.is_active
    event = AuditEvent.objects.get(action="accounts.imported")
    assert event.detail == {"file": name, "created": 3, "updated": 0, "links": 3}


def test_header_names_match_case_insensitively_and_empty_lines_are_skipped(tmp_path, tenant):
    header = [f"  {name.upper()} " for name in HEADER]
    text = _csv_text(ROWS, header)
    text = "\r\n" + text.replace("\r\n1002", "\r\n\r\n  \r\n1002", 1)

    output = _import(_write(tmp_path, "accounts.csv", text.encode()))

    assert output.endswith("3 created, 0 updated, 3 supplier links.")
    assert _state() == (ACCOUNTS, LINKS)


def test_optional_columns_may_be_left_out(tmp_path, tenant):
    header = ["address", "account_number", "payer_name", "premises"]
    rows = [[LENINA, "1001", "Иванов Иван Иванович", "1"]]

    _import(_write(tmp_path, "accounts.csv", _csv_text(rows, header).encode()))

    account = Account.objects.get()
    assert (account.phone, account.email, account.area_m2, account.residents) == (
        "",
        "",
        None,
        None,
    )
    assert AccountLink.objects.count() == 0


def test_reimport_updates_accounts_adds_new_ones_and_deletes_nothing(tmp_path, tenant):
    _import(_write(tmp_path, "first.csv", _csv_text(ROWS).encode()))
    before = {a.account_number: a for a in Account.objects.all()}
    second = [
        [*ROWS[0][:3], "Иванова Мария Петровна", *ROWS[0][4:]],
        ROWS[2],
        ["1004", MIRA, "14", "Сидоров С. С.", "", "", "", "1", "R2", "vodokanal:VK-0004"],
    ]

    output = _import(_write(tmp_path, "second.csv", _csv_text(second).encode()))

    assert output == f"Accounts of {TENANT}: 1 created, 2 updated, 3 supplier links."
    after = {a.account_number: a for a in Account.objects.all()}
    assert sorted(after) == ["1001", "1002", "1003", "1004"]  # 1002 is not in the file: kept
    assert after["1001"].payer_name == "Иванова Мария Петровна"
    assert after["1002"].payer_name == "Петрова Анна Сергеевна"
    for number in ("1001", "1002", "1003"):
        assert after[number].id == before[number].id
        assert after[number].verification_code == before[number].verification_code
    assert sorted(
        AccountLink.objects.values_list(
            "supplier__code", "external_number", "account__account_number"
        )
    ) == [*LINKS, ("vodokanal", "VK-0004", "1004")]
    assert (Building.objects.count(), Premises.objects.count()) == (2, 4)


def test_reimport_of_the_same_file_changes_nothing_but_counts_updates(tmp_path, tenant):
    path = _write(tmp_path, "accounts.xlsx", _xlsx(ROWS))
    _import(path)
    state = _state()
    ids = sorted(Account.objects.values_list("id", flat=True))

    output = _import(path)

    assert output == f"Accounts of {TENANT}: 0 created, 3 updated, 3 supplier links."
    assert _state() == state
    assert sorted(Account.objects.values_list("id", flat=True)) == ids
    assert (Building.objects.count(), Premises.objects.count()) == (2, 3)


def test_accounts_of_another_tenant_are_not_touched(tmp_path, tenant):
    call_command("setup_tenant", str(FILES / "tenant_eu.yaml"), stdout=StringIO())
    other = Tenant.objects.get(code="acme-eu")
    rows = [[*ROWS[0][:9], "water:W-1"]]
    accounts_import(tenant=other, data=_csv_text(rows).encode(), filename="eu.csv")

    _import(_write(tmp_path, "accounts.csv", _csv_text(ROWS).encode()))

    assert Account.objects.filter(tenant=other).count() == 1
    assert Account.objects.filter(tenant=tenant).count() == 3
    assert Building.objects.count() == 3  # the same address is one building per tenant


# --- bad files ----------------------------------------------------------------------------

# The bad files also rename account 1001 and add account 1005 in a new building: none of it
# may reach the database.
RENAMED = "Иванов Иван Петрович"
BAD_ROWS = [
    [*ROWS[0][:3], RENAMED, *ROWS[0][4:]],
    ROWS[1],
    ROWS[2],
    ["1005", "г. Москва, ул. Мира, д. 7", "3", "Новиков Н. Н.", "", "", "30", "1", "R2", ""],
]
COLUMN = {name: index for index, name in enumerate(HEADER)}


def _with(row: int, column: str, value: str):
    def change(rows):
        rows[row][COLUMN[column]] = value

    return change


def _moved_link(rows):
    """VK-0001 (linked to 1001 by the first import) is given to the new account 1005."""
    rows[0][COLUMN["links"]] = "teplo:T-1"
    rows[3][COLUMN["links"]] = "vodokanal:VK-0001"


@dataclass(frozen=True)
class Bad:
    """A bad variant of BAD_ROWS and the problems expected: (needle, column) pairs, the line
    being the one holding the needle (its `occurrence`-th appearance)."""

    change: Callable | None = None
    expected: list[tuple] = field(default_factory=list)
    reason: str = ""
    build: Callable | None = None  # builds (filename, bytes) itself


def _missing_column(name: str):
    def build():
        header = [c for c in HEADER if c != name]
        rows = [[v for c, v in zip(HEADER, row, strict=True) if c != name] for row in BAD_ROWS]
        return "accounts.csv", _csv_text(rows, header).encode()

    return build


def _extra_field():
    text = _csv_text(BAD_ROWS)
    text = text.replace("R1,vodokanal:VK-0002", "R1,vodokanal:VK-0002,extra")
    return "accounts.csv", text.encode()


BAD = {
    "bad phone": Bad(
        _with(0, "phone", "8-916-123-45"), [("8-916-123-45", "phone")], "not a valid phone number"
    ),
    "a German mobile read in Russia": Bad(
        _with(2, "phone", "0171 1234567"), [("0171 1234567", "phone")], "(read in RU)"
    ),
    "bad email": Bad(_with(1, "email", "petrova@"), [("petrova@", "email")], "e-mail"),
    "duplicate account number": Bad(
        _with(3, "account_number", "1002"),
        [(("1002,", 2), "account_number")],
        "duplicate account number (first on line 3)",
    ),
    "empty required value": Bad(
        _with(1, "payer_name", ""), [("VK-0002", "payer_name")], "required value is empty"
    ),
    "missing required column": Bad(
        build=_missing_column("payer_name"),
        expected=[(1, "payer_name")],
        reason="required column is missing",
    ),
    "wrong number of fields": Bad(
        build=_extra_field,
        expected=[("VK-0002,extra", "line")],
        reason="has 11 fields, the header has 10",
    ),
    "unreadable encoding (binary)": Bad(
        build=lambda: ("accounts.csv", _csv_text(BAD_ROWS).encode() + b"\x00\x01\x02\x03"),
        expected=[(None, "file")],
        reason="control characters",
    ),
    "unknown supplier code in links": Bad(
        _with(3, "links", "gaz:G-1"), [("gaz:G-1", "links")], "unknown supplier code 'gaz'"
    ),
    "link without a supplier code": Bad(
        _with(3, "links", "G-1"), [("G-1", "links")], "SUPPLIERCODE:number"
    ),
    "supplier number already linked to another account": Bad(
        _moved_link,
        [("vodokanal:VK-0001", "links")],
        "already linked to account 1001",
    ),
    "supplier number linked twice in the file": Bad(
        _with(3, "links", "teplo:T-1"),
        [(("teplo:T-1", 2), "links")],
        "also linked on line 2",
    ),
    "negative area": Bad(_with(1, "area_m2", "-62.1"), [("-62.1", "area_m2")], "area"),
    "garbage area": Bad(_with(1, "area_m2", "62 m2"), [("62 m2", "area_m2")], "area"),
    "area with three decimals": Bad(_with(1, "area_m2", "62.125"), [("62.125", "area_m2")]),
    "non-integer residents": Bad(_with(1, "residents", "2.5"), [("2.5", "residents")], "integer"),
    "residents as words": Bad(_with(1, "residents", "двое"), [("двое", "residents")], "integer"),
    "negative residents": Bad(_with(1, "residents", "-2"), [("-2", "residents")], "integer"),
    "account number too long": Bad(
        _with(3, "account_number", "9" * 33), [("9" * 33, "account_number")], "longer than 32"
    ),
}


def _build(bad: Bad) -> tuple[str, bytes, str]:
    if bad.build:
        name, data = bad.build()
    else:
        rows = [list(row) for row in BAD_ROWS]
        bad.change(rows)
        name, data = "accounts.csv", _csv_text(rows).encode()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    return name, data, text


def _expected_lines(bad: Bad, text: str) -> list[tuple[int | None, str]]:
    expected = []
    for where, column in bad.expected:
        if where is None or isinstance(where, int):
            expected.append((where, column))
        else:
            needle, occurrence = where if isinstance(where, tuple) else (where, 1)
            expected.append((_line_of(text, needle, occurrence), column))
    return expected


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_bad_register_is_rejected_whole_with_line_and_column(tmp_path, tenant, bad):
    _import(_write(tmp_path, "first.csv", _csv_text(ROWS).encode()))
    before, counts = _state(), _counts()
    name, data, text = _build(bad)
    expected = _expected_lines(bad, text)

    with pytest.raises(FileRejected) as rejected:
        accounts_import(tenant=tenant, data=data, filename=name)
    output, report = _import_rejected(_write(tmp_path, name, data))

    errors = rejected.value.errors
    assert [(e.line, e.column) for e in errors] == expected
    assert all(bad.reason in e.reason for e in errors)
    assert [(row["line"], row["column"]) for row in report] == [
        ("" if line is None else str(line), column) for line, column in expected
    ]
    for line, column in expected:
        assert f"{'file' if line is None else f'line {line}'}, {column}" in output
    assert _counts() == counts
    assert _state() == before
    assert not Account.objects.filter(payer_name=RENAMED).exists()


def test_every_bad_line_is_reported_in_line_order(tmp_path, tenant):
    rows = [list(row) for row in BAD_ROWS]
    rows[3][COLUMN["residents"]] = "1.5"
    rows[0][COLUMN["email"]] = "ivanov@@example.ru"
    rows[0][COLUMN["phone"]] = "7916123"
    rows[2][COLUMN["links"]] = "gaz:1"
    text = _csv_text(rows).replace("\r\n1002,", "\r\n1002,,\r\n1002,", 1)

    output, report = _import_rejected(_write(tmp_path, "accounts.csv", text.encode()))

    assert [(row["line"], row["column"]) for row in report] == [
        ("2", "email"),
        ("2", "phone"),
        ("3", "line"),  # a stray line of 3 fields
        ("5", "links"),
        ("6", "residents"),
    ]
    assert [row["value"] for row in report if row["column"] != "line"] == [
        "ivanov@@example.ru",
        "7916123",
        "gaz:1",
        "1.5",
    ]
    assert "5 problem(s)" in output
    assert Account.objects.count() == 0


def test_bad_xlsx_reports_the_sheet_row(tmp_path, tenant):
    rows = [list(row) for row in BAD_ROWS]
    rows[2][COLUMN["email"]] = "romashka.ru"
    rows[3][COLUMN["area_m2"]] = "-30"

    with pytest.raises(FileRejected) as rejected:
        accounts_import(
            tenant=tenant, data=_xlsx(rows, blank_rows_after_header=2), filename="accounts.xlsx"
        )

    # header on row 1, two blank rows, the data from row 4: BAD_ROWS[2] is on row 6
    assert [(e.line, e.column, e.value) for e in rejected.value.errors] == [
        (6, "email", "romashka.ru"),
        (7, "area_m2", "-30"),
    ]
    assert Account.objects.count() == 0


def test_every_xlsx_row_with_values_beyond_the_header_is_reported(tmp_path, tenant):
    rows = [list(row) for row in BAD_ROWS]
    rows[2][COLUMN["phone"]] = "+7-495-123"
    data = _xlsx(rows)
    workbook = load_workbook(io.BytesIO(data))
    workbook.active.cell(row=2, column=len(HEADER) + 1, value="stray")
    workbook.active.cell(row=5, column=len(HEADER) + 3, value=42)
    out = io.BytesIO()
    workbook.save(out)

    output, report = _import_rejected(_write(tmp_path, "accounts.xlsx", out.getvalue()))

    assert [(row["line"], row["column"]) for row in report] == [
        ("2", "line"),
        ("4", "phone"),
        ("5", "line"),
    ]
    assert "has values beyond the 10 header columns" in output
    assert Account.objects.count() == 0


def test_bad_windows_1251_file_reports_the_value_as_written(tmp_path, tenant):
    rows = [list(row) for row in BAD_ROWS]
    rows[1][COLUMN["area_m2"]] = "62,125"
    rows[3][COLUMN["residents"]] = "один"
    text = _csv_text(rows, separator=";", decimal_comma=True)

    output, report = _import_rejected(_write(tmp_path, "accounts.csv", text.encode("cp1251")))

    assert [(row["line"], row["column"], row["value"]) for row in report] == [
        (str(_line_of(text, "62,125")), "area_m2", "62,125"),
        (str(_line_of(text, "один")), "residents", "один"),
    ]
    assert Account.objects.count() == 0


def test_unknown_tenant_is_a_command_error(tmp_path, tenant):
    path = _write(tmp_path, "accounts.csv", _csv_text(ROWS).encode())

    with pytest.raises(CommandError, match="no tenant with code 'nope'"):
        call_command("import_accounts", str(path), "--tenant", "nope")
    assert Account.objects.count() == 0
