"""Issue 18: a statement entry's duplicate key is unique in the real world, entries without a
reference are taken with a warning, a repeated MT940 bank reference is no refusal, 1C files in
UTF-8 are read whatever they declare, and `legacy_key` is the key the parsers gave before.
No database."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from integrations.statements import parse_1c_statement, parse_camt, parse_mt940, parse_statement
from integrations.statements.keys import KEY_LIMIT, KEY_MAX, READABLE_PREFIX, entry_key

FILES = Path(__file__).resolve().parent / "files"
NEW_FILES = (
    "camt054_v08_qr_monday.xml",
    "camt054_v08_qr_tuesday.xml",
    "camt053_v08_tx_refs.xml",
    "camt053_v08_no_refs.xml",
    "statement_danske_bankgiro.mt940",
    "statement_1c_utf8.txt",
    "statement_1c_utf8_bom.txt",
)
SWISS_ACCOUNT = "CH5800791123000889012"
QR_IBAN = "CH4431999123000889012"


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def keys(statement) -> list[str]:
    return [entry.dedupe_key for entry in statement.credits + statement.debits]


@pytest.mark.parametrize("name", NEW_FILES)
def test_the_same_file_read_twice_gives_the_same_keys(name):
    first = parse_statement(read(name), filename=name)

    again = parse_statement(read(name), filename=name)

    assert keys(again) == keys(first)
    assert len(set(keys(first))) == len(keys(first))
    assert all(len(key) <= KEY_MAX for key in keys(first))


# -- defect 1: Swiss QR-bill notifications, the QR-IBAN in every NtryRef --------------------


def test_swiss_notifications_of_two_days_with_one_ntryref_keep_every_credit():
    monday = parse_camt(read("camt054_v08_qr_monday.xml"))
    tuesday = parse_camt(read("camt054_v08_qr_tuesday.xml"))

    assert [credit.amount for credit in monday.credits] == [10000, 5000, 2000]
    assert [credit.amount for credit in tuesday.credits] == [10000, 7500, 2000]
    assert {credit.bank_reference for credit in monday.credits + tuesday.credits} == {QR_IBAN}
    # the same payer, amount and reference on both days, and the same single 20.00: the
    # booking date keeps them apart
    assert keys(monday) == [
        f"{SWISS_ACCOUNT}:2026-07-13:C:10000:{QR_IBAN}:1",
        f"{SWISS_ACCOUNT}:2026-07-13:C:5000:{QR_IBAN}:2",
        f"{SWISS_ACCOUNT}:2026-07-13:C:2000:{QR_IBAN}",
    ]
    assert len(set(keys(monday)) | set(keys(tuesday))) == 6
    assert (monday.warnings, tuesday.warnings) == ((), ())


def test_swiss_notifications_legacy_keys_are_the_old_ones_that_took_tuesday_for_monday():
    monday = parse_camt(read("camt054_v08_qr_monday.xml"))
    tuesday = parse_camt(read("camt054_v08_qr_tuesday.xml"))

    # before issue 18 the key was the account and the NtryRef (with the detail index): the
    # same on both days, so Tuesday's credits were dropped as duplicates
    assert [credit.legacy_key for credit in monday.credits] == [
        f"{SWISS_ACCOUNT}:{QR_IBAN}:1",
        f"{SWISS_ACCOUNT}:{QR_IBAN}:2",
        f"{SWISS_ACCOUNT}:{QR_IBAN}",
    ]
    assert [c.legacy_key for c in tuesday.credits] == [c.legacy_key for c in monday.credits]


# -- defect 2: camt entries without AcctSvcrRef / NtryRef ------------------------------------


def test_camt_transaction_references_make_the_key_when_the_entry_has_none():
    statement = parse_camt(read("camt053_v08_tx_refs.xml"))

    account = "BE68539007547034"
    # three credits of 40.00 on one day: TxId, EndToEndId, InstrId (EndToEndId NOTPROVIDED)
    assert [credit.dedupe_key for credit in statement.credits] == [
        f"{account}:2026-07-15:C:4000:TX-20260715-0001",
        f"{account}:2026-07-15:C:4000:E2E-20260715-0002",
        f"{account}:2026-07-15:C:4000:INSTR-0003",
    ]
    assert [debit.dedupe_key for debit in statement.debits] == [
        f"D:{account}:2026-07-15:D:1250:E2E-OUT-0004"
    ]
    assert statement.credits[2].end_to_end_id == ""
    assert statement.warnings == ()
    # the old parser refused this file: no legacy key to recognise
    assert {entry.legacy_key for entry in statement.credits + statement.debits} == {""}


def test_camt_the_transaction_reference_wins_over_the_entry_reference():
    text = read("camt053_v08_tx_refs.xml").decode()
    end_of_dates = "        </ValDt>\n"
    assert end_of_dates in text
    text = text.replace(
        end_of_dates, end_of_dates + "        <AcctSvcrRef>KBC-0715-1</AcctSvcrRef>\n", 1
    )

    credit = parse_camt(text.encode()).credits[0]

    assert credit.dedupe_key == "BE68539007547034:2026-07-15:C:4000:TX-20260715-0001"
    assert credit.bank_reference == "KBC-0715-1"
    assert credit.legacy_key == "BE68539007547034:KBC-0715-1"  # what the old parser gave


def test_camt_entries_without_any_reference_are_taken_with_a_warning():
    statement = parse_camt(read("camt053_v08_no_refs.xml"))

    account = "NL91ABNA0417164300"
    with_id, room_3, room_4 = statement.credits
    assert with_id.dedupe_key == f"{account}:2026-07-15:C:4000:TX-20260715-0001"
    assert [room_3.amount, room_4.amount] == [2500, 2500]
    assert room_3.dedupe_key.startswith(f"{account}:2026-07-15:C:2500:NOREF-")
    assert room_3.dedupe_key != room_4.dedupe_key  # the remittance text differs
    assert (room_3.bank_reference, room_3.legacy_key) == ("", "")
    assert statement.warnings == (
        "Stmt/Ntry[2]: no bank reference; duplicate check by date, amount and text",
        "Stmt/Ntry[3]: no bank reference; duplicate check by date, amount and text",
    )


def test_camt_identical_entries_without_reference_are_told_apart_by_position():
    text = read("camt053_v08_no_refs.xml").decode().replace("kamer 4", "kamer 3")

    statement = parse_camt(text.encode())
    again = parse_camt(text.encode())

    _, first, second = statement.credits
    assert second.dedupe_key == f"{first.dedupe_key}:x2"
    assert keys(again) == keys(statement)
    assert len(statement.warnings) == 2


def test_camt_a_different_amount_or_text_is_a_different_key():
    text = read("camt053_v08_no_refs.xml").decode()
    base = parse_camt(text.encode()).credits[1].dedupe_key

    other_amount = text.replace('<Amt Ccy="EUR">25.00</Amt>', '<Amt Ccy="EUR">25.01</Amt>', 1)
    other_text = text.replace("kamer 3", "kamer 5")

    assert parse_camt(other_amount.encode()).credits[1].dedupe_key != base
    assert parse_camt(other_text.encode()).credits[1].dedupe_key != base


def test_camt_encoding_is_named():
    assert parse_camt(read("camt053_v08_tx_refs.xml")).encoding == "utf-8"
    text = (
        read("camt053_v08_tx_refs.xml")
        .decode()
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    )
    assert parse_camt(text.encode("latin-1")).encoding == "iso-8859-1"


# -- defect 3: MT940 with the same bank reference on every line ------------------------------


def test_mt940_a_bank_reference_on_every_line_is_no_refusal():
    statement = parse_mt940(read("statement_danske_bankgiro.mt940"))

    account = "SE4512000000012345678901"
    assert (statement.account, statement.encoding) == (account, "utf-8")
    assert [credit.amount for credit in statement.credits] == [150000, 150000, 87550, 20000, 20000]
    assert [debit.amount for debit in statement.debits] == [9900]
    assert len(set(keys(statement))) == 6
    assert all(key.startswith(f"{account}:2026-07-15:C:") for key in keys(statement)[:5])
    # two lines identical to the last character, :86: included: told apart by position alone
    assert statement.credits[4].dedupe_key == f"{statement.credits[3].dedupe_key}:x2"
    assert statement.warnings == (
        "statement DB260715001/196/1, :61: #5: the same :61: line and :86: text as an earlier "
        "one; told apart by its position in the file",
    )
    # the old key: the account and the bank reference, the same for every line
    assert {credit.legacy_key for credit in statement.credits} == {f"{account}:5050-1055"}
    assert statement.debits[0].legacy_key == f"D:{account}:5050-1055"


def test_mt940_the_key_changes_with_the_86_text_and_the_value_date():
    text = read("statement_danske_bankgiro.mt940").decode()
    base = parse_mt940(text.encode()).credits[0].dedupe_key

    other_text = text.replace("Lindqvist Erik", "Lindqvist Eva")
    other_value_date = text.replace(":61:2607150715C1500,00", ":61:2607140715C1500,00", 1)

    assert parse_mt940(other_text.encode()).credits[0].dedupe_key != base
    assert parse_mt940(other_value_date.encode()).credits[0].dedupe_key != base


# -- keys stay short --------------------------------------------------------------------------


def test_a_long_reference_is_hashed_behind_a_readable_prefix():
    long_reference = "REF-" + "x" * 150
    key = entry_key(
        account="DE89370400440532013000",
        booked_on=date(2026, 7, 15),
        direction="C",
        amount=5123,
        reference=long_reference,
    )
    other = entry_key(
        account="DE89370400440532013000",
        booked_on=date(2026, 7, 15),
        direction="C",
        amount=5123,
        reference=long_reference + "y",
    )

    assert len(key) <= KEY_LIMIT
    assert key.startswith(
        f"DE89370400440532013000:2026-07-15:C:5123:{long_reference[:READABLE_PREFIX]}~"
    )
    assert other != key


# -- defect 4: 1C in UTF-8 declaring Кодировка=Windows --------------------------------------


@pytest.mark.parametrize("name", ["statement_1c_utf8.txt", "statement_1c_utf8_bom.txt"])
def test_1c_in_utf8_declaring_windows_is_read_as_utf8(name):
    data = read(name)
    assert "Кодировка=Windows".encode() in data

    statement = parse_statement(data, filename=name)

    assert statement.encoding == "utf-8"
    assert statement.account == "40702810938000012345"
    person = statement.credits[0]
    assert person.payer_name == "Петров Пётр Петрович"
    assert person.free_text == "Оплата ЖКУ за июнь 2026, ЛС 100200300. Без НДС"
    # the same statement as the Windows-1251 file, and the same keys as before issue 18
    windows = parse_1c_statement(read("statement_1c.txt"))
    assert windows.encoding == "cp1251"
    assert statement == replace(windows, encoding="utf-8")
    assert (
        person.legacy_key
        == person.dedupe_key
        == ("40702810938000012345:418/2026-07-14:432150:40817810099910004312")
    )


def test_1c_declaring_dos_is_read_as_cp866():
    text = read("statement_1c.txt").decode("cp1251").replace("Кодировка=Windows", "Кодировка=DOS")
    text = text.replace("«", '"').replace("»", '"')  # not in cp866

    statement = parse_1c_statement(text.encode("cp866"))

    assert statement.encoding == "cp866"
    assert statement.credits[0].payer_name == "Петров Пётр Петрович"


# -- UTF-16 text files: MT940 and 1C saved as "Unicode text", camt in UTF-16 ----------------


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("statement_danske_bankgiro.mt940", "utf-16"),  # with a BOM
        ("statement_danske_bankgiro.mt940", "utf-16-le"),  # without
        ("statement_1c.txt", "utf-16"),
        ("statement_1c.txt", "utf-16-le"),
        ("camt053_v08_tx_refs.xml", "utf-16"),
    ],
)
def test_a_statement_in_utf16_reads_as_the_same_statement(name, codec):
    original = parse_statement(read(name), filename=name)
    text = read(name).decode(original.encoding or "utf-8")
    if name.endswith(".xml"):
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')

    statement = parse_statement(text.encode(codec), filename=name)

    assert statement.credits == original.credits
    assert statement.debits == original.debits
    if not name.endswith(".xml"):
        assert statement.encoding == "utf-16"
