"""The supplier's daily registry (CSV, XLSX) and its payout files (pain.001, 1C). No database."""

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest
from lxml import etree

from integrations.settlement import (
    OneCFormatError,
    Party,
    Payout,
    Registry,
    RegistryLine,
    one_c_amount,
    pain001_errors,
    payout_1c,
    payout_pain001,
    read_1c,
    read_registry_csv,
    registry_csv,
    registry_xlsx,
)
from integrations.settlement.pain001 import NS

MSK = timezone(timedelta(hours=3))
CET = timezone(timedelta(hours=1))
XP = {"p": NS}

SEPA_OPERATOR = Party(
    name="Abrechnungszentrum Beispiel GmbH", iban="DE89370400440532013000", bic="COBADEFFXXX"
)
WATER = Party(name="Stadtwerke Beispiel GmbH", iban="DE02120300000000202051", bic="BYLADEM1001")
HEAT = Party(name="Fernwärme Nord AG", iban="DE02100500000054540402", bic="BELADEBEXXX")

RU_OPERATOR = Party(
    name="ООО «Расчётный центр»",
    bic="044525225",
    bank_name="ПАО Сбербанк",
    bank_account="40702810938000012345",
    corr_account="30101810400000000225",
    inn="7701234567",
    kpp="770101001",
)
RU_HEAT = Party(
    name="АО «Теплосеть»",
    bic="044525974",
    bank_name="АО «Тинькофф Банк»",
    bank_account="40702810510000054321",
    corr_account="30101810145250000974",
    inn="7709876543",
    kpp="770901001",
)
RU_WATER = Party(
    name="МУП «Водоканал»",
    bic="044525225",
    bank_name="ПАО Сбербанк",
    bank_account="40702810938000099999",
    corr_account="30101810400000000225",
    inn="7705555555",
    kpp="770501001",
)


def _registry(registry_id="R-20261120-WATER", currency="EUR", supplier=WATER):
    lines = (
        RegistryLine(
            account_number="100200300",
            period="2026-10",
            document_reference="RF18100200300062026",
            payment_id="PAY-1",
            booked_at=datetime(2026, 11, 20, 9, 15, tzinfo=CET),
            amount=123450,
            commission=1852,
        ),
        RegistryLine(
            account_number="100200301",
            period="2026-10",
            document_reference="",
            payment_id="PAY-2",
            booked_at=datetime(2026, 11, 20, 12, 0, 30, tzinfo=CET),
            amount=5000,
            commission=75,
        ),
        RegistryLine(  # a reversal of an earlier payment
            account_number="100200300",
            period="2026-09",
            document_reference="RF18100200300062026",
            payment_id="PAY-0-REV",
            booked_at=datetime(2026, 11, 20, 16, 45, tzinfo=CET),
            amount=-1200,
            commission=-18,
        ),
    )
    return Registry(
        id=registry_id,
        day=date(2026, 11, 20),
        currency=currency,
        supplier=supplier,
        operator=SEPA_OPERATOR,
        lines=lines,
    )


def _payout(registry, remittance=None):
    return Payout(
        end_to_end_id=registry.id,
        amount=registry.net,
        currency=registry.currency,
        creditor=registry.supplier,
        remittance=remittance
        or f"Registry {registry.id} of {registry.day.isoformat()}: {registry.count} payments",
    )


# -- registry ------------------------------------------------------------------------------


def test_registry_totals_count_a_reversal_negative():
    registry = _registry()

    assert registry.count == 3
    assert registry.gross == 123450 + 5000 - 1200
    assert registry.commission == 1852 + 75 - 18
    assert registry.net == registry.gross - registry.commission


def test_registry_csv_reads_back_with_header_totals_and_the_reversal():
    registry = _registry()

    data = registry_csv(registry)
    header, lines = read_registry_csv(data)

    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert (
        text.splitlines()[0] == "registry;R-20261120-WATER;2026-11-20;EUR;3;1272.50;19.09;1253.41"
    )
    assert header == {
        "id": "R-20261120-WATER",
        "day": date(2026, 11, 20),
        "currency": "EUR",
        "count": 3,
        "gross": registry.gross,
        "commission": registry.commission,
        "net": registry.net,
    }
    assert len(lines) == 3
    reversal = lines[2]
    assert reversal["payment_id"] == "PAY-0-REV"
    assert reversal["amount"] == -1200
    assert reversal["commission"] == -18
    assert reversal["net"] == -1182
    assert reversal["sign"] == "-"
    assert "-12.00;-0.18;-11.82;-" in text
    assert lines[0]["sign"] == "+"
    assert lines[0]["booked_at"] == datetime(2026, 11, 20, 9, 15, tzinfo=CET)
    assert lines[1]["document_reference"] == ""


def test_registry_csv_defuses_formula_text_and_reads_it_back():
    line = RegistryLine(
        account_number="=HYPERLINK(1)",
        period="2026-10",
        document_reference="@ref;with;separators",
        payment_id="P-1",
        booked_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        amount=100,
        commission=0,
    )
    registry = Registry("R-1", date(2026, 11, 20), "EUR", WATER, SEPA_OPERATOR, (line,))

    data = registry_csv(registry)
    _, lines = read_registry_csv(data)

    assert "\r\n'=HYPERLINK(1);" in data.decode("utf-8-sig")
    assert lines[0]["account_number"] == "=HYPERLINK(1)"
    assert lines[0]["document_reference"] == "@ref;with;separators"


def test_read_registry_csv_refuses_totals_that_disagree_with_the_lines():
    data = registry_csv(_registry()).decode("utf-8-sig").replace(";1272.50;", ";1272.51;", 1)

    with pytest.raises(ValueError, match="gross"):
        read_registry_csv(data.encode("utf-8-sig"))


def test_registry_xlsx_has_numeric_totals_and_lines():
    registry = _registry()

    workbook = openpyxl.load_workbook(io.BytesIO(registry_xlsx(registry)))
    sheet = workbook.active

    labels = {sheet.cell(row=2, column=c).value: c for c in range(1, 10)}
    total = {
        name: sheet.cell(row=3, column=labels[name]) for name in ("Gross", "Commission", "Net")
    }
    assert sheet.cell(row=3, column=labels["Registry"]).value == registry.id
    assert sheet.cell(row=3, column=labels["Payments"]).value == registry.count
    assert "Stadtwerke Beispiel GmbH" in sheet.cell(row=3, column=labels["Supplier"]).value
    for name, expected in (
        ("Gross", registry.gross),
        ("Commission", registry.commission),
        ("Net", registry.net),
    ):
        assert Decimal(str(total[name].value)) * 100 == expected
        assert total[name].number_format == "#,##0.00"

    header = [cell.value for cell in sheet[5]]
    assert header[:6] == [
        "account_number",
        "period",
        "document_reference",
        "payment_id",
        "booked_at",
        "amount",
    ]
    assert sheet.freeze_panes == "A6"
    rows = list(sheet.iter_rows(min_row=6, values_only=True))
    assert len(rows) == 3
    amounts = [Decimal(str(row[5])) * 100 for row in rows]
    assert amounts == [123450, 5000, -1200]
    assert sum(amounts) == registry.gross
    assert rows[2][8] == "-"
    assert isinstance(sheet.cell(row=6, column=6).value, int | float)
    assert sheet.cell(row=6, column=6).number_format == "#,##0.00"
    assert rows[0][4] == datetime(2026, 11, 20, 9, 15)
    assert sheet.column_dimensions["D"].width >= len("Stadtwerke Beispiel GmbH")


def test_registry_xlsx_keeps_formula_looking_text_as_text():
    line = RegistryLine("=1+1", "2026-10", "", "P-1", datetime(2026, 11, 20, tzinfo=UTC), 100, 1)
    registry = Registry("R-1", date(2026, 11, 20), "EUR", WATER, SEPA_OPERATOR, (line,))

    sheet = openpyxl.load_workbook(io.BytesIO(registry_xlsx(registry))).active

    assert sheet["A6"].value == "=1+1"
    assert sheet["A6"].data_type == "s"


def test_registry_refuses_a_bad_id_and_a_naive_booking_time():
    with pytest.raises(ValueError, match="registry id"):
        _registry(registry_id="R 2026/11/20")
    with pytest.raises(ValueError, match="aware"):
        RegistryLine("1", "2026-10", "", "P", datetime(2026, 11, 20), 100, 1)


# -- pain.001 ------------------------------------------------------------------------------


def _sepa_pain001():
    water = _registry("R-20261120-WATER", supplier=WATER)
    heat = _registry("R-20261120-HEAT", supplier=HEAT)
    payouts = [_payout(water), _payout(heat)]
    data = payout_pain001(
        payouts=payouts,
        debtor=SEPA_OPERATOR,
        message_id="PAYOUT-20261120-1",
        created_at=datetime(2026, 11, 20, 18, 0, tzinfo=CET),
        execution_date=date(2026, 11, 21),
    )
    return payouts, data


def test_sepa_payout_of_two_suppliers_validates_against_the_xsd():
    payouts, data = _sepa_pain001()

    assert pain001_errors(data) == []
    root = etree.fromstring(data)
    assert root.tag == f"{{{NS}}}Document"
    total = sum(p.amount for p in payouts)
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=XP) == "2"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=XP) == (
        f"{total // 100}.{total % 100:02d}"
    )
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", namespaces=XP)
    assert info.findtext("p:NbOfTxs", namespaces=XP) == "2"
    assert Decimal(info.findtext("p:CtrlSum", namespaces=XP)) * 100 == total
    assert info.findtext("p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=XP) == "SEPA"
    assert info.findtext("p:ChrgBr", namespaces=XP) == "SLEV"
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=XP) == SEPA_OPERATOR.iban
    transfers = info.findall("p:CdtTrfTxInf", namespaces=XP)
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=XP) for t in transfers] == [
        "R-20261120-WATER",
        "R-20261120-HEAT",
    ]
    first = transfers[0]
    amount = first.find("p:Amt/p:InstdAmt", namespaces=XP)
    assert amount.get("Ccy") == "EUR"
    assert Decimal(amount.text) * 100 == payouts[0].amount
    assert first.findtext("p:CdtrAgt/p:FinInstnId/p:BIC", namespaces=XP) == "BYLADEM1001"
    assert first.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=XP) == WATER.iban
    assert first.findtext("p:RmtInf/p:Ustrd", namespaces=XP).startswith("Registry R-20261120-WATER")


def test_pain001_cuts_the_creditor_name_and_the_remittance():
    long_name = Party(name="Gemeindewerke " + "X" * 100, iban=WATER.iban, bic=WATER.bic)
    payout = Payout("R-1", 100, "EUR", long_name, "R-1 " + "y" * 200)

    data = payout_pain001(
        payouts=[payout],
        debtor=SEPA_OPERATOR,
        message_id="M-1",
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
        execution_date=date(2026, 11, 21),
    )

    assert pain001_errors(data) == []
    root = etree.fromstring(data)
    tx = root.find(".//p:CdtTrfTxInf", namespaces=XP)
    assert len(tx.findtext("p:Cdtr/p:Nm", namespaces=XP)) == 70
    assert len(tx.findtext("p:RmtInf/p:Ustrd", namespaces=XP)) == 140


def test_sepa_pain001_texts_are_in_the_epc_latin_set():
    """Issue 18: banks refuse `ä`, `&`, `<` in a SEPA pain.001; the texts are converted."""
    creditor = Party(name="Müller & Söhne <Wärme> GmbH", iban=HEAT.iban, bic=HEAT.bic)
    payout = Payout("R-2", 100, "EUR", creditor, "Abrechnung Straße 5; „Nov“ & Dez")

    data = payout_pain001(
        payouts=[payout],
        debtor=replace(SEPA_OPERATOR, name="Stadtwerke Köln"),
        message_id="M-2",
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
        execution_date=date(2026, 11, 21),
    )

    assert pain001_errors(data) == []
    root = etree.fromstring(data)
    tx = root.find(".//p:CdtTrfTxInf", namespaces=XP)
    assert tx.findtext("p:Cdtr/p:Nm", namespaces=XP) == "Muller + Sohne .Warme. GmbH"
    assert tx.findtext("p:RmtInf/p:Ustrd", namespaces=XP) == "Abrechnung Strasse 5, 'Nov' + Dez"
    assert root.findtext(".//p:Dbtr/p:Nm", namespaces=XP) == "Stadtwerke Koln"
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
    for element in root.iter(f"{{{NS}}}Nm", f"{{{NS}}}Ustrd"):
        assert set(element.text) <= allowed, element.text


def test_a_ru_pain001_keeps_its_cyrillic_and_ampersand():
    registry = _registry(
        "R-3", currency="RUB", supplier=replace(RU_HEAT, name="ООО «Тепло & Свет»")
    )

    data = payout_pain001(
        payouts=[_payout(registry, remittance="Реестр R-3 от 20.11.2026")],
        debtor=RU_OPERATOR,
        message_id="M-3",
        created_at=datetime(2026, 11, 20, 18, 0, tzinfo=MSK),
        execution_date=date(2026, 11, 21),
    )

    tx = etree.fromstring(data).find(".//p:CdtTrfTxInf", namespaces=XP)
    assert tx.findtext("p:Cdtr/p:Nm", namespaces=XP) == "ООО «Тепло & Свет»"
    assert tx.findtext("p:RmtInf/p:Ustrd", namespaces=XP) == "Реестр R-3 от 20.11.2026"


def test_ru_payout_without_iban_validates_with_other_account_and_clearing_member():
    registry = _registry("R-20261120-HEAT", currency="RUB", supplier=RU_HEAT)

    data = payout_pain001(
        payouts=[_payout(registry, remittance="Реестр R-20261120-HEAT от 20.11.2026")],
        debtor=RU_OPERATOR,
        message_id="PAYOUT-20261120-RU",
        created_at=datetime(2026, 11, 20, 18, 0, tzinfo=MSK),
        execution_date=date(2026, 11, 21),
    )

    assert pain001_errors(data) == []
    root = etree.fromstring(data)
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", namespaces=XP)
    assert info.find("p:PmtTpInf", namespaces=XP) is None  # not a SEPA payment
    assert info.findtext("p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=XP) == RU_OPERATOR.bank_account
    assert info.findtext("p:DbtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId", namespaces=XP) == (
        "044525225"
    )
    tx = info.find("p:CdtTrfTxInf", namespaces=XP)
    assert tx.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=XP) == RU_HEAT.bank_account
    assert tx.findtext("p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId", namespaces=XP) == (
        "044525974"
    )
    assert tx.find("p:CdtrAgt/p:FinInstnId/p:BIC", namespaces=XP) is None
    assert tx.find("p:Amt/p:InstdAmt", namespaces=XP).get("Ccy") == "RUB"
    assert tx.findtext("p:Cdtr/p:Nm", namespaces=XP) == "АО «Теплосеть»"


def _without(data: bytes, path: str) -> bytes:
    root = etree.fromstring(data)
    element = root.find(path, namespaces=XP)
    element.getparent().remove(element)
    return etree.tostring(root)


def test_pain001_validator_reports_a_broken_document():
    _, data = _sepa_pain001()

    # CtrlSum is optional in the XSD; a missing MsgId or a malformed CtrlSum is not
    no_message_id = _without(data, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId")
    root = etree.fromstring(data)
    root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=XP).text = "1.272,50"
    bad_ctrl_sum = etree.tostring(root)

    assert pain001_errors(no_message_id)
    assert any("MsgId" in error for error in pain001_errors(no_message_id))
    assert any("CtrlSum" in error for error in pain001_errors(bad_ctrl_sum))
    assert pain001_errors(b"<Document><unclosed></Document>")[0].startswith("line 1:")


def test_pain001_refuses_a_party_it_cannot_pay():
    no_account = Party(name="Nobody")
    bad_bic = Party(name="Somebody", iban=WATER.iban, bic="12345")
    for creditor in (no_account, bad_bic):
        with pytest.raises(ValueError):
            payout_pain001(
                payouts=[Payout("R-1", 100, "EUR", creditor, "R-1")],
                debtor=SEPA_OPERATOR,
                message_id="M-1",
                created_at=datetime(2026, 11, 20, tzinfo=UTC),
                execution_date=date(2026, 11, 21),
            )
    with pytest.raises(ValueError, match="message id"):
        payout_pain001(
            payouts=[Payout("R-1", 100, "EUR", WATER, "R-1")],
            debtor=SEPA_OPERATOR,
            message_id="M" * 36,
            created_at=datetime(2026, 11, 20, tzinfo=UTC),
            execution_date=date(2026, 11, 21),
        )


# -- 1C ------------------------------------------------------------------------------------


def _ru_payouts():
    return [
        Payout("R-20261120-HEAT", 12345050, "RUB", RU_HEAT, "Реестр R-20261120-HEAT: 812 платежей"),
        Payout("R-20261120-WATER", 990000, "RUB", RU_WATER, "Реестр R-20261120-WATER: 95 платежей"),
    ]


def test_1c_payout_file_is_cp1251_and_reads_back():
    payouts = _ru_payouts()

    data = payout_1c(
        payouts=payouts,
        debtor=RU_OPERATOR,
        created_at=datetime(2026, 11, 20, 1, 2, 3, tzinfo=MSK),
        day=date(2026, 11, 20),
        first_number=41,
    )

    text = data.decode("cp1251")
    assert "АО «Теплосеть»".encode("cp1251") in data
    assert text.startswith("1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\n")
    assert "\r\nСумма=123450.50\r\n" in text
    assert text.endswith("КонецДокумента\r\nКонецФайла\r\n")
    assert "\n" not in text.replace("\r\n", "")

    parsed = read_1c(data)
    assert parsed.header["ДатаСоздания"] == "20.11.2026"
    assert parsed.header["ВремяСоздания"] == "01:02:03"
    assert parsed.header["РасчСчет"] == RU_OPERATOR.bank_account
    assert len(parsed.documents) == 2
    assert parsed.balances == []
    assert sum(one_c_amount(d["Сумма"]) for d in parsed.documents) == sum(p.amount for p in payouts)
    first = parsed.documents[0]
    assert first["СекцияДокумент"] == "Платежное поручение"
    assert [d["Номер"] for d in parsed.documents] == ["41", "42"]
    assert first["Плательщик"] == RU_OPERATOR.name
    assert first["ПлательщикИНН"] == "7701234567"
    assert first["ПолучательСчет"] == RU_HEAT.bank_account
    assert first["ПолучательБИК"] == "044525974"
    assert first["ПолучательКорсчет"] == RU_HEAT.corr_account
    assert first["Очередность"] == "5"
    assert first["НазначениеПлатежа"] == "Реестр R-20261120-HEAT: 812 платежей"


def test_1c_payout_replaces_what_cp1251_cannot_hold():
    creditor = replace(RU_WATER, name="ООО «Şirket 中»")

    data = payout_1c(
        payouts=[Payout("R-1", 100, "RUB", creditor, "Реестр R-1\nвторая строка")],
        debtor=RU_OPERATOR,
        created_at=datetime(2026, 11, 20, tzinfo=MSK),
        day=date(2026, 11, 20),
    )

    document = read_1c(data).documents[0]
    assert document["Получатель"] == "ООО «?irket ?»"
    assert document["НазначениеПлатежа"] == "Реестр R-1 вторая строка"


def test_1c_payout_refuses_foreign_currency_and_a_party_without_ru_details():
    with pytest.raises(ValueError, match="roubles"):
        payout_1c(
            payouts=[Payout("R-1", 100, "EUR", RU_WATER, "R-1")],
            debtor=RU_OPERATOR,
            created_at=datetime(2026, 11, 20, tzinfo=MSK),
            day=date(2026, 11, 20),
        )
    with pytest.raises(ValueError, match="20-digit"):
        payout_1c(
            payouts=[Payout("R-1", 100, "RUB", WATER, "R-1")],
            debtor=RU_OPERATOR,
            created_at=datetime(2026, 11, 20, tzinfo=MSK),
            day=date(2026, 11, 20),
        )


BANK_STATEMENT = """\
1CClientBankExchange
ВерсияФормата=1.03
Кодировка={encoding}
Отправитель=Сбербанк Бизнес Онлайн
Получатель=Бухгалтерия предприятия, редакция 3.0
ДатаСоздания=21.11.2026
ВремяСоздания=07:30:12
ДатаНачала=20.11.2026
ДатаКонца=20.11.2026
РасчСчет=40702810510000054321
Документ=Платежное поручение
СекцияРасчСчет
ДатаНачала=20.11.2026
ДатаКонца=20.11.2026
РасчСчет=40702810510000054321
НачальныйОстаток=1000000.00
ВсегоПоступило=123550.5
ВсегоСписано=0.00
КонечныйОстаток=1123550.50
КонецРасчСчет

СекцияДокумент=Платежное поручение
Номер=41
Дата=20.11.2026
Сумма=123450.50
ПлательщикСчет=40702810938000012345
ДатаСписано=20.11.2026
Плательщик=ИНН 7701234567 ООО "Расчётный центр"
ПлательщикИНН=7701234567
Плательщик1=ООО "Расчётный центр"
ПлательщикРасчСчет=40702810938000012345
ПлательщикБанк1=ПАО СБЕРБАНК
ПлательщикБанк2=г. Москва
ПлательщикБИК=044525225
ПлательщикКорсчет=30101810400000000225
ПолучательСчет=40702810510000054321
ДатаПоступило=20.11.2026
Получатель=ИНН 7709876543 АО "Теплосеть"
ПолучательИНН=7709876543
Получатель1=АО "Теплосеть"
ПолучательРасчСчет=40702810510000054321
ПолучательБанк1=АО "ТИНЬКОФФ БАНК"
ПолучательБанк2=г. Москва
ПолучательБИК=044525974
ПолучательКорсчет=30101810145250000974
ВидОплаты=01
Код=
СтатусСоставителя=
ПлательщикКПП=770101001
ПолучательКПП=770901001
Очередность=5
НазначениеПлатежа=Реестр R-20261120-HEAT: 812 платежей. НДС не облагается
КонецДокумента
СекцияДокумент=Платежное поручение
Номер=7
Дата=19.11.2026
Сумма=100,00
ПлательщикСчет=40817810099910004312
ДатаСписано=19.11.2026
Плательщик=Иванов Иван Иванович
ПлательщикИНН=
ПолучательСчет=40702810510000054321
ДатаПоступило=20.11.2026
Получатель=АО "Теплосеть"
ПолучательИНН=7709876543
ВидОплаты=01
Очередность=5
НазначениеПлатежа=Оплата за отопление, ЛС 100200300, октябрь 2026 = 100 руб.
КонецДокумента
КонецФайла
"""


@pytest.mark.parametrize(
    ("declared", "codec", "newline"),
    [
        ("Windows", "cp1251", "\r\n"),
        ("DOS", "cp866", "\r\n"),
        ("UTF-8", "utf-8", "\n"),
        ("UTF8", "utf-8", "\r\n"),
    ],
)
def test_read_1c_bank_statement(declared, codec, newline):
    data = BANK_STATEMENT.format(encoding=declared).replace("\n", newline).encode(codec)

    parsed = read_1c(data)

    assert parsed.header["Кодировка"] == declared
    assert parsed.header["Отправитель"] == "Сбербанк Бизнес Онлайн"
    assert len(parsed.balances) == 1
    balance = parsed.balances[0]
    assert one_c_amount(balance["НачальныйОстаток"]) == 100000000
    assert one_c_amount(balance["ВсегоПоступило"]) == 12355050
    assert one_c_amount(balance["КонечныйОстаток"]) == 112355050
    assert len(parsed.documents) == 2
    credits = [d for d in parsed.documents if d.get("ДатаПоступило")]
    assert len(credits) == 2
    assert sum(one_c_amount(d["Сумма"]) for d in credits) == one_c_amount(balance["ВсегоПоступило"])
    assert parsed.documents[0]["Плательщик1"] == 'ООО "Расчётный центр"'
    assert parsed.documents[0]["Код"] == ""
    assert parsed.documents[1]["НазначениеПлатежа"] == (
        "Оплата за отопление, ЛС 100200300, октябрь 2026 = 100 руб."
    )
    assert parsed.documents[1]["СекцияДокумент"] == "Платежное поручение"


def test_read_1c_defaults_to_cp1251_without_a_declared_encoding():
    text = (
        "1CClientBankExchange\nСекцияДокумент=Платежное поручение\nСумма=1.00\nКонецДокумента\n"
        "КонецФайла\n"
    )

    parsed = read_1c(text.encode("cp1251"))

    assert parsed.documents == [{"СекцияДокумент": "Платежное поручение", "Сумма": "1.00"}]


def _lines(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("cp1251")


@pytest.mark.parametrize(
    ("data", "line_number", "message"),
    [
        (_lines("ВерсияФормата=1.03", "КонецФайла"), 1, "1CClientBankExchange"),
        (b"", 1, "1CClientBankExchange"),
        (
            _lines(
                "1CClientBankExchange",
                "ВерсияФормата=1.03",
                "СекцияДокумент=Платежное поручение",
                "Сумма=1.00",
                "СекцияДокумент=Платежное поручение",
                "Сумма=2.00",
                "КонецДокумента",
                "КонецФайла",
            ),
            3,
            "КонецДокумента",
        ),
        (
            _lines(
                "1CClientBankExchange",
                "СекцияРасчСчет",
                "НачальныйОстаток=0.00",
            ),
            2,
            "КонецРасчСчет",
        ),
        (  # cut short between two documents (issue 18): the rest would be lost unnoticed
            _lines(
                "1CClientBankExchange",
                "ВерсияФормата=1.03",
                "СекцияДокумент=Платежное поручение",
                "Сумма=1.00",
                "КонецДокумента",
            ),
            5,
            "ends without КонецФайла",
        ),
        (
            _lines(
                "1CClientBankExchange",
                "ВерсияФормата=1.03",
                "",
                "СекцияДокумент=Платежное поручение",
                "Сумма=1.00",
                "оплата по счёту 12",
                "КонецДокумента",
            ),
            6,
            "Key=Value",
        ),
        (_lines("1CClientBankExchange", "Номер=1", "КонецДокумента"), 3, "without a section"),
    ],
)
def test_read_1c_refuses_malformed_files_with_the_line_number(data, line_number, message):
    with pytest.raises(OneCFormatError, match=message) as error:
        read_1c(data)

    assert error.value.line_number == line_number
    assert str(error.value).startswith(f"line {line_number}:")


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("1234.5", 123450),
        ("1234.50", 123450),
        ("1234,50", 123450),
        ("1234", 123400),
        ("1 234,05", 123405),
        ("0.01", 1),
    ],
)
def test_one_c_amount(text, minor):
    assert one_c_amount(text) == minor


@pytest.mark.parametrize("text", ["", "12.345", "1.2.3", "abc", ".50"])
def test_one_c_amount_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        one_c_amount(text)
