"""Bank statements (camt.053/054 V02 and V08, MT940, 1C) → booked credits. No database."""

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from integrations.statements import (
    Statement,
    StatementError,
    detect_format,
    parse_1c_statement,
    parse_camt,
    parse_mt940,
    parse_statement,
)
from integrations.statements import camt as camt_module
from integrations.statements.camt import DTD_REFUSED, XSD_DIR

FILES = Path(__file__).resolve().parent / "files"
CAMT_FILES = {
    "camt053_v02.xml": "camt.053.001.02",
    "camt053_v08.xml": "camt.053.001.08",
    "camt054_v02.xml": "camt.054.001.02",
    "camt054_v08.xml": "camt.054.001.08",
}
ALL_FILES = {
    **{name: message[:8] for name, message in CAMT_FILES.items()},
    "statement.mt940": "mt940",
    "statement_1c.txt": "1c",
}


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def by_key(statement: Statement) -> dict:
    return {credit.dedupe_key: credit for credit in statement.credits}


# -- fixtures are what they claim to be ------------------------------------------------------


@pytest.mark.parametrize(("name", "message"), sorted(CAMT_FILES.items()))
def test_camt_fixtures_validate_against_the_official_xsd(name, message):
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / f"{message}.xsd")))
    document = etree.parse(str(FILES / name))
    assert schema.validate(document), schema.error_log
    assert etree.QName(document.getroot()).namespace.endswith(message)


def test_the_1c_fixture_is_windows_1251():
    data = read("statement_1c.txt")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "Кодировка=Windows\r\n" in data.decode("cp1251")


@pytest.mark.parametrize(("name", "statement_format"), sorted(ALL_FILES.items()))
def test_parse_statement_detects_the_format_and_is_stable(name, statement_format):
    data = read(name)
    first = parse_statement(data, filename=name)
    assert first.format == statement_format
    assert parse_statement(data) == first  # re-import: same credits, same dedupe keys
    keys = [credit.dedupe_key for credit in first.credits]
    assert len(set(keys)) == len(keys)
    assert all(key.startswith(f"{first.account}:") for key in keys)
    assert all(credit.amount > 0 and credit.account == first.account for credit in first.credits)


# -- camt.053 ------------------------------------------------------------------------------


def test_camt053_v02_single_credit_batch_and_skipped_entries():
    statement = parse_camt(read("camt053_v02.xml"))
    assert statement.format == "camt.053"
    assert statement.account == "DE89370400440532013000"
    assert statement.statement_id == "0532013000-2026-07-15"
    # the pending credit (the debit is now a debit); the batch counts as 2 credits
    assert statement.skipped == 1
    assert [credit.amount for credit in statement.credits] == [5123, 12000, 6650]
    # account, booking date, direction, amount, the most specific reference: a batch detail's
    # TxId before the entry's AcctSvcrRef; its own reference names it in any entry, so the
    # detail index is only in the key it was stored under before (simulation seed 4)
    assert [credit.dedupe_key for credit in statement.credits] == [
        "DE89370400440532013000:2026-07-15:C:5123:B26071500042",
        "DE89370400440532013000:2026-07-15:C:12000:TX-0715-1",
        "DE89370400440532013000:2026-07-15:C:6650:TX-0715-2",
    ]
    assert [credit.alternate_keys for credit in statement.credits] == [
        (),
        ("DE89370400440532013000:2026-07-15:C:12000:TX-0715-1:1",),
        ("DE89370400440532013000:2026-07-15:C:6650:TX-0715-2:2",),
    ]
    # the keys before issue 18: the account and the entry's reference alone
    assert [credit.legacy_key for credit in statement.credits] == [
        "DE89370400440532013000:B26071500042",
        "DE89370400440532013000:B26071500044:1",
        "DE89370400440532013000:B26071500044:2",
    ]
    assert (statement.warnings, statement.encoding) == ((), "utf-8")

    single, first, second = statement.credits
    assert single.currency == "EUR"
    assert single.booked_on == single.value_on == date(2026, 7, 15)
    assert single.bank_reference == "B26071500042"  # AcctSvcrRef wins over NtryRef
    assert single.end_to_end_id == ""  # NOTPROVIDED
    assert single.structured_reference == "RF87100200300062026"
    assert single.free_text == ""  # no Ustrd; AddtlNtryInf is not remittance text
    assert single.payer_name == "Ivan Ivanov"  # V02: Dbtr/Nm
    assert single.payer_account == "DE02120300000000202051"
    assert single.payer_inn == ""

    assert first.bank_reference == second.bank_reference == "B26071500044"
    assert (first.booked_on, first.value_on) == (date(2026, 7, 15), date(2026, 7, 16))
    assert first.end_to_end_id == "E2E-HV-0715-1"
    assert first.free_text == "Nebenkosten Juli 2026 Konto 100200301"  # Ustrd lines joined
    assert first.payer_name == "Hausverwaltung Nord GmbH"
    assert first.payer_account == "DE02100500000054540402"
    assert first.structured_reference == ""
    assert second.payer_name == "Anna Schmidt"
    assert second.payer_account == "0054540403"  # DbtrAcct/Id/Othr/Id
    assert second.free_text == "Konto 100200302 Juli"


def test_camt053_v08_status_code_and_party_wrapper():
    statement = parse_camt(read("camt053_v08.xml"))
    assert (statement.format, statement.account, statement.skipped) == (
        "camt.053",
        "DE02120300000000202051",
        0,
    )
    (credit,) = statement.credits
    assert credit.dedupe_key == "DE02120300000000202051:2026-07-15:C:5123:B26071500042"
    assert credit.legacy_key == "DE02120300000000202051:B26071500042"
    assert credit.amount == 5123
    assert credit.payer_name == "Ivan Ivanov"  # V08: Dbtr/Pty/Nm
    assert credit.payer_account == "DE89370400440532013000"
    assert credit.structured_reference == "RF87100200300062026"
    assert credit.end_to_end_id == ""


# -- camt.054 ------------------------------------------------------------------------------


def test_camt054_v02_entry_reference_reversal_and_detail_references():
    statement = parse_camt(read("camt054_v02.xml"))
    assert statement.format == "camt.054"
    assert statement.account == "CH9300762011623852957"
    assert statement.statement_id == "NTF-20260715-3"
    assert statement.skipped == 1  # the reversal (RvslInd=true)
    plain, first, second = statement.credits

    # no AcctSvcrRef: NtryRef; no TxDtls: one credit for the entry, AddtlNtryInf as text
    assert plain.dedupe_key == "CH9300762011623852957:2026-07-15:C:85000:NTF-20260715-01"
    assert plain.legacy_key == "CH9300762011623852957:NTF-20260715-01"
    assert (plain.amount, plain.currency) == (85000, "CHF")
    assert plain.booked_on == date(2026, 7, 15)  # BookgDt/DtTm
    assert plain.free_text == "Gutschrift Miete Juli LS 100200304"
    assert (plain.payer_name, plain.payer_account, plain.end_to_end_id) == ("", "", "")

    # no entry reference: each detail's Refs/AcctSvcrRef (the index only in the key of before)
    assert first.dedupe_key == "CH9300762011623852957:2026-07-15:C:20000:QR26071500101"
    assert second.dedupe_key == "CH9300762011623852957:2026-07-15:C:10040:QR26071500102"
    assert second.alternate_keys == ("CH9300762011623852957:2026-07-15:C:10040:QR26071500102:2",)
    assert first.legacy_key == "CH9300762011623852957:QR26071500101:1"
    assert second.legacy_key == "CH9300762011623852957:QR26071500102:2"
    assert (first.amount, second.amount) == (20000, 10040)
    assert first.structured_reference == "210000000003139471430009017"  # QRR
    assert first.end_to_end_id == "QRB-2026-07-0001"
    assert first.payer_name == "Peter Muster"
    assert first.payer_account == "CH5604835012345678009"
    assert second.end_to_end_id == ""
    assert (second.payer_name, second.free_text) == ("Maria Beispiel", "Heizkosten Juni")


def test_camt054_v08_notification():
    statement = parse_camt(read("camt054_v08.xml"))
    assert statement.format == "camt.054"
    assert statement.skipped == 1  # the INFO entry (the debit is now a debit)
    (credit,) = statement.credits
    assert credit == replace(
        credit,
        # the transaction's EndToEndId before the entry's AcctSvcrRef
        dedupe_key="DE02120300000000202051:2026-07-15:C:7500:ABO-2026-07-100200305",
        legacy_key="DE02120300000000202051:2026071512345678",
        amount=7500,
        currency="EUR",
        booked_on=date(2026, 7, 15),
        value_on=date(2026, 7, 15),
        end_to_end_id="ABO-2026-07-100200305",
        free_text="Abschlag Juli Kundennr 100200305",
        payer_name="Jürgen Weiß",
        payer_account="DE75512108001245126199",
    )


def test_same_payment_in_v02_and_v08_reads_the_same():
    v02 = parse_camt(read("camt053_v02.xml")).credits[0]
    v08 = parse_camt(read("camt053_v08.xml")).credits[0]
    same = ("amount", "currency", "bank_reference", "structured_reference", "payer_name")
    assert {f: getattr(v02, f) for f in same} == {f: getattr(v08, f) for f in same}


# -- camt: versions, schema and content errors ---------------------------------------------


def _v02(old: str, new: str, count: int = 1) -> bytes:
    text = read("camt053_v02.xml").decode()
    assert old in text
    return text.replace(old, new, count).encode()


def test_schema_violation_is_refused_with_the_schema_error():
    with pytest.raises(StatementError) as caught:
        parse_camt(_v02("<Sts>BOOK</Sts>", "<Sts>DONE</Sts>"))
    message = str(caught.value)
    assert "camt.053.001.02 schema" in message
    assert "Sts" in message and "DONE" in message


def test_missing_mandatory_element_is_refused():
    start = "<Bal>"
    text = read("camt053_v02.xml").decode()
    without_balances = text[: text.index(start)] + text[text.index("<TxsSummry>") :]
    with pytest.raises(StatementError, match=r"camt\.053\.001\.02 schema.*Bal"):
        parse_camt(without_balances.encode())


def test_a_version_without_our_xsd_is_read_without_validation():
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
    text = read("camt053_v02.xml").decode().replace(f"{ns}02", f"{ns}04")
    # no balances: invalid for .02, but .04 is not validated
    text = text[: text.index("<Bal>")] + text[text.index("<TxsSummry>") :]
    statement = parse_camt(text.encode())
    assert [credit.amount for credit in statement.credits] == [5123, 12000, 6650]
    # and without any namespace at all
    bare = parse_camt(text.replace(f' xmlns="{ns}04"', "").encode())
    assert bare == statement


def test_more_than_two_decimals_is_refused():
    with pytest.raises(StatementError, match="more than 2 decimals") as caught:
        parse_camt(_v02('<Amt Ccy="EUR">51.23</Amt>', '<Amt Ccy="EUR">51.235</Amt>'))
    assert caught.value.line is not None
    assert caught.value.path == "Stmt/Ntry[1]/Amt"


def test_trailing_zero_decimals_are_fine():
    statement = parse_camt(_v02('<Amt Ccy="EUR">51.23</Amt>', '<Amt Ccy="EUR">51.23000</Amt>'))
    assert statement.credits[0].amount == 5123


def test_batch_details_that_do_not_add_up_are_refused():
    with pytest.raises(StatementError, match="add up to 180.00, the entry to 186.50"):
        parse_camt(_v02('<Amt Ccy="EUR">66.50</Amt>', '<Amt Ccy="EUR">60.00</Amt>'))


def test_a_credit_without_bank_reference_is_taken_with_a_warning():
    # issue 18: both references are optional in camt; before, the file was refused
    data = _v02("<AcctSvcrRef>B26071500042</AcctSvcrRef>", "")
    data = data.replace(b"<NtryRef>000001</NtryRef>", b"")
    statement = parse_camt(data)
    credit = statement.credits[0]
    assert (credit.amount, credit.bank_reference, credit.legacy_key) == (5123, "", "")
    assert credit.dedupe_key.startswith("DE89370400440532013000:2026-07-15:C:5123:NOREF-")
    assert statement.warnings == (
        "Stmt/Ntry[1]: no bank reference; duplicate check by date, amount and text",
    )


def test_a_booked_entry_without_booking_date_takes_the_value_date():
    data = _v02("<Sts>PDNG</Sts>", "<Sts>BOOK</Sts>")
    statement = parse_camt(data)
    booked = by_key(statement)["DE89370400440532013000:2026-07-16:C:9900:P26071600007"]
    assert booked.amount == 9900
    assert booked.booked_on == booked.value_on == date(2026, 7, 16)


def test_a_repeated_bank_reference_on_another_day_and_amount_is_another_credit():
    # issue 18: before, the file was refused ("appears twice")
    data = _v02("<Sts>PDNG</Sts>", "<Sts>BOOK</Sts>").replace(b"P26071600007", b"B26071500042")
    statement = parse_camt(data)
    first, again = statement.credits[:2]
    assert (first.amount, again.amount) == (5123, 9900)
    assert first.dedupe_key != again.dedupe_key
    assert first.legacy_key == again.legacy_key == "DE89370400440532013000:B26071500042"
    assert statement.warnings == ()


def test_other_xml_is_an_unknown_format():
    pain = b'<?xml version="1.0"?><Document xmlns="urn:x"><CstmrCdtTrfInitn/></Document>'
    with pytest.raises(StatementError, match="unknown statement format"):
        parse_statement(pain)
    with pytest.raises(StatementError, match="unknown statement format"):
        parse_statement(b"<html><body>statement</body></html>")


def test_malformed_xml_is_refused_with_its_line():
    with pytest.raises(StatementError, match="not well-formed") as caught:
        parse_camt(read("camt053_v02.xml")[:400])
    assert caught.value.line is not None


# -- XML attacks ---------------------------------------------------------------------------


def _xxe(target: Path) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE Document [<!ENTITY e SYSTEM "file://{target}">]>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>&e;</MsgId><CreDtTm>2026-07-16T06:00:00</CreDtTm></GrpHdr>"
        "</BkToCstmrStmt></Document>"
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n<Document><BkToCstmrStmt><GrpHdr><MsgId>&lol9;</MsgId></GrpHdr>"
    "</BkToCstmrStmt></Document>"
)


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-4711")
    return path


def test_external_entity_is_refused(secret):
    for parse in (parse_camt, parse_statement):
        with pytest.raises(StatementError, match=DTD_REFUSED) as caught:
            parse(_xxe(secret).encode())
        assert "TOP-SECRET" not in str(caught.value)
    with pytest.raises(StatementError, match=DTD_REFUSED):
        parse_camt(_xxe(Path("/etc/passwd")).encode())


def test_external_entity_in_utf16_is_refused(secret):
    data = _xxe(secret).replace("UTF-8", "UTF-16").encode("utf-16")
    with pytest.raises(StatementError, match=DTD_REFUSED):
        parse_statement(data)


def test_a_doctype_the_byte_check_misses_is_refused_after_a_safe_parse(secret, monkeypatch):
    """Second line of defence: the parser neither loads the DTD nor resolves the entity, and the
    parsed DOCTYPE is refused."""
    monkeypatch.setattr(camt_module, "_refuse_dtd", lambda data: None)
    with pytest.raises(StatementError, match=DTD_REFUSED) as caught:
        parse_camt(_xxe(secret).encode())
    assert "TOP-SECRET" not in str(caught.value)
    # the same parser settings really leave the entity unexpanded
    root = etree.fromstring(_xxe(secret).encode(), camt_module._parser())
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")
    # libxml2's amplification limit stops the expansion; refused either way
    started = time.perf_counter()
    with pytest.raises(StatementError):
        parse_camt(BILLION_LAUGHS.encode())
    assert time.perf_counter() - started < 1


def test_billion_laughs_is_refused_quickly():
    started = time.perf_counter()
    for parse in (parse_camt, parse_statement):
        with pytest.raises(StatementError, match=DTD_REFUSED):
            parse(BILLION_LAUGHS.encode())
    assert time.perf_counter() - started < 1


# -- MT940 ---------------------------------------------------------------------------------


def test_mt940_credits_debit_and_fallback_key():
    statement = parse_mt940(read("statement.mt940"))
    assert statement.format == "mt940"
    assert statement.account == "DE89370400440532013000"
    assert statement.statement_id == "STMT260715001/87/1"
    assert statement.skipped == 0  # the debit is now a debit
    first, second = statement.credits
    assert (first.amount, first.currency) == (5123, "EUR")
    # the :61: line and its :86: text, digested behind a readable reference
    assert (
        first.dedupe_key
        == "DE89370400440532013000:2026-07-15:C:5123:B26071500042~4b0ec7aa540ab5e44e5d"
    )
    assert first.legacy_key == "DE89370400440532013000:B26071500042"
    assert first.bank_reference == "B26071500042"
    assert first.booked_on == first.value_on == date(2026, 7, 15)
    # the two :86: lines on one line
    assert first.free_text == "Ivan Ivanov RF87100200300062026 Zahlung Juli 2026 Wohnung 12"
    assert (first.end_to_end_id, first.payer_name, first.payer_account) == ("", "", "")

    assert (
        second.dedupe_key == "DE89370400440532013000:2026-07-16:C:25000:NONREF~b6003f5c998f46a94f1a"
    )
    # before issue 18, without a bank reference: customer reference, value date, amount, ordinal
    assert second.legacy_key == "DE89370400440532013000:NONREF:2026-07-16:25000:1"
    assert second.bank_reference == ""
    assert second.amount == 25000
    assert second.free_text == "Miete Wohnung 12 LS 100200300"


MT940_HEAD = ":20:STMT-RU-0715\r\n:25:40702810938000012345\r\n:28C:15/1\r\n:60F:C260714RUB0,00\r\n"
MT940_TAIL = ":62F:C260715RUB0,00\r\n"


def test_mt940_reversals_are_skipped_and_nonref_credits_are_told_apart_by_their_text():
    data = (
        MT940_HEAD
        + ":61:2607150715RC100,00NTRFNONREF//R1\r\n:86:storno\r\n"
        + ":61:2607150715RD100,00NTRFNONREF//R2\r\n"
        + ":61:2607150715C100,00NTRFNONREF\r\n:86:one\r\n"
        + ":61:2607150715C100,00NTRFNONREF\r\n:86:two\r\n"
        + MT940_TAIL
    ).encode()
    statement = parse_mt940(data)
    assert statement.skipped == 2
    assert [credit.dedupe_key for credit in statement.credits] == [
        "40702810938000012345:2026-07-15:C:10000:NONREF~75bd2f2d0c15fc64f45c",
        "40702810938000012345:2026-07-15:C:10000:NONREF~04bdb90c80d5e2afe451",
    ]
    assert [credit.legacy_key for credit in statement.credits] == [
        "40702810938000012345:NONREF:2026-07-15:10000:1",
        "40702810938000012345:NONREF:2026-07-15:10000:2",
    ]
    assert statement.credits[0].currency == "RUB"


def test_mt940_encodings():
    cyrillic = MT940_HEAD + ":61:2607150715C10,00NTRF//B1\r\n:86:Оплата ЖКУ ЛС 100200300\r\n"
    for encoding in ("utf-8", "cp1251"):
        (credit,) = parse_mt940((cyrillic + MT940_TAIL).encode(encoding)).credits
        assert credit.free_text == "Оплата ЖКУ ЛС 100200300"
    german = MT940_HEAD + ":61:2607150715C10,00NTRF//B1\r\n:86:Müller Überweisung\r\n"
    (credit,) = parse_mt940((german + MT940_TAIL).encode("latin-1")).credits
    assert credit.free_text == "Müller Überweisung"


def test_mt940_swift_envelope_is_tolerated():
    data = (
        "{1:F01COBADEFFAXXX0000000000}{2:O9401200260716COBADEFFXXXX00000000002607161200N}{4:\r\n"
        + read("statement.mt940").decode().replace("\r\n-\r\n", "\r\n")
        + "-}{5:{CHK:0123456789AB}}"
    ).encode()
    assert parse_statement(data) == parse_mt940(read("statement.mt940"))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (MT940_HEAD + ":61:garbage line\r\n" + MT940_TAIL, "cannot read :61:"),
        (MT940_HEAD.replace(":25:40702810938000012345\r\n", "") + MT940_TAIL, "no :25: account"),
        (
            MT940_HEAD
            + MT940_TAIL
            + MT940_HEAD.replace("40702810938000012345", "40702810400000001111")
            + MT940_TAIL,
            "one account per file",
        ),
        (MT940_HEAD + ":61:2607150715C1,005NTRF//B1\r\n" + MT940_TAIL, "more than 2 decimals"),
        # a repeated bank reference is no longer refused (issue 18): test_statement_keys.py
    ],
)
def test_mt940_bad_files_are_refused(data, error):
    with pytest.raises(StatementError, match=error):
        parse_mt940(data.encode())


# -- 1C ------------------------------------------------------------------------------------


def test_1c_statement_incoming_documents():
    statement = parse_1c_statement(read("statement_1c.txt"))
    assert statement.format == "1c"
    assert statement.account == "40702810938000012345"
    assert statement.statement_id == "15.07.2026"
    assert statement.skipped == 0  # our outgoing payment to the heat supplier is a debit
    person, company = statement.credits

    assert (person.amount, person.currency) == (432150, "RUB")
    assert person.booked_on == date(2026, 7, 15)  # ДатаПоступило, not Дата (14.07)
    assert person.value_on is None
    assert person.bank_reference == "418/2026-07-14"
    assert person.dedupe_key == "40702810938000012345:418/2026-07-14:432150:40817810099910004312"
    assert person.payer_name == "Петров Пётр Петрович"  # Плательщик1
    assert person.payer_account == "40817810099910004312"
    assert person.payer_inn == "772012345678"
    assert person.free_text == "Оплата ЖКУ за июнь 2026, ЛС 100200300. Без НДС"
    assert (person.end_to_end_id, person.structured_reference) == ("", "")

    assert company.amount == 350000  # "3500" without kopecks
    assert company.payer_name == "ООО «УК Северная»"  # Плательщик without "ИНН … "
    assert company.payer_inn == "7705556667"
    assert company.free_text.startswith("Перечисление платежей населения")


def test_1c_utf8_and_alternative_keys():
    text = read("statement_1c.txt").decode("cp1251")
    text = text.replace("Кодировка=Windows", "Кодировка=UTF-8")
    text = text.replace("ПолучательСчет=40702810938000012345\r\n", "")  # ПолучательРасчСчет only
    statement = parse_1c_statement(text.encode("utf-8"))
    assert statement.encoding == "utf-8"
    assert statement == replace(parse_1c_statement(read("statement_1c.txt")), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (("СекцияДокумент=Платежное поручение\r\nНомер=418", "Номер=418"), "without a section"),
        (("Номер=418\r\n", ""), "no Номер"),
        (("Сумма=4321.50", "Сумма=43,21,50"), "not a 1C amount"),
        (("Дата=14.07.2026", "Дата=2026-07-14"), "not a date"),
        (
            (
                "РасчСчет=40702810938000012345\r\nНачальныйОстаток",
                "РасчСчет=40702810400000001111\r\nНачальныйОстаток",
            ),
            "one account per file",
        ),  # noqa: E501
    ],
)
def test_1c_bad_statements_are_refused(change, error):
    text = read("statement_1c.txt").decode("cp1251")
    assert change[0] in text
    with pytest.raises(StatementError, match=error):
        parse_1c_statement(text.replace(change[0], change[1], 1).encode("cp1251"))


def test_1c_without_account_is_refused():
    text = read("statement_1c.txt").decode("cp1251")
    text = text.replace("\nРасчСчет=40702810938000012345\r\n", "\n")
    with pytest.raises(StatementError, match="no РасчСчет"):
        parse_1c_statement(text.encode("cp1251"))


# -- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"Datum;Betrag;Verwendungszweck\n15.07.2026;51,23;Miete\n", b"%PDF-1.7\n", b":20:only"],
)
def test_unknown_format_is_refused(data):
    with pytest.raises(StatementError, match=r"unknown statement format \(upload\.bin\)"):
        parse_statement(data, filename="upload.bin")


def test_detect_format():
    assert detect_format(read("camt053_v02.xml")) == "xml"
    assert detect_format(b"\xef\xbb\xbf  <?xml version='1.0'?><Document/>") == "xml"
    assert detect_format(read("statement.mt940")) == "mt940"
    assert detect_format(read("statement_1c.txt")) == "1c"
    assert detect_format(b"hello") == ""
