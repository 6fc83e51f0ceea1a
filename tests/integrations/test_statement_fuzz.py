"""Issue 18: no statement file makes the import answer with a traceback. Every statement fixture,
cut short, with a line dropped or doubled, a byte changed or a number blown up, is either read or
refused with a StatementError that says why; nothing else escapes the parsers (the import turns
a StatementError into a refusal with its reason, a 4xx on the page and exit 1 on the command).
No database."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.statements import (
    Statement,
    StatementError,
    parse_statement,
    statement_files,
)

FILES = Path(__file__).resolve().parent / "files"
STATEMENTS = sorted(
    path.name
    for path in FILES.iterdir()
    if path.suffix in {".xml", ".mt940", ".txt"} and not path.name.endswith(".xsd")
)


def _read_or_refuse(data: bytes) -> None:
    try:
        for name, member in statement_files(data, "upload"):
            result = parse_statement(member, name)
            assert isinstance(result, Statement)
            assert all(line.amount > 0 for line in (*result.credits, *result.debits))
    except StatementError as error:
        assert str(error).strip(), "a refusal says why"


@st.composite
def _mangled(draw):
    data = (FILES / draw(st.sampled_from(STATEMENTS))).read_bytes()
    lines = data.splitlines(keepends=True)
    how = draw(st.sampled_from(["cut", "drop", "double", "byte", "digits", "swap"]))
    if how == "cut":
        return data[: draw(st.integers(0, len(data)))]
    at = draw(st.integers(0, max(len(lines) - 1, 0)))
    if how == "drop":
        return b"".join(lines[:at] + lines[at + 1 :])
    if how == "double":
        return b"".join(lines[: at + 1] + lines[at:])
    if how == "swap" and len(lines) > 1:
        other = draw(st.integers(0, len(lines) - 1))
        lines[at], lines[other] = lines[other], lines[at]
        return b"".join(lines)
    if how == "digits":  # a number grown past anything a column holds
        return re.sub(rb"\d+([.,]\d\d)", rb"99999999999999999999\1", data, count=1)
    position = draw(st.integers(0, max(len(data) - 1, 0)))
    byte = draw(st.integers(0, 255))
    return data[:position] + bytes([byte]) + data[position + 1 :]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mangled())
def test_a_mangled_statement_is_read_or_refused_with_a_reason(data):
    _read_or_refuse(data)


@pytest.mark.parametrize("name", STATEMENTS)
def test_an_amount_beyond_any_real_payment_is_refused_with_its_place(name):
    data = (FILES / name).read_bytes()
    grown = re.sub(
        rb"(<Amt[^>]*>|CR|DR|C|D|\xd0\xa1\xd1\x83\xd0\xbc\xd0\xbc\xd0\xb0=|\xd1\xf3\xec\xec\xe0=)"
        rb"(\d+)([.,]\d\d)",
        rb"\g<1>9999999999999999\3",
        data,
    )
    if grown == data:
        pytest.fail(f"{name}: no amount found to grow")

    with pytest.raises(StatementError, match="beyond any real payment"):
        parse_statement(grown, name)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02\x03",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        b"PK\x03\x04broken zip",
        b"<?xml version='1.0'?><Document/>",
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.052.001.08'><BkToCstmrAcctRpt/>"
        b"</Document>",
        b":20:X\r\n:25:Y\r\n:61:garbage\r\n-",
        "1CClientBankExchange\nВерсияФормата=1.03\n".encode("cp1251"),
        "\ufeff".encode() + b"\xff\xfe",
    ],
)
def test_files_that_are_no_statement_are_refused_with_a_reason(data):
    with pytest.raises(StatementError) as refused:
        for name, member in statement_files(data, "upload"):
            parse_statement(member, name)
    assert str(refused.value).strip()
