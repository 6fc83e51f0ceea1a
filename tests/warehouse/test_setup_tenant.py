"""`setup_tenant FILE` (import-formats.md "Tenant"): a good file creates or updates the tenant,
its classifier and its suppliers and never deletes; a file with any problem is rejected whole,
each problem with the line of the bad value and its path, and nothing is written."""

import csv
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from warehouse.models import AuditEvent, Service, Supplier, SupplierServiceCode, Tenant
from warehouse.reports import FileRejected, LineError
from warehouse.services.tenants import tenant_setup

FILES = Path(__file__).parent / "files"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Tenant, Service, Supplier, SupplierServiceCode, AuditEvent)
    }


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the file text holding `needle` (its `occurrence`-th appearance)."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(lines) >= occurrence, f"{needle!r} not in the file"
    return lines[occurrence - 1]


def _variant(tmp_path: Path, fixture: str, *replacements: tuple[str, str]) -> tuple[Path, str]:
    """A copy of a fixture file with values replaced (each must occur exactly once)."""
    text = (FILES / fixture).read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur once in {fixture}"
        text = text.replace(old, new)
    path = tmp_path / fixture
    path.write_text(text, encoding="utf-8")
    return path, text


def _setup(path: Path) -> str:
    out = StringIO()
    call_command("setup_tenant", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def _setup_rejected(path: Path) -> tuple[str, list[dict]]:
    """Runs the command on a bad file: exit status 1; returns stderr and the report's rows."""
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("setup_tenant", str(path), stdout=StringIO(), stderr=err)
    assert exit_.value.code == 1
    output = err.getvalue()
    assert "nothing was written" in output
    report = Path(re.search(r"^Report: (.+)$", output, re.MULTILINE).group(1))
    assert report.is_file()
    with report.open(encoding="utf-8", newline="") as f:
        return output, list(csv.DictReader(f))


def _rejection(data: bytes) -> list[LineError]:
    with pytest.raises(FileRejected) as rejected:
        tenant_setup(data=data, filename="tenant.yaml")
    return rejected.value.errors


# --- good files ---------------------------------------------------------------------------


def test_ru_tenant_file_creates_tenant_classifier_suppliers_and_service_code_maps():
    output = _setup(FILES / "tenant_ru.yaml")

    assert output.strip() == "Tenant rc-moskva created: 3 services, 2 suppliers."
    tenant = Tenant.objects.get()
    assert (tenant.code, tenant.name, tenant.profile, tenant.currency) == (
        "rc-moskva",
        "ООО «Расчётный центр»",
        "RU",
        "RUB",
    )
    assert (tenant.locale, tenant.timezone, tenant.due_day) == ("ru", "Europe/Moscow", 10)
    assert (tenant.inn, tenant.kpp) == ("7707083893", "773601001")
    assert (tenant.bank_name, tenant.bic, tenant.bank_account, tenant.corr_account) == (
        "ПАО Сбербанк",
        "044525225",
        "40702810238720001420",
        "30101810400000000225",
    )
    assert tenant.iban == ""
    assert sorted(Service.objects.values_list("code", "name", "unit")) == [
        ("CW", "Холодное водоснабжение", "m3"),
        ("HEAT", "Отопление", "Gcal"),
        ("HW", "Горячее водоснабжение", "m3"),
    ]

    vodokanal = Supplier.objects.get(tenant=tenant, code="vodokanal")
    assert (vodokanal.name, vodokanal.inn, vodokanal.kpp) == (
        "АО «Водоканал»",
        "7702070139",
        "784201001",
    )
    assert (vodokanal.bic, vodokanal.bank_account, vodokanal.corr_account) == (
        "044525700",
        "40702810800001400002",
        "30101810200000000700",
    )
    assert vodokanal.commission_percent == Decimal("1.20")
    assert (vodokanal.commission_fixed, vodokanal.commission_min) == (0, 0)
    assert vodokanal.commission_max is None
    flows = [(f.format, f.interval, f.delivery) for f in vodokanal.flows.all()]
    assert flows == [("csv", "daily", "download")]  # `registry_format: csv`, the shorthand

    teplo = Supplier.objects.get(tenant=tenant, code="teplo")
    assert (teplo.inn, teplo.kpp, teplo.bank_account) == (
        "500100732259",
        "",
        "40702810610000000001",
    )
    assert teplo.commission_percent == Decimal("0.75")
    assert (teplo.commission_fixed, teplo.commission_min, teplo.commission_max) == (
        500,
        1000,
        50000,
    )
    assert [f.format for f in teplo.flows.all()] == ["1c"]

    assert sorted(
        SupplierServiceCode.objects.values_list(
            "tenant__code", "supplier__code", "external_code", "service__code"
        )
    ) == [
        ("rc-moskva", "teplo", "OT", "HEAT"),
        ("rc-moskva", "vodokanal", "01", "CW"),
        ("rc-moskva", "vodokanal", "02", "HW"),
    ]
    assert AuditEvent.objects.get().action == "tenant.created"


def test_sepa_tenant_yaml_creates_tenant_with_iban_details():
    output = _setup(FILES / "tenant_eu.yaml")

    assert output.strip() == "Tenant acme-eu created: 3 services, 2 suppliers."
    tenant = Tenant.objects.get(code="acme-eu")
    assert (tenant.profile, tenant.currency, tenant.tax_id) == ("SEPA", "EUR", "DE811907980")
    assert (tenant.bank_name, tenant.iban, tenant.bic) == (
        "Commerzbank",
        "DE89370400440532013000",
        "COBADEFFXXX",
    )
    water = Supplier.objects.get(code="water")
    assert (water.iban, water.bic, water.tax_id) == (
        "DE02120300000000202051",
        "BYLADEM1001",
        "DE123456789",
    )
    assert water.commission_percent == Decimal("1.50")
    assert water.webhook_url == ""
    heat = Supplier.objects.get(code="heat")
    assert (heat.commission_fixed, heat.commission_min, heat.commission_max) == (30, 50, 500)
    assert heat.webhook_url == "https://heat.example.com/unibill"
    assert [f.format for f in heat.flows.all()] == ["payout"]  # pain001: the payment order
    assert sorted(
        SupplierServiceCode.objects.values_list("supplier__code", "external_code", "service__code")
    ) == [("heat", "H1", "HEAT"), ("water", "101", "CW"), ("water", "205", "HW")]


def test_sepa_tenant_json_creates_tenant():
    output = _setup(FILES / "tenant_eu.json")

    assert output.strip() == "Tenant stadt-nord created: 2 services, 1 suppliers."
    tenant = Tenant.objects.get(code="stadt-nord")
    assert (tenant.name, tenant.due_day, tenant.iban) == (
        "Wohnbau Stadt Nord eG",
        5,
        "DE89370400440532013000",
    )
    water = Supplier.objects.get(tenant=tenant)
    assert (water.code, water.commission_fixed) == ("water", 10)
    assert [(f.format, f.active) for f in water.flows.all()] == [("xlsx", True)]
    assert sorted(
        SupplierServiceCode.objects.values_list("external_code", "service__code", "tenant")
    ) == [("10", "CW", tenant.id), ("90", "WASTE", tenant.id)]


def test_running_the_same_file_again_updates_and_duplicates_nothing():
    _setup(FILES / "tenant_ru.yaml")
    ids = sorted(Supplier.objects.values_list("id", flat=True))

    output = _setup(FILES / "tenant_ru.yaml")

    assert output.strip() == "Tenant rc-moskva updated: 3 services, 2 suppliers."
    assert (Tenant.objects.count(), Service.objects.count()) == (1, 3)
    assert sorted(Supplier.objects.values_list("id", flat=True)) == ids
    assert SupplierServiceCode.objects.count() == 3
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "tenant.created",
        "tenant.updated",
    ]


def test_second_file_updates_adds_and_keeps_what_it_no_longer_lists():
    _setup(FILES / "tenant_eu.yaml")
    tenant_id = Tenant.objects.get().id
    heat_id = Supplier.objects.get(code="heat").id
    water_id = Supplier.objects.get(code="water").id

    output = _setup(FILES / "tenant_eu_update.yaml")

    assert output.strip() == "Tenant acme-eu updated: 2 services, 2 suppliers."
    tenant = Tenant.objects.get()
    assert (tenant.id, tenant.name, tenant.due_day) == (
        tenant_id,
        "ACME Housing & Services GmbH",
        15,
    )
    # services: CW renamed, GAS added, HW and HEAT (absent from the file) kept
    assert sorted(Service.objects.values_list("code", "name")) == [
        ("CW", "Cold water (drinking)"),
        ("GAS", "Gas"),
        ("HEAT", "Heating"),
        ("HW", "Hot water"),
    ]
    # suppliers: water updated in place, gas added, heat (absent from the file) kept
    water = Supplier.objects.get(code="water")
    assert (water.id, water.name, water.commission_percent) == (
        water_id,
        "Stadtwerke Beispiel AG",
        Decimal("1.25"),
    )
    heat = Supplier.objects.get(code="heat")
    assert (heat.id, heat.name) == (heat_id, "Fernwärme Beispiel GmbH")
    assert sorted(Supplier.objects.values_list("code", flat=True)) == ["gas", "heat", "water"]
    # a code may map to a service only the database knows (HEAT is not in the second file)
    assert sorted(
        SupplierServiceCode.objects.values_list("supplier__code", "external_code", "service__code")
    ) == [
        ("gas", "G", "GAS"),
        ("heat", "H1", "HEAT"),
        ("water", "101", "CW"),
        ("water", "205", "HW"),
        ("water", "300", "HEAT"),
    ]


def test_ru_digits_written_without_quotes_are_kept_as_written(tmp_path):
    # YAML 1.1 reads 044525225 as an octal number; a BIC or KPP must stay the digits it was.
    path, _ = _variant(
        tmp_path,
        "tenant_ru.yaml",
        ('bic: "044525225"', "bic: 044525225"),
        ('account: "40702810238720001420"', "account: 40702810238720001420"),
        ('inn: "7707083893"', "inn: 7707083893"),
        ('kpp: "773601001"', "kpp: 773601001"),
        ('service_codes: {"01": CW, "02": HW}', "service_codes: {01: CW, 02: HW}"),
    )

    _setup(path)

    tenant = Tenant.objects.get()
    assert (tenant.bic, tenant.bank_account, tenant.inn, tenant.kpp) == (
        "044525225",
        "40702810238720001420",
        "7707083893",
        "773601001",
    )
    assert sorted(
        SupplierServiceCode.objects.filter(supplier__code="vodokanal").values_list(
            "external_code", flat=True
        )
    ) == ["01", "02"]


def test_tab_indented_json_is_read_like_any_json(tmp_path):
    text = json.dumps(json.loads((FILES / "tenant_eu.json").read_text()), indent="\t")
    path = tmp_path / "tenant_tabs.json"
    path.write_text(text, encoding="utf-8")

    output = _setup(path)

    assert output.strip() == "Tenant stadt-nord created: 2 services, 1 suppliers."
    assert Supplier.objects.get().iban == "DE02120300000000202051"


def test_tab_indented_json_reports_the_line_of_a_bad_value():
    document = json.loads((FILES / "tenant_eu.json").read_text())
    document["suppliers"][0]["bank"]["bic"] = "BYLAXXM1001"
    text = json.dumps(document, indent="\t", ensure_ascii=False)

    errors = _rejection(text.encode())

    assert [(e.line, e.column, e.value) for e in errors] == [
        (_line_of(text, "BYLAXXM1001"), "suppliers[0].bank.bic", "BYLAXXM1001")
    ]


# --- bad files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """One bad value put into a good fixture: `old` → `new`; the error names `path`, on the
    line holding `needle` (default: `new`), with `value` and a reason containing `reason`."""

    fixture: str
    old: str
    new: str
    path: str
    value: str
    reason: str
    needle: str = ""
    occurrence: int = 1


BAD = {
    "bad IBAN": Bad(
        "tenant_eu.yaml",
        "iban: DE89370400440532013000",
        "iban: DE89370400440532013001",
        "bank.iban",
        "DE89370400440532013001",
        "invalid IBAN",
    ),
    "bad supplier IBAN in a flow mapping": Bad(
        "tenant_eu.yaml",
        "DE02120300000000202051",
        "DE02120300000000202052",
        "suppliers[0].bank.iban",
        "DE02120300000000202052",
        "invalid IBAN",
    ),
    "bad IBAN in JSON": Bad(
        "tenant_eu.json",
        '"DE02120300000000202051"',
        '"DE02120300000000202050"',
        "suppliers[0].bank.iban",
        "DE02120300000000202050",
        "invalid IBAN",
    ),
    "bad BIC": Bad(
        "tenant_eu.yaml",
        "bic: INGDDEFFXXX",
        "bic: INGDXXFFXXX",
        "suppliers[1].bank.bic",
        "INGDXXFFXXX",
        "invalid BIC",
    ),
    "bad operator BIC": Bad(
        "tenant_eu.yaml",
        "bic: COBADEFFXXX",
        "bic: COBADEF",
        "bank.bic",
        "COBADEF",
        "invalid BIC",
    ),
    "bad RU BIC": Bad(
        "tenant_ru.yaml",
        'bic: "044525700"',
        'bic: "44525700"',
        "suppliers[0].bank.bic",
        "44525700",
        "9 digits",
    ),
    "bad RU settlement account key": Bad(
        "tenant_ru.yaml",
        '"40702810800001400002"',
        '"40702810800001400003"',
        "suppliers[0].bank.account",
        "40702810800001400003",
        "control key",
    ),
    "bad RU operator settlement account key": Bad(
        "tenant_ru.yaml",
        '"40702810238720001420"',
        '"40702810238720001402"',
        "bank.account",
        "40702810238720001402",
        "control key",
    ),
    "bad corr account key": Bad(
        "tenant_ru.yaml",
        '"30101810145250000974"',
        '"30101810145250000975"',
        "suppliers[1].bank.corr_account",
        "30101810145250000975",
        "control key",
    ),
    "bad INN": Bad(
        "tenant_ru.yaml",
        '"7702070139"',
        '"7702070138"',
        "suppliers[0].inn",
        "7702070138",
        "invalid INN",
    ),
    "bad 12-digit INN": Bad(
        "tenant_ru.yaml",
        '"500100732259"',
        '"500100732258"',
        "suppliers[1].inn",
        "500100732258",
        "invalid INN",
    ),
    "bad operator INN": Bad(
        "tenant_ru.yaml",
        '"7707083893"',
        '"7707083894"',
        "inn",
        "7707083894",
        "invalid INN",
    ),
    "bad KPP": Bad(
        "tenant_ru.yaml",
        '"784201001"',
        '"78420100"',
        "suppliers[0].kpp",
        "78420100",
        "KPP must be 9 characters",
    ),
    "unknown profile": Bad(
        "tenant_eu.yaml",
        "profile: SEPA",
        "profile: EURO",
        "profile",
        "EURO",
        "profile must be RU, SEPA or CH",
    ),
    "currency not matching the RU profile": Bad(
        "tenant_ru.yaml",
        "currency: RUB",
        "currency: EUR",
        "currency",
        "EUR",
        "the RU profile takes RUB",
    ),
    "currency not matching the SEPA profile": Bad(
        "tenant_eu.yaml",
        "currency: EUR",
        "currency: CHF",
        "currency",
        "CHF",
        "the SEPA profile takes EUR",
    ),
    "service code mapped to no classifier entry": Bad(
        "tenant_eu.yaml",
        '"205": HW',
        '"205": GAS',
        "suppliers[0].service_codes.205",
        "GAS",
        "mapped to no entry of the service classifier",
    ),
    "service code mapped to no classifier entry (block mapping)": Bad(
        "tenant_ru.yaml",
        '"OT": HEAT',
        '"OT": STEAM',
        "suppliers[1].service_codes.OT",
        "STEAM",
        "mapped to no entry of the service classifier",
    ),
    "duplicate supplier code": Bad(
        "tenant_eu.yaml",
        "- code: heat",
        "- code: water",
        "suppliers[1].code",
        "water",
        "duplicate code (also suppliers[0])",
        needle="- code: water",
        occurrence=2,
    ),
    "duplicate service code": Bad(
        "tenant_ru.yaml",
        "  - {code: HEAT, name: Отопление, unit: Gcal}\n",
        "  - {code: HEAT, name: Отопление, unit: Gcal}\n  - {code: CW, name: Вода, unit: m3}\n",
        "services[3].code",
        "CW",
        "duplicate code (also services[0])",
        needle="{code: CW, name: Вода",
    ),
}


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_bad_file_is_rejected_with_the_line_and_path_of_the_bad_value(tmp_path, bad):
    _, text = _variant(tmp_path, bad.fixture, (bad.old, bad.new))

    errors = _rejection(text.encode())

    assert errors == [
        LineError(
            _line_of(text, bad.needle or bad.new, bad.occurrence),
            bad.path,
            bad.value,
            errors[0].reason,
        )
    ]
    assert bad.reason in errors[0].reason
    assert set(_counts().values()) == {0}


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_bad_update_of_an_existing_tenant_exits_1_and_writes_nothing(tmp_path, bad):
    _setup(FILES / bad.fixture)
    before = _counts()
    names = sorted(Supplier.objects.values_list("code", "name"))
    # the bad file would also rename the tenant, which must not happen either
    renamed = (
        ('"name": "Wohnbau Stadt Nord eG"', '"name": "Renamed"')
        if bad.fixture.endswith(".json")
        else ("\nname: ", "\nname: Renamed ")
    )
    path, text = _variant(tmp_path, bad.fixture, (bad.old, bad.new), renamed)

    output, report = _setup_rejected(path)

    assert _counts() == before
    assert "Renamed" not in Tenant.objects.get().name
    assert sorted(Supplier.objects.values_list("code", "name")) == names
    line = _line_of(text, bad.needle or bad.new, bad.occurrence)
    assert f"line {line}, {bad.path}" in output
    assert [(row["line"], row["column"], row["value"]) for row in report] == [
        (str(line), bad.path, bad.value)
    ]


def test_ch_profile_refuses_every_german_iban_of_the_file(tmp_path):
    _, text = _variant(tmp_path, "tenant_eu.yaml", ("profile: SEPA", "profile: CH"))

    errors = _rejection(text.encode())

    assert [(e.line, e.column, e.reason) for e in errors] == [
        (_line_of(text, "DE89370400440532013000"), "bank.iban", "IBAN must be from CH, LI"),
        (
            _line_of(text, "DE02120300000000202051"),
            "suppliers[0].bank.iban",
            "IBAN must be from CH, LI",
        ),
        (
            _line_of(text, "DE02500105170137075030"),
            "suppliers[1].bank.iban",
            "IBAN must be from CH, LI",
        ),
    ]
    assert Tenant.objects.count() == 0


def test_every_problem_of_a_file_is_listed_in_line_order(tmp_path):
    path, text = _variant(
        tmp_path,
        "tenant_ru.yaml",
        ('"7702070139"', '"7702070138"'),
        ('"30101810145250000974"', '"30101810145250000975"'),
        ('"40702810238720001420"', '"40702810238720001402"'),
        ('"02": HW', '"02": GVS'),
    )

    output, report = _setup_rejected(path)

    expected = [
        (_line_of(text, "40702810238720001402"), "bank.account"),
        (_line_of(text, "7702070138"), "suppliers[0].inn"),
        (_line_of(text, '"02": GVS'), "suppliers[0].service_codes.02"),
        (_line_of(text, "30101810145250000975"), "suppliers[1].bank.corr_account"),
    ]
    assert [(int(row["line"]), row["column"]) for row in report] == expected
    assert "4 problem(s)" in output
    assert set(_counts().values()) == {0}


def test_invalid_yaml_is_rejected_with_the_line_of_the_syntax_error(tmp_path):
    _setup(FILES / "tenant_eu.yaml")
    before = _counts()
    path, text = _variant(
        tmp_path, "tenant_eu.yaml", ("name: ACME Housing GmbH", "name: ACME Housing: GmbH")
    )

    errors = _rejection(text.encode())
    output, report = _setup_rejected(path)

    line = _line_of(text, "name: ACME Housing: GmbH")
    assert [(e.line, e.column) for e in errors] == [(line, "file")]
    assert "not valid YAML/JSON" in errors[0].reason
    assert [(row["line"], row["column"]) for row in report] == [(str(line), "file")]
    assert _counts() == before


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("setup_tenant", str(tmp_path / "missing.yaml"))
