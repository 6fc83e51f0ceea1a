"""The 1C registry of payment lines (docs/registry-1c.md): Windows-1251 `Key=Value` sections, a
header whose count and totals are those of its lines, reversals as negative lines, coupons by
their payment id; the reader gives back what the writer was given and refuses a broken file
naming the line."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from integrations.settlement.one_c_registry import (
    HEADER_KEYS,
    LINE_KEYS,
    read_registry_1c,
    registry_1c,
)
from integrations.settlement.types import Party, Registry, RegistryLine

MOSCOW = ZoneInfo("Europe/Moscow")
CREATED = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 06:00 in Moscow
DOC = Path(__file__).resolve().parents[2] / "docs" / "registry-1c.md"

OPERATOR = Party(
    name="ООО «ЕРЦ Подмосковья»",
    bic="044525225",
    bank_name="ПАО Сбербанк",
    bank_account="40702810900000000001",
    corr_account="30101810400000000225",
    inn="5001234567",
    kpp="500101001",
)
SUPPLIER = Party(
    name="МУП «Водоканал» г. Ёлкино",
    bic="044525225",
    bank_name="ПАО Сбербанк",
    bank_account="40702810938000099999",
    corr_account="30101810400000000225",
    inn="7705555555",
    kpp="770501001",
)
LINES = (
    RegistryLine(
        account_number="100200300",
        period="2026-10",
        document_reference="RU-100200300-2026-10",
        payment_id="81234",
        booked_at=datetime(2026, 11, 19, 22, 30, tzinfo=UTC),  # 01:30 on the 20th in Moscow
        amount=123450,
        commission=1852,
    ),
    RegistryLine(
        account_number="100200301",
        period="2026-10",
        document_reference="",
        payment_id="81240",
        booked_at=datetime(2026, 11, 20, 9, 0, 30, tzinfo=UTC),
        amount=5000,
        commission=75,
    ),
    RegistryLine(  # a coupon used at the supplier's office: the payer's tax id, its case
        account_number="7701234567",
        period="2026-11",
        document_reference="Дело № 45/2026",
        payment_id="coupon:2026112000017",
        booked_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        amount=30000,
        commission=0,
    ),
    RegistryLine(  # a reversal of an earlier payment
        account_number="100200300",
        period="2026-09",
        document_reference="RU-100200300-2026-09",
        payment_id="81001",
        booked_at=datetime(2026, 11, 20, 13, 45, tzinfo=UTC),
        amount=-1200,
        commission=-18,
    ),
)


def _registry(lines=LINES, day=date(2026, 11, 20)) -> Registry:
    return Registry(
        id="R-20261120-WATER",
        day=day,
        currency="RUB",
        supplier=SUPPLIER,
        operator=OPERATOR,
        lines=lines,
    )


def _write(registry=None, **options) -> bytes:
    return registry_1c(registry or _registry(), created_at=CREATED, tz=MOSCOW, **options)


def _rows(data: bytes) -> list[str]:
    text = data.decode("cp1251")
    assert text.endswith("\r\n")
    return text[: -len("\r\n")].split("\r\n")


def _header(data: bytes) -> dict[str, str]:
    rows = _rows(data)
    end = next(
        i for i, row in enumerate(rows) if row.startswith("СекцияПлатеж=") or row == "КонецФайла"
    )
    return dict(row.split("=", 1) for row in rows[1:end])


def _sections(data: bytes) -> list[dict[str, str]]:
    sections, current = [], None
    for row in _rows(data):
        if row.startswith("СекцияПлатеж="):
            current = {}
        elif row == "КонецПлатежа":
            sections.append(current)
            current = None
        elif current is not None:
            key, _, value = row.partition("=")
            current[key] = value
    return sections


def test_the_reader_gives_back_what_the_writer_was_given():
    registry = _registry()

    read = read_registry_1c(_write(registry))

    assert read.registry == registry
    assert read.registry.supplier.name == "МУП «Водоканал» г. Ёлкино"
    assert [line.booked_at for line in read.registry.lines] == [line.booked_at for line in LINES]
    assert (read.date_from, read.date_to) == (date(2026, 11, 20), date(2026, 11, 20))
    assert read.created_at == datetime(2026, 11, 21, 6, 0)


def test_the_file_is_windows_1251_with_crlf_and_the_1c_frame():
    data = _write()

    assert "Поставщик=МУП «Водоканал» г. Ёлкино\r\n".encode("cp1251") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\n" not in data.replace(b"\r\n", b"")
    rows = _rows(data)
    assert rows[0] == "1CPaymentRegistry"
    assert rows[-1] == "КонецФайла"
    assert [row for row in rows if row.startswith("СекцияПлатеж=")] == [
        "СекцияПлатеж=1",
        "СекцияПлатеж=2",
        "СекцияПлатеж=3",
        "СекцияПлатеж=4",
    ]


def test_the_header_totals_are_the_sums_of_the_lines():
    data = _write()
    header, sections = _header(data), _sections(data)

    def total(key):
        return sum(Decimal(section[key]) for section in sections)

    assert header["КоличествоСтрок"] == "4" == str(len(sections))
    assert header["СуммаПлатежей"] == "1572.50" == f"{total('Сумма'):.2f}"
    assert header["СуммаКомиссии"] == "19.09" == f"{total('Комиссия'):.2f}"
    assert header["СуммаКПеречислению"] == "1553.41" == f"{total('КПеречислению'):.2f}"


def test_a_reversal_is_a_negative_line_and_a_coupon_is_named_by_its_id():
    sections = _sections(_write())

    reversal, coupon = sections[3], sections[2]
    assert reversal["ВидОперации"] == "Сторно"
    assert (reversal["Сумма"], reversal["Комиссия"], reversal["КПеречислению"]) == (
        "-12.00",
        "-0.18",
        "-11.82",
    )
    assert coupon["ВидОперации"] == "Купон"
    assert coupon["ИдентификаторПлатежа"] == "coupon:2026112000017"
    assert coupon["Комиссия"] == "0.00"
    assert [section["ВидОперации"] for section in sections[:2]] == ["Оплата", "Оплата"]


def test_a_reversed_coupon_is_told_from_a_reversed_payment():
    line = RegistryLine(
        "7701234567",
        "2026-11",
        "",
        "coupon:2026112000017",
        datetime(2026, 11, 20, 12, tzinfo=UTC),
        -30000,
        0,
    )
    data = _write(_registry(lines=(line,)))

    [section] = _sections(data)
    assert section["ВидОперации"] == "СторноКупона"
    assert read_registry_1c(data).registry.lines == (line,)


def test_times_are_printed_in_the_operators_zone_with_the_offset():
    [first, second, *_] = _sections(_write())

    # 22:30 UTC on the 19th is 01:30 on the 20th in Moscow: the registry's day
    assert (first["ДатаПлатежа"], first["ВремяПлатежа"], first["ЧасовойПояс"]) == (
        "20.11.2026",
        "01:30:00",
        "+03:00",
    )
    assert first["Период"] == "10.2026"
    assert second["ВремяПлатежа"] == "12:00:30"
    header = _header(_write())
    assert (header["ДатаСоздания"], header["ВремяСоздания"]) == ("21.11.2026", "06:00:00")


def test_a_registry_of_several_days_carries_its_stretch():
    registry = _registry(day=date(2026, 11, 22))

    data = _write(registry, date_from=date(2026, 11, 16), date_to=date(2026, 11, 22))

    header = _header(data)
    assert (header["ДатаНачала"], header["ДатаКонца"], header["ДатаРеестра"]) == (
        "16.11.2026",
        "22.11.2026",
        "22.11.2026",
    )
    read = read_registry_1c(data)
    assert (read.date_from, read.date_to) == (date(2026, 11, 16), date(2026, 11, 22))
    assert read.registry == registry


def test_an_empty_registry_is_a_header_with_zero_totals():
    registry = _registry(lines=())

    data = _write(registry)

    header = _header(data)
    assert (header["КоличествоСтрок"], header["СуммаПлатежей"], header["СуммаКПеречислению"]) == (
        "0",
        "0.00",
        "0.00",
    )
    assert _sections(data) == []
    assert read_registry_1c(data).registry == registry


def test_the_writer_prints_exactly_the_documented_keys_in_order():
    data = _write()

    assert list(_header(data)) == list(HEADER_KEYS)
    assert all(list(section) == list(LINE_KEYS) for section in _sections(data))
    documented = DOC.read_text(encoding="utf-8")
    missing = [key for key in (*HEADER_KEYS, *LINE_KEYS) if f"`{key}`" not in documented]
    assert missing == []


def test_the_docs_example_is_what_the_writer_writes_and_the_reader_reads():
    documented = DOC.read_text(encoding="utf-8")
    example = documented.split("<!-- registry-1c example -->\n```\n", 1)[1].split("```", 1)[0]
    data = example.replace("\n", "\r\n").encode("cp1251")

    assert data == _write()
    assert read_registry_1c(data).registry == _registry()


def test_a_character_windows_1251_cannot_hold_becomes_a_question_mark():
    supplier = Party(name="Водоканал 水", inn="7705555555")
    registry = Registry("R-1", date(2026, 11, 20), "RUB", supplier, OPERATOR, LINES)

    read = read_registry_1c(_write(registry))

    assert read.registry.supplier.name == "Водоканал ?"


def test_the_writer_refuses_a_period_that_is_not_a_month():
    line = RegistryLine("1", "10/2026", "", "P-1", datetime(2026, 11, 20, tzinfo=UTC), 100, 1)

    with pytest.raises(ValueError, match=r"registry line 1 \(P-1\): period '10/2026'"):
        _write(_registry(lines=(line,)))


def test_the_writer_refuses_a_naive_creation_time():
    with pytest.raises(ValueError, match="aware"):
        registry_1c(_registry(), created_at=datetime(2026, 11, 21, 6, 0), tz=MOSCOW)


# -- a malformed file is refused, naming the line ------------------------------------------------


def _line_of(text: str, needle: str) -> int:
    """1-based number of the first line that starts with `needle`."""
    return next(n for n, row in enumerate(text.split("\r\n"), start=1) if row.startswith(needle))


CASES = {
    "another format": (
        lambda t: t.replace("1CPaymentRegistry", "1CClientBankExchange", 1),
        lambda b: _line_of(b, "1CClientBankExchange"),
        "does not start with 1CPaymentRegistry",
    ),
    "a section not closed": (
        lambda t: t.replace("КонецПлатежа\r\nСекцияПлатеж=2", "СекцияПлатеж=2", 1),
        lambda b: _line_of(b, "СекцияПлатеж=1"),
        "has no КонецПлатежа",
    ),
    "sections out of order": (
        lambda t: t.replace("СекцияПлатеж=2", "СекцияПлатеж=3", 1),
        lambda b: _line_of(b, "СекцияПлатеж=3"),
        "expected number 2",
    ),
    "a line without =": (
        lambda t: t.replace("Период=10.2026", "Период 10.2026", 1),
        lambda b: _line_of(b, "Период 10.2026"),
        "expected Key=Value",
    ),
    "a key twice": (
        lambda t: t.replace("Период=10.2026", "Период=10.2026\r\nПериод=11.2026", 1),
        lambda b: _line_of(b, "Период=11.2026"),
        "appears twice",
    ),
    "a bad amount": (
        lambda t: t.replace("Сумма=50.00", "Сумма=50.0x", 1),
        lambda b: _line_of(b, "Сумма=50.0x"),
        "not an amount",
    ),
    "a bad date": (
        lambda t: t.replace("ДатаПлатежа=20.11.2026", "ДатаПлатежа=31.02.2026", 1),
        lambda b: _line_of(b, "ДатаПлатежа=31.02.2026"),
        "not a date",
    ),
    "a net that is not amount minus commission": (
        lambda t: t.replace("КПеречислению=49.25", "КПеречислению=50.00", 1),
        lambda b: _line_of(b, "КПеречислению=50.00"),
        "is not Сумма − Комиссия",
    ),
    "a reversal called a payment": (
        lambda t: t.replace("ВидОперации=Сторно", "ВидОперации=Оплата", 1),
        lambda b: _line_of(b, "ИдентификаторПлатежа=81001") + 1,  # ВидОперации
        "ВидОперации=Оплата, but the line is Сторно",
    ),
    "a missing key": (
        lambda t: t.replace("ИдентификаторПлатежа=81240\r\n", "", 1),
        lambda b: _line_of(b, "СекцияПлатеж=2"),
        "has no ИдентификаторПлатежа=",
    ),
    "a header total that is not the lines' sum": (
        lambda t: t.replace("СуммаПлатежей=1572.50", "СуммаПлатежей=1584.50", 1),
        lambda b: _line_of(b, "СуммаПлатежей"),
        "the lines sum to 1572.50",
    ),
    "a wrong count": (
        lambda t: t.replace("КоличествоСтрок=4", "КоличествоСтрок=5", 1),
        lambda b: _line_of(b, "КоличествоСтрок"),
        "the file has 4 sections",
    ),
    "a file cut short": (
        lambda t: t[: t.index("СекцияПлатеж=4")],
        lambda b: b.rstrip("\r\n").count("\r\n") + 1,  # the last line left
        "no КонецФайла",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_file_is_refused_naming_the_line(case):
    edit, line_of, message = CASES[case]
    broken = edit(_write().decode("cp1251"))

    with pytest.raises(ValueError, match=re.escape(message)) as refused:
        read_registry_1c(broken.encode("cp1251"))

    assert str(refused.value).startswith(f"line {line_of(broken)}: ")


def test_bytes_that_are_not_windows_1251_are_refused_naming_the_line():
    data = _write().replace("Период=10.2026".encode("cp1251"), b"\x98", 1)
    line = _line_of(_write().decode("cp1251"), "Период=10.2026")

    with pytest.raises(ValueError, match=f"^line {line}: a byte that is not Windows-1251"):
        read_registry_1c(data)


def test_a_commission_of_the_other_sign_is_refused():
    broken = (
        _write()
        .decode("cp1251")
        .replace(
            "Комиссия=-0.18\r\nКПеречислению=-11.82", "Комиссия=0.18\r\nКПеречислению=-12.18", 1
        )
    )

    with pytest.raises(ValueError, match="different signs") as refused:
        read_registry_1c(broken.encode("cp1251"))

    assert str(refused.value).startswith(f"line {_line_of(broken, 'СекцияПлатеж=4')}: ")
