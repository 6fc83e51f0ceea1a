"""Bank statements → debits (our payouts, the bank's fees) and returns of our payouts among the
credits: camt.053 V02 and V08, 1C and MT940. No database."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from integrations.statements import (
    StatementCredit,
    StatementDebit,
    StatementError,
    parse_1c_statement,
    parse_camt,
    parse_mt940,
    parse_statement,
)
from integrations.statements.camt import XSD_DIR

FILES = Path(__file__).resolve().parent / "files"
CAMT_FILES = {
    "camt053_v02_debits.xml": "camt.053.001.02",
    "camt053_v08_debits.xml": "camt.053.001.08",
}
ALL_FILES = {
    **{name: "camt.053" for name in CAMT_FILES},
    "statement_1c_debits.txt": "1c",
    "statement_debits.mt940": "mt940",
}

IBAN = "DE89370400440532013000"  # our account in the camt and MT940 files
RU_ACCOUNT = "40702810938000012345"  # ours in the 1C files
DAY = date(2026, 12, 2)


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def _camt_debit(**fields) -> StatementDebit:
    values = {
        "account": IBAN,
        "currency": "EUR",
        "booked_on": DAY,
        "value_on": DAY,
        "end_to_end_id": "",
        "free_text": "",
        "counterparty_name": "",
        "counterparty_account": "",
        "document_number": "",
    }
    return StatementDebit(**{**values, **fields})


def _camt_credit(**fields) -> StatementCredit:
    values = {
        "account": IBAN,
        "currency": "EUR",
        "booked_on": DAY,
        "value_on": DAY,
        "end_to_end_id": "",
        "structured_reference": "",
        "free_text": "",
        "payer_name": "",
        "payer_account": "",
    }
    return StatementCredit(**{**values, **fields})


CAMT_DEBITS = (
    _camt_debit(
        dedupe_key=f"D:{IBAN}:2026-12-02:D:123456:R20261201-1-2",
        legacy_key=f"D:{IBAN}:B26120200101",
        amount=123456,
        bank_reference="B26120200101",
        end_to_end_id="R20261201-1-2",
        free_text="Registry R20261201-1-2 of 2026-12-01: 42 payments",
        counterparty_name="Stadtwerke Beispiel GmbH",
        counterparty_account="DE02120300000000202051",
    ),
    _camt_debit(
        dedupe_key=f"D:{IBAN}:2026-12-02:D:20000:R20261201-1-3",
        legacy_key=f"D:{IBAN}:B26120200102:1",
        alternate_keys=(f"D:{IBAN}:2026-12-02:D:20000:R20261201-1-3:1",),
        amount=20000,
        bank_reference="B26120200102",
        end_to_end_id="R20261201-1-3",
        free_text="Registry R20261201-1-3 of 2026-12-01: 17 payments",
        counterparty_name="Wasserverband Nord",
        counterparty_account="DE75512108001245126199",
    ),
    _camt_debit(
        dedupe_key=f"D:{IBAN}:2026-12-02:D:15000:R20261201-1-4",
        legacy_key=f"D:{IBAN}:B26120200102:2",
        alternate_keys=(f"D:{IBAN}:2026-12-02:D:15000:R20261201-1-4:2",),
        amount=15000,
        bank_reference="B26120200102",
        end_to_end_id="R20261201-1-4",
        free_text="Registry R20261201-1-4 of 2026-12-01: 9 payments",  # Ustrd lines joined
        counterparty_name="Müllabfuhr Süd GmbH",
        counterparty_account="1007654321",  # CdtrAcct/Id/Othr/Id
    ),
    # no TxDtls: the entry's AddtlNtryInf is the text, no counterparty
    _camt_debit(
        dedupe_key=f"D:{IBAN}:2026-12-02:D:1250:B26120200103",
        legacy_key=f"D:{IBAN}:B26120200103",
        amount=1250,
        value_on=date(2026, 11, 30),
        bank_reference="B26120200103",
        free_text="Kontoführung November 2026",
    ),
)

CAMT_CREDITS = (
    _camt_credit(
        dedupe_key=f"{IBAN}:2026-12-02:C:8910:R20261128-1-5",
        legacy_key=f"{IBAN}:B26120200104",
        amount=8910,
        bank_reference="B26120200104",
        end_to_end_id="R20261128-1-5",
        free_text="RETOURE Registry R20261128-1-5 of 2026-11-28: 3 payments",
        payer_name="Hausmeisterservice Klein",
        payer_account="DE12500105170648489890",
        is_return=True,
        return_reason="AC04: Konto erloschen",  # RtrInf/Rsn/Cd and AddtlInf
    ),
    # no RtrInf: the bank transaction code PMNT/ICDT/RPCR says it is a return, without reason
    _camt_credit(
        dedupe_key=f"{IBAN}:2026-12-02:C:4000:R20261127-1-6",
        legacy_key=f"{IBAN}:B26120200105",
        amount=4000,
        bank_reference="B26120200105",
        end_to_end_id="R20261127-1-6",
        free_text="Rueckruf R20261127-1-6",
        payer_name="Gartenpflege Grün",
        is_return=True,
        return_reason="",
    ),
    _camt_credit(
        dedupe_key=f"{IBAN}:2026-12-02:C:5123:B26120200106",
        legacy_key=f"{IBAN}:B26120200106",
        amount=5123,
        bank_reference="B26120200106",
        structured_reference="RF87100200300062026",
        payer_name="Ivan Ivanov",
        payer_account="DE66370501980012345678",
    ),
)


# -- fixtures are what they claim to be ------------------------------------------------------


@pytest.mark.parametrize(("name", "message"), sorted(CAMT_FILES.items()))
def test_debit_fixtures_validate_against_the_official_xsd(name, message):
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / f"{message}.xsd")))
    document = etree.parse(str(FILES / name))
    assert schema.validate(document), schema.error_log
    assert etree.QName(document.getroot()).namespace.endswith(message)


def test_the_1c_debit_fixture_is_windows_1251():
    data = read("statement_1c_debits.txt")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "Кодировка=Windows\r\n" in data.decode("cp1251")


@pytest.mark.parametrize(("name", "statement_format"), sorted(ALL_FILES.items()))
def test_debit_keys_are_stable_marked_and_never_a_credits(name, statement_format):
    data = read(name)

    first = parse_statement(data, filename=name)

    assert first.format == statement_format
    assert parse_statement(data) == first  # re-import: the same debits, the same keys
    assert first.debits
    debit_keys = [debit.dedupe_key for debit in first.debits]
    credit_keys = [credit.dedupe_key for credit in first.credits]
    assert len(set(debit_keys)) == len(debit_keys)
    assert all(key.startswith(f"D:{first.account}:") for key in debit_keys)
    assert not set(debit_keys) & set(credit_keys)
    assert all(debit.amount > 0 and debit.account == first.account for debit in first.debits)


# -- camt.053 ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CAMT_FILES))
def test_camt053_debits_one_per_batch_detail_and_returns_flagged(name):
    statement = parse_camt(read(name))

    assert (statement.format, statement.account, statement.statement_id) == (
        "camt.053",
        IBAN,
        "0532013000-2026-12-02",
    )
    assert statement.debits == CAMT_DEBITS
    assert statement.credits == CAMT_CREDITS
    # the pending payout and the reversed credit (RvslInd=true): neither credit nor debit
    assert statement.skipped == 2


def test_a_return_reason_may_be_proprietary_and_without_additional_information():
    text = read("camt053_v02_debits.xml").decode()
    old = "<Cd>AC04</Cd>\n              </Rsn>\n              <AddtlInf>Konto erloschen</AddtlInf>"
    assert old in text
    text = text.replace(old, "<Prtry>KTO AUFGELOEST</Prtry>\n              </Rsn>")

    returned = parse_camt(text.encode()).credits[0]

    assert (returned.is_return, returned.return_reason) == (True, "KTO AUFGELOEST")


def test_a_credit_with_an_ordinary_bank_code_and_no_return_information_is_no_return():
    text = read("camt053_v02_debits.xml").decode().replace("RPCR", "ESCT")

    recalled = parse_camt(text.encode()).credits[1]

    assert recalled == replace(CAMT_CREDITS[1], is_return=False)


def test_a_debit_and_a_credit_with_one_bank_reference_both_read():
    text = read("camt053_v02_debits.xml").decode()
    text = text.replace(
        "<AcctSvcrRef>B26120200106</AcctSvcrRef>", "<AcctSvcrRef>B26120200101</AcctSvcrRef>"
    )

    statement = parse_camt(text.encode())

    assert statement.debits[0].legacy_key == f"D:{IBAN}:B26120200101"
    assert statement.credits[2].legacy_key == f"{IBAN}:B26120200101"
    assert statement.credits[2].dedupe_key == f"{IBAN}:2026-12-02:C:5123:B26120200101"


def test_a_credit_detail_in_a_debit_batch_counts_against_it_and_is_skipped():
    text = read("camt053_v08_debits.xml").decode()
    batch_amount = '<Amt Ccy="EUR">350.00</Amt>\n        <CdtDbtInd>DBIT</CdtDbtInd>'
    second_detail = '<Amt Ccy="EUR">150.00</Amt>\n            <CdtDbtInd>DBIT</CdtDbtInd>'
    assert batch_amount in text and second_detail in text
    text = text.replace(batch_amount, batch_amount.replace("350.00", "50.00"))
    text = text.replace(second_detail, second_detail.replace("DBIT", "CRDT"))

    statement = parse_camt(text.encode())

    batch = [debit for debit in statement.debits if debit.bank_reference == "B26120200102"]
    assert batch == [CAMT_DEBITS[1]]  # 200.00 debited, 150.00 credited: the entry's 50.00
    assert statement.skipped == 3


def test_debit_batch_details_that_do_not_add_up_are_refused():
    text = read("camt053_v02_debits.xml").decode()
    old = '<Amt Ccy="EUR">150.00</Amt>'
    assert text.count(old) == 1

    with pytest.raises(StatementError, match="add up to 340.00, the entry to 350.00"):
        parse_camt(text.replace(old, '<Amt Ccy="EUR">140.00</Amt>').encode())


def test_a_debit_without_bank_reference_is_taken_with_a_warning():
    # issue 18: a bank reference is optional in camt; before, the file was refused
    text = read("camt053_v02_debits.xml").decode()
    text = text.replace("<AcctSvcrRef>B26120200103</AcctSvcrRef>", "")
    text = text.replace("<NtryRef>000103</NtryRef>", "")

    statement = parse_camt(text.encode())

    fee = statement.debits[3]
    assert (fee.amount, fee.bank_reference, fee.legacy_key) == (1250, "", "")
    assert fee.dedupe_key.startswith(f"D:{IBAN}:2026-12-02:D:1250:NOREF-")
    assert statement.warnings == (
        "Stmt/Ntry[3]: no bank reference; duplicate check by date, amount and text",
    )


# -- camt.054 (an existing notification: its direct debit is now a debit) ------------------


def test_camt054_v08_direct_debit_is_a_debit():
    statement = parse_camt(read("camt054_v08.xml"))

    assert statement.debits == (
        StatementDebit(
            dedupe_key="D:DE02120300000000202051:2026-07-15:D:1999:2026071512345679",
            legacy_key="D:DE02120300000000202051:2026071512345679",
            account="DE02120300000000202051",
            amount=1999,
            currency="EUR",
            booked_on=date(2026, 7, 15),
            value_on=None,
            bank_reference="2026071512345679",
            end_to_end_id="",
            free_text="",
            counterparty_name="",
            counterparty_account="",
            document_number="",
        ),
    )
    assert statement.skipped == 1  # the INFO entry


# -- 1C ------------------------------------------------------------------------------------


def test_1c_our_payment_orders_are_debits_and_incoming_ones_credits():
    statement = parse_1c_statement(read("statement_1c_debits.txt"))

    assert (statement.format, statement.account, statement.statement_id) == (
        "1c",
        RU_ACCOUNT,
        "02.12.2026",
    )
    assert statement.skipped == 0
    payout, fee = statement.debits
    # the 1C key did not change in issue 18: legacy_key is the key itself
    assert payout == StatementDebit(
        dedupe_key=f"D:{RU_ACCOUNT}:17/2026-12-01:9876543:40702810510000054321",
        legacy_key=f"D:{RU_ACCOUNT}:17/2026-12-01:9876543:40702810510000054321",
        account=RU_ACCOUNT,
        amount=9876543,
        currency="RUB",
        booked_on=DAY,  # ДатаСписано, not Дата (01.12)
        value_on=None,
        bank_reference="17/2026-12-01",
        end_to_end_id="",
        free_text=(
            "Перечисление платежей населения по реестру R20261201-1-2 от 01.12.2026 (42 платежа) "
            "по агентскому договору № 12/2026. НДС не облагается"
        ),
        counterparty_name="АО «Водоканал Северный»",  # Получатель without "ИНН … "
        counterparty_account="40702810510000054321",
        document_number="17",
    )
    # the bank's own order for its fee, numbered like ours: the recipient keeps the keys apart
    assert fee == StatementDebit(
        dedupe_key=f"D:{RU_ACCOUNT}:17/2026-12-02:35000:70601810038002750101",
        legacy_key=f"D:{RU_ACCOUNT}:17/2026-12-02:35000:70601810038002750101",
        account=RU_ACCOUNT,
        amount=35000,  # "350" without kopecks
        currency="RUB",
        booked_on=DAY,  # no ДатаСписано: Дата
        value_on=None,
        bank_reference="17/2026-12-02",
        end_to_end_id="",
        free_text="Комиссия за перевод по п/п № 17 от 01.12.2026",
        counterparty_name="ПАО Сбербанк",  # Получатель1
        counterparty_account="70601810038002750101",
        document_number="17",
    )

    person, company = statement.credits
    assert person == StatementCredit(
        dedupe_key=f"{RU_ACCOUNT}:733/2026-12-01:215075:40817810500001234567",
        legacy_key=f"{RU_ACCOUNT}:733/2026-12-01:215075:40817810500001234567",
        account=RU_ACCOUNT,
        amount=215075,
        currency="RUB",
        booked_on=DAY,
        value_on=None,
        bank_reference="733/2026-12-01",
        end_to_end_id="",
        structured_reference="",
        free_text="Оплата ЖКУ за ноябрь 2026, ЛС 100200301. Без НДС",
        payer_name="Сидорова Анна Ивановна",
        payer_account="40817810500001234567",
        payer_inn="771234567890",
    )
    assert (company.amount, company.payer_name, company.payer_inn) == (
        350000,
        "ООО «УК Северная»",
        "7705556667",
    )
    assert (person.is_return, company.is_return) == (False, False)


def test_1c_existing_statement_outgoing_payment_is_a_debit():
    statement = parse_1c_statement(read("statement_1c.txt"))

    (heat,) = statement.debits
    assert heat == StatementDebit(
        dedupe_key=f"D:{RU_ACCOUNT}:97/2026-07-15:12000000:40702810510000054321",
        legacy_key=f"D:{RU_ACCOUNT}:97/2026-07-15:12000000:40702810510000054321",
        account=RU_ACCOUNT,
        amount=12000000,
        currency="RUB",
        booked_on=date(2026, 7, 15),
        value_on=None,
        bank_reference="97/2026-07-15",
        end_to_end_id="",
        free_text="Перечисление по реестру от 14.07.2026 за тепловую энергию. Без НДС",
        counterparty_name="АО «Теплосеть»",
        counterparty_account="40702810510000054321",
        document_number="97",
    )


def _1c_text() -> str:
    return read("statement_1c_debits.txt").decode("cp1251")


def test_1c_a_document_between_two_other_accounts_is_skipped():
    text = (
        _1c_text()
        .replace(
            "ПлательщикСчет=40702810938000012345\r\nДатаСписано",
            "ПлательщикСчет=40702810400000002222\r\nДатаСписано",
        )
        .replace(
            "ПлательщикРасчСчет=40702810938000012345\r\nПлательщикБанк1",
            "ПлательщикРасчСчет=40702810400000002222\r\nПлательщикБанк1",
        )
    )

    statement = parse_1c_statement(text.encode("cp1251"))

    assert [debit.bank_reference for debit in statement.debits] == ["17/2026-12-02"]
    assert statement.skipped == 1


def test_1c_payer_account_may_come_as_payer_settlement_account_only():
    text = _1c_text()
    assert text.count("ПлательщикСчет=40702810938000012345\r\n") == 2
    text = text.replace("ПлательщикСчет=40702810938000012345\r\n", "")

    assert parse_1c_statement(text.encode("cp1251")) == parse_1c_statement(
        read("statement_1c_debits.txt")
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (("Номер=17\r\nДата=01.12.2026", "Номер=\r\nДата=01.12.2026"), "no Номер"),
        (("ДатаСписано=02.12.2026", "ДатаСписано=2026-12-02"), "ДатаСписано: not a date"),
        (("Сумма=98765.43", "Сумма=0.00"), "Сумма must be positive"),
    ],
)
def test_1c_bad_debits_are_refused(change, error):
    text = _1c_text()
    assert change[0] in text

    with pytest.raises(StatementError, match=error):
        parse_1c_statement(text.replace(change[0], change[1], 1).encode("cp1251"))


# -- MT940 ---------------------------------------------------------------------------------


def _mt940_debit(**fields) -> StatementDebit:
    values = {
        "account": IBAN,
        "currency": "EUR",
        "booked_on": DAY,
        "value_on": DAY,
        "end_to_end_id": "",
        "counterparty_name": "",
        "counterparty_account": "",
        "document_number": "",
    }
    return StatementDebit(**{**values, **fields})


def test_mt940_d_lines_are_debits_and_rd_reversals_are_skipped():
    statement = parse_mt940(read("statement_debits.mt940"))

    assert (statement.format, statement.account, statement.statement_id) == (
        "mt940",
        IBAN,
        "STMT261202001/222/1",
    )
    assert statement.skipped == 1  # RD: the reversal of a debit
    assert statement.debits == (
        # the customer reference (our EndToEndId) before "//"
        _mt940_debit(
            dedupe_key=f"D:{IBAN}:2026-12-02:D:123456:B26120200101~24e0c71c181a3b4ba956",
            legacy_key=f"D:{IBAN}:B26120200101",
            amount=123456,
            bank_reference="B26120200101",
            end_to_end_id="R20261201-1-2",
            free_text="Stadtwerke Beispiel GmbH Registry R20261201-1-2 of 2026-12-01: 42 payments",
        ),
        _mt940_debit(
            dedupe_key=f"D:{IBAN}:2026-12-02:D:35000:B26120200102~826c542d3f3b1d69440e",
            legacy_key=f"D:{IBAN}:B26120200102",
            amount=35000,
            bank_reference="B26120200102",
            free_text="SAMMLER R20261201-B 2 Posten",
        ),
        # no bank reference: the :86: text keeps the two apart (before issue 18: the ordinal)
        _mt940_debit(
            dedupe_key=f"D:{IBAN}:2026-12-02:D:250:NONREF~7b92c2606de5043c06b6",
            legacy_key=f"D:{IBAN}:NONREF:2026-12-02:250:1",
            amount=250,
            bank_reference="",
            free_text="Kontofuehrung Dezember 2026",
        ),
        _mt940_debit(
            dedupe_key=f"D:{IBAN}:2026-12-02:D:250:NONREF~d845ea8d87d11d93caf8",
            legacy_key=f"D:{IBAN}:NONREF:2026-12-02:250:2",
            amount=250,
            bank_reference="",
            free_text="Buchungsposten 1",
        ),
    )
    (credit,) = statement.credits
    assert credit == StatementCredit(
        dedupe_key=f"{IBAN}:2026-12-02:C:5123:B26120200106~1da0eac78e515f9b6fd9",
        legacy_key=f"{IBAN}:B26120200106",
        account=IBAN,
        amount=5123,
        currency="EUR",
        booked_on=DAY,
        value_on=DAY,
        bank_reference="B26120200106",
        end_to_end_id="",
        structured_reference="",
        free_text="Ivan Ivanov RF87100200300062026",
        payer_name="",
        payer_account="",
    )


MT940_HEAD = ":20:STMT-RU-1202\r\n:25:40702810938000012345\r\n:28C:15/1\r\n:60F:C261201RUB0,00\r\n"


def test_mt940_a_debit_does_not_shift_the_ordinal_of_a_credit_without_reference():
    data = (
        MT940_HEAD
        + ":61:2612021202D100,00NTRFNONREF\r\n:86:out\r\n"
        + ":61:2612021202C100,00NTRFNONREF\r\n:86:in\r\n"
        + ":62F:C261202RUB0,00\r\n"
    ).encode()

    statement = parse_mt940(data)

    assert [credit.dedupe_key for credit in statement.credits] == [
        "40702810938000012345:2026-12-02:C:10000:NONREF~1e7d0d8eddcfaa3699a6"
    ]
    assert [debit.dedupe_key for debit in statement.debits] == [
        "D:40702810938000012345:2026-12-02:D:10000:NONREF~299d36737efe32a3f026"
    ]
    assert [credit.legacy_key for credit in statement.credits] == [
        "40702810938000012345:NONREF:2026-12-02:10000:1"
    ]
    assert [debit.legacy_key for debit in statement.debits] == [
        "D:40702810938000012345:NONREF:2026-12-02:10000:1"
    ]
    assert statement.debits[0].currency == "RUB"


def test_mt940_a_repeated_debit_bank_reference_is_two_debits():
    # issue 18: banks repeat the :61: bank reference; before, the file was refused
    data = (
        MT940_HEAD
        + ":61:2612021202D1,00NTRF//B1\r\n:61:2612021202D2,00NTRF//B1\r\n"
        + ":62F:C261202RUB0,00\r\n"
    ).encode()

    statement = parse_mt940(data)

    assert [debit.amount for debit in statement.debits] == [100, 200]
    assert len({debit.dedupe_key for debit in statement.debits}) == 2
    assert {debit.legacy_key for debit in statement.debits} == {"D:40702810938000012345:B1"}
