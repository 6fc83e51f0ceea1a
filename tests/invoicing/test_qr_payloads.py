"""QR payloads: golden examples of payment-standards.md §1–§3, validation, and the QR image."""

import struct
import zlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from schwifty import IBAN

from invoicing.qr import (
    QR_MASK,
    GostPayee,
    SwissAddress,
    epc_payload,
    gost_parse,
    gost_payload,
    is_qr_iban,
    qr_matrix,
    qr_png,
    qr_svg,
    swiss_payload,
)
from invoicing.references import qrr_reference, rf_reference

GOST_EXAMPLE = (
    "ST00012|Name=ООО «УК Пример»|PersonalAcc=40702810900000012345|BankName=ПАО Сбербанк"
    "|BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7700000001|KPP=770001001"
    "|Sum=512345|Purpose=Оплата ЖКУ за 06.2026, ЛС 100200300|PersAcc=100200300"
    "|PaymPeriod=062026|LastName=Иванов|PayerAddress=г. Москва, ул. Ленина, д. 1, кв. 5"
    "|Category=ЖКУ|TechCode=02"
)
EPC_EXAMPLE = (
    "BCD\n002\n1\nSCT\nCOBADEFFXXX\nStadtwerke Beispiel GmbH\nDE89370400440532013000\n"
    "EUR51.23\n\nRF87100200300062026"
)
QR_IBAN = "CH4431999123000889012"
CH_IBAN = "CH9300762011623852957"
QRR_EXAMPLE = "210000000003139471430009017"

PAYEE = GostPayee(
    name="ООО «УК Пример»",
    personal_acc="40702810900000012345",
    bank_name="ПАО Сбербанк",
    bic="044525225",
    corresp_acc="30101810400000000225",
    payee_inn="7700000001",
    kpp="770001001",
)
CREDITOR = SwissAddress(
    name="Stadtwerke Beispiel AG",
    street="Bahnhofstrasse",
    building_number="1",
    postcode="8001",
    town="Zürich",
    country="CH",
)
DEBTOR = SwissAddress(name="Hans Muster", postcode="3000", town="Bern", country="CH")


def gost_example(**overrides):
    arguments = dict(
        sum_minor=512345,
        purpose="Оплата ЖКУ за 06.2026, ЛС 100200300",
        pers_acc="100200300",
        paym_period="062026",
        last_name="Иванов",
        payer_address="г. Москва, ул. Ленина, д. 1, кв. 5",
        category="ЖКУ",
    )
    arguments.update(overrides)
    return gost_payload(arguments.pop("payee", PAYEE), **arguments)


def epc_example(**overrides):
    arguments = dict(
        bic="COBADEFFXXX",
        name="Stadtwerke Beispiel GmbH",
        iban="DE89370400440532013000",
        amount_minor=5123,
        reference="RF87100200300062026",
    )
    arguments.update(overrides)
    return epc_payload(**arguments)


def swiss_example(**overrides):
    arguments = dict(
        iban=QR_IBAN,
        creditor=CREDITOR,
        amount_minor=5123,
        currency="CHF",
        debtor=None,
        reference_type="QRR",
        reference=QRR_EXAMPLE,
        message="Rechnung Juni 2026",
    )
    arguments.update(overrides)
    return swiss_payload(**arguments)


# --- GOST R 56042-2014 ---------------------------------------------------------------------


def test_gost_worked_example_is_built_exactly():
    payload = gost_example()

    assert payload == GOST_EXAMPLE
    assert len(payload) == 343
    assert len(payload.encode("utf-8")) == 407
    assert len(payload.encode("cp1251")) == 343


def test_gost_mandatory_block_comes_first_in_order():
    keys = [pair.split("=", 1)[0] for pair in gost_example().split("|")[1:]]

    assert keys[:5] == ["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"]
    assert keys[-1] == "TechCode"


def test_gost_without_sum_or_payer_omits_those_fields():
    payload = gost_example(sum_minor=None, last_name=None, payer_address=None, category=None)

    assert "Sum=" not in payload
    assert "LastName" not in payload
    assert payload.endswith("|PaymPeriod=062026|TechCode=02")


def test_gost_extra_fields_go_before_techcode_in_our_spelling():
    payload = gost_example(extra={"uin": "0" * 25, "FirstName": "Иван"})

    assert payload.endswith("|Category=ЖКУ|UIN=" + "0" * 25 + "|FirstName=Иван|TechCode=02")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"payee": replace(PAYEE, name="Я" * 161)}, "Name"),
        ({"payee": replace(PAYEE, bank_name="Б" * 46)}, "BankName"),
        ({"payee": replace(PAYEE, personal_acc="4070281090000001234")}, "PersonalAcc"),
        ({"payee": replace(PAYEE, personal_acc="4070281090000001234X")}, "PersonalAcc"),
        ({"payee": replace(PAYEE, bic="04452522")}, "BIC"),
        ({"payee": replace(PAYEE, corresp_acc="3" * 21)}, "CorrespAcc"),
        ({"payee": replace(PAYEE, payee_inn="7" * 13)}, "PayeeINN"),
        ({"payee": replace(PAYEE, kpp="7" * 10)}, "KPP"),
        ({"purpose": "П" * 211}, "Purpose"),
        ({"sum_minor": 10**18}, "Sum"),
        ({"sum_minor": -1}, "Sum"),
        ({"sum_minor": 5123.45}, "Sum"),
        ({"paym_period": "2026-06"}, "PaymPeriod"),
        ({"paym_period": "132026"}, "PaymPeriod"),
        ({"pers_acc": ""}, "PersAcc"),
        ({"extra": {"PayerINN": "1" * 13}}, "PayerINN"),
        ({"extra": {"Colour": "red"}}, "Colour"),
        ({"extra": {"persacc": "1"}}, "PersAcc"),
        ({"tech_code": "16"}, "TechCode"),
    ],
)
def test_gost_limits_are_refused_naming_the_field(overrides, field):
    with pytest.raises(ValueError, match=f"GOST field {field}:"):
        gost_example(**overrides)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"payee": replace(PAYEE, name="ООО «УК|Пример»")}, "Name"),
        ({"purpose": "ЖКУ | 06.2026"}, "Purpose"),
        ({"last_name": "Иванов|"}, "LastName"),
        ({"payer_address": "г. Москва\nул. Ленина"}, "PayerAddress"),
        ({"extra": {"Phone": "|79990000000"}}, "Phone"),
    ],
)
def test_gost_separator_or_line_break_in_a_value_is_refused(overrides, field):
    with pytest.raises(ValueError, match=f"GOST field {field}: must not contain"):
        gost_example(**overrides)


def test_gost_parse_reads_the_worked_example():
    fields = gost_parse(GOST_EXAMPLE)

    assert fields["Name"] == "ООО «УК Пример»"
    assert fields["Sum"] == "512345"
    assert fields["PersAcc"] == "100200300"
    assert fields["TechCode"] == "02"
    assert len(fields) == 15


def test_gost_parse_keys_are_case_insensitive_and_both_taxpaytkind_spellings_are_read():
    fields = gost_parse("ST00012|name=X|persAcc=1|paymPeriod=0521|TaxPayKind=01|Foo=bar|")

    assert fields == {
        "Name": "X",
        "PersAcc": "1",
        "PaymPeriod": "0521",
        "TaxPaytKind": "01",
        "Foo": "bar",
    }
    assert gost_parse("ST00012|TAXPAYTKIND=02") == {"TaxPaytKind": "02"}


def test_gost_parse_decodes_bytes_in_the_declared_charset():
    cp1251 = ("ST00011" + GOST_EXAMPLE[7:]).encode("cp1251")

    assert gost_parse(cp1251) == gost_parse(GOST_EXAMPLE)
    assert gost_parse(GOST_EXAMPLE.encode("utf-8")) == gost_parse(GOST_EXAMPLE)


@pytest.mark.parametrize(
    "payload",
    ["BCD\n002", "ST00019|Name=X", "ST0001", "ST00012|Name", "ST00012|Name=X|name=Y"],
)
def test_gost_parse_refuses_malformed_payloads(payload):
    with pytest.raises(ValueError):
        gost_parse(payload)


gost_text = st.text(
    st.characters(codec="utf-8", exclude_characters="|\r\n", exclude_categories=("Cs",)),
    min_size=1,
    max_size=40,
)


@given(
    name=gost_text,
    purpose=gost_text,
    last_name=gost_text,
    sum_minor=st.integers(0, 10**18 - 1),
    month=st.integers(1, 12),
)
def test_gost_payload_parses_back_to_its_fields(name, purpose, last_name, sum_minor, month):
    payload = gost_example(
        payee=replace(PAYEE, name=name),
        purpose=purpose,
        last_name=last_name,
        sum_minor=sum_minor,
        paym_period=f"{month:02d}2026",
    )

    fields = gost_parse(payload.encode("utf-8"))

    assert fields["Name"] == name
    assert fields["Purpose"] == purpose
    assert fields["LastName"] == last_name
    assert fields["Sum"] == str(sum_minor)
    assert fields["PaymPeriod"] == f"{month:02d}2026"


# --- EPC069-12 -----------------------------------------------------------------------------


def test_epc_worked_example_is_built_exactly():
    payload = epc_example()

    assert payload == EPC_EXAMPLE
    assert len(payload.encode("utf-8")) == 103


def test_epc_reference_built_by_references_module_fits_line_10():
    payload = epc_example(reference=rf_reference("100200300", "2026-06"))

    assert payload.split("\n")[9] == "RF87100200300062026"


def test_epc_accepts_a_printed_reference_and_emits_it_compact():
    assert epc_example(reference="rf87 1002 0030 0062 026") == EPC_EXAMPLE


@pytest.mark.parametrize(
    ("amount_minor", "line"),
    [(1230, "EUR12.3"), (1200, "EUR12"), (1, "EUR0.01"), (99_999_999_999, "EUR999999999.99")],
)
def test_epc_amount_is_written_shortest(amount_minor, line):
    assert epc_example(amount_minor=amount_minor).split("\n")[7] == line


def test_epc_trailing_empty_elements_are_omitted():
    payload = epc_example(amount_minor=None, reference=None, bic=None)

    assert payload == "BCD\n002\n1\nSCT\n\nStadtwerke Beispiel GmbH\nDE89370400440532013000"


def test_epc_text_goes_on_line_11_with_line_10_empty():
    payload = epc_example(reference=None, text="Abrechnung 06/2026", purpose="GDDS")

    assert payload.split("\n")[8:] == ["GDDS", "", "Abrechnung 06/2026"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "Abrechnung"}, "reference and text"),
        ({"name": "N" * 71}, "name"),
        ({"name": ""}, "name"),
        ({"iban": "DE89370400440532013001"}, "iban"),
        ({"bic": "COBADEFF1"}, "bic"),
        ({"amount_minor": 0}, "amount"),
        ({"amount_minor": 100_000_000_000}, "amount"),
        ({"reference": "RF88100200300062026"}, "reference"),
        ({"reference": None, "text": "T" * 141}, "text"),
        ({"purpose": "GDD"}, "purpose"),
        ({"name": "Stadtwerke\nBeispiel"}, "name"),
    ],
)
def test_epc_violations_are_refused_naming_the_element(overrides, field):
    with pytest.raises(ValueError, match=f"EPC {field}"):
        epc_example(**overrides)


def test_epc_payload_over_331_bytes_is_refused():
    with pytest.raises(ValueError, match="at most 331 bytes"):
        epc_example(name="Ü" * 70, reference=None, text="€" * 140)


# --- Swiss QR-bill -------------------------------------------------------------------------


def test_test_ibans_are_valid_and_only_one_is_a_qr_iban():
    assert IBAN(QR_IBAN).country_code == "CH"
    assert IBAN(CH_IBAN).country_code == "CH"
    assert is_qr_iban(QR_IBAN)
    assert not is_qr_iban(CH_IBAN)


def test_swiss_qr_iban_with_qrr_has_31_crlf_elements_ending_in_epd():
    payload = swiss_example()
    elements = payload.split("\r\n")

    assert len(elements) == 31
    assert "\n" not in payload.replace("\r\n", "")
    assert elements[:4] == ["SPC", "0200", "1", QR_IBAN]
    assert elements[4:11] == [
        "S",
        "Stadtwerke Beispiel AG",
        "Bahnhofstrasse",
        "1",
        "8001",
        "Zürich",
        "CH",
    ]
    assert elements[11:18] == [""] * 7
    assert elements[18:20] == ["51.23", "CHF"]
    assert elements[20:27] == [""] * 7
    assert elements[27:] == ["QRR", QRR_EXAMPLE, "Rechnung Juni 2026", "EPD"]
    assert not payload.endswith("\r\n")


def test_swiss_ordinary_iban_with_scor_and_debtor():
    reference = rf_reference("100200300", "2026-06")

    elements = swiss_example(
        iban="CH93 0076 2011 6238 5295 7",
        reference_type="SCOR",
        reference=reference,
        debtor=DEBTOR,
        currency="EUR",
        amount_minor=None,
        message=None,
    ).split("\r\n")

    assert elements[3] == CH_IBAN
    assert elements[18:20] == ["", "EUR"]
    assert elements[20:27] == ["S", "Hans Muster", "", "", "3000", "Bern", "CH"]
    assert elements[27:] == ["SCOR", "RF87100200300062026", "", "EPD"]


def test_swiss_ordinary_iban_without_reference():
    elements = swiss_example(iban=CH_IBAN, reference_type="NON", reference=None).split("\r\n")

    assert elements[27:29] == ["NON", ""]


def test_swiss_qrr_built_by_references_module_is_accepted():
    reference = qrr_reference("100200300", "2026-06")

    assert swiss_example(reference=reference).split("\r\n")[28] == reference


@pytest.mark.parametrize("reference_type", ["SCOR", "NON"])
def test_swiss_qr_iban_refuses_anything_but_qrr(reference_type):
    reference = "RF87100200300062026" if reference_type == "SCOR" else None

    with pytest.raises(ValueError, match="QR-IBAN requires QRR"):
        swiss_example(reference_type=reference_type, reference=reference)


def test_swiss_ordinary_iban_refuses_qrr():
    with pytest.raises(ValueError, match="QRR requires a QR-IBAN"):
        swiss_example(iban=CH_IBAN)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reference": "210000000003139471430009018"}, "not a valid 27-digit QRR"),
        (
            {"iban": CH_IBAN, "reference_type": "SCOR", "reference": "RF88100200300062026"},
            "not a valid ISO 11649",
        ),
        ({"iban": CH_IBAN, "reference_type": "NON", "reference": "X"}, "must be empty"),
        ({"iban": "DE89370400440532013000"}, "CH or LI only"),
        ({"iban": "CH4431999123000889013"}, "invalid IBAN"),
        ({"currency": "USD"}, "currency"),
        ({"message": "M" * 141}, "Swiss message: at most 140"),
        ({"message": "Оплата"}, "Swiss message: character 'О'"),
        ({"creditor": replace(CREDITOR, town="T" * 36)}, "Swiss creditor.town"),
        ({"creditor": replace(CREDITOR, name="")}, "Swiss creditor.name: required"),
        ({"debtor": replace(DEBTOR, country="Schweiz")}, "Swiss debtor.country"),
        ({"amount_minor": 0}, "Swiss amount"),
    ],
)
def test_swiss_violations_are_refused_with_a_reason(overrides, message):
    with pytest.raises(ValueError, match=message):
        swiss_example(**overrides)


# --- QR image ------------------------------------------------------------------------------


def _format_information(matrix):
    """Error level and mask read back from the symbol's first format-information copy
    (ISO/IEC 18004: 15 bits around the top-left finder, masked with 0x5412)."""
    dark = [[bool(module) for module in row] for row in matrix]
    bits = [dark[row][8] for row in range(6)] + [dark[7][8], dark[8][8], dark[8][7]]
    bits += [dark[8][14 - i] for i in range(9, 15)]
    word = sum(bit << i for i, bit in enumerate(bits)) ^ 0x5412
    level = {1: "L", 0: "M", 3: "Q", 2: "H"}[word >> 13]
    return level, (word >> 10) & 0b111


def _png_modules(png, scale, border=4):
    """Dark modules of a 1-bit greyscale PNG as segno writes it (filters None and Up only)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = {}, 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        chunks[kind] = chunks.get(kind, b"") + png[position + 8 : position + 8 + length]
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (1, 0)
    raw, stride = zlib.decompress(chunks[b"IDAT"]), 1 + (width + 7) // 8
    rows, previous = [], bytes(stride - 1)
    for i in range(height):
        filter_type, line = raw[i * stride], raw[i * stride + 1 : (i + 1) * stride]
        assert filter_type in (0, 2)  # None, or Up for the repeated rows of a scaled module
        if filter_type == 2:
            line = bytes((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        rows.append(line)
        previous = line
    pixel = [[not (row[x // 8] >> (7 - x % 8)) & 1 for x in range(width)] for row in rows]
    size = width // scale - 2 * border
    return [
        [pixel[(border + r) * scale][(border + c) * scale] for c in range(size)]
        for r in range(size)
    ]


def test_qr_png_of_the_gost_example_is_level_m_with_the_fixed_mask():
    code = qr_matrix(GOST_EXAMPLE)

    png = qr_png(GOST_EXAMPLE, scale=3)

    assert code.error == "M"
    assert code.mask == QR_MASK
    assert code.mode == "byte"
    assert code.version == 15  # 407 UTF-8 bytes; the 343 cp1251 bytes would fit version 14
    modules = _png_modules(png, scale=3)
    assert modules == [[bool(m) for m in row] for row in code.matrix]
    assert _format_information(modules) == ("M", QR_MASK)


def test_format_information_reader_sees_the_mask_segno_chose():
    import segno

    code = segno.make(EPC_EXAMPLE, error="m", boost_error=False, mask=5, micro=False)

    assert _format_information(code.matrix) == ("M", 5)


def test_epc_and_swiss_examples_fit_their_symbol_limits():
    assert qr_matrix(EPC_EXAMPLE).version <= 13
    assert qr_matrix(swiss_example()).version <= 25


def test_qr_svg_is_sized_by_the_page():
    svg = qr_svg(GOST_EXAMPLE)

    assert svg.startswith("<svg")
    assert "viewBox" in svg
    assert "width=" not in svg.split(">", 1)[0]


@pytest.mark.parametrize(
    ("written", "period"),
    [
        ("112026", "2026-11"),
        ("1126", "2026-11"),
        ("11.2026", "2026-11"),
        ("11/2026", "2026-11"),
        ("11.26", "2026-11"),
        ("132026", ""),
        ("2026-11", ""),
        ("", ""),
    ],
)
def test_a_gost_payment_period_is_read_in_the_forms_billers_write_it(written, period):
    from invoicing.qr_scan import gost_period

    assert gost_period(written) == period
