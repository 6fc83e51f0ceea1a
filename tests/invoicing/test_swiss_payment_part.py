"""A Swiss operator's bill ends its first page with the QR-bill payment part and receipt (SIX
Implementation Guidelines 2.3): the headings in the bill's language, the account, reference,
additional information, payer, currency and amount, and the Swiss QR Code that decodes to the
document's own SPC payload."""

import dataclasses

import pytest

from invoicing.document_view import sample_document_view
from invoicing.qr import SwissAddress, swiss_parse, swiss_payload
from invoicing.references import format_reference, rf_reference
from invoicing.rendering.payment_part import (
    amount_text,
    payment_part_language,
    qrbill_of,
    swiss_qr,
)
from invoicing.rendering.pdf import render_pdf
from tests.invoicing.test_rendering import flat, in_advance, pdf_text, run, write

# Only QR symbols, the bytes as they are (as test_rendering reads them).
ZBARIMG_FLAGS = ("--raw", "-q", "-Sdisable", "-Sqrcode.enable", "-Sbinary")


def swiss_view(**changes):
    return dataclasses.replace(sample_document_view("CH"), **changes)


def decoded_qr(pdf: bytes, tmp_path) -> str:
    """Page 1 at 300 dpi, read by zbar."""
    run("pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", "-singlefile",
        write(tmp_path, "bill.pdf", pdf), str(tmp_path / "page"))  # fmt: skip
    return run("zbarimg", *ZBARIMG_FLAGS, str(tmp_path / "page.png")).decode("utf-8")


def test_the_payment_part_prints_the_bill_in_german(tmp_path):
    view = swiss_view(locale="de")

    text = pdf_text(render_pdf(view), tmp_path, page=1)

    for expected in [
        "Empfangsschein",
        "Zahlteil",
        "Konto / Zahlbar an",
        "CH44 3199 9123 0008 8901 2",
        "ACME Verwaltung AG",
        "Bahnhofstrasse 1",
        "CH-8001 Zürich",
        "Referenz",
        "00 00000 00001 00200 30010 20266",
        "Zusätzliche Informationen",
        "Nebenkosten Oktober 2026",
        "Zahlbar durch",
        "Anna Müller",
        "Währung Betrag",
        "CHF 8 109.03",
        "Annahmestelle",
    ]:
        assert expected in text, expected
    # The bill itself writes amounts the Swiss way; the payment part as the guidelines say.
    assert "Zu zahlender Gesamtbetrag: 8’109.03 CHF" in text


def test_the_printed_swiss_qr_code_decodes_to_the_documents_payload(tmp_path):
    view = swiss_view()

    decoded = decoded_qr(render_pdf(view), tmp_path)

    bill = swiss_parse(view.qr_payload)
    assert decoded == view.qr_payload
    assert decoded == swiss_payload(**dataclasses.asdict(bill) | _addresses(bill))
    assert decoded.split("\r\n")[:4] == ["SPC", "0200", "1", "CH4431999123000889012"]


def _addresses(bill):
    return {"creditor": bill.creditor, "debtor": bill.debtor}


@pytest.mark.parametrize(
    ("locale", "headings"),
    [
        ("fr-CH", ["Récépissé", "Section paiement", "Compte / Payable à", "Point de dépôt"]),
        ("it", ["Ricevuta", "Sezione pagamento", "Conto / Pagabile a", "Punto di accettazione"]),
        ("en", ["Receipt", "Payment part", "Account / Payable to", "Acceptance point"]),
    ],
)
def test_the_headings_speak_the_tenants_language(locale, headings, tmp_path):
    text = pdf_text(render_pdf(swiss_view(locale=locale)), tmp_path, page=1)

    for heading in headings:
        assert heading in text, heading


def scor_payload(view) -> str:
    """What period_close builds for an operator with an ordinary IBAN: an RF reference (SCOR),
    no debtor; and no amount for a bill in advance."""
    return swiss_payload(
        iban="CH9300762011623852957",
        creditor=SwissAddress("ACME Verwaltung AG", "8001", "Zürich", "CH", "Bahnhofstrasse 1"),
        amount_minor=None,
        currency="CHF",
        debtor=None,
        reference_type="SCOR",
        reference=rf_reference(view.account_number, view.period),
        message="2026-10 100200300",
    )


def test_without_an_amount_or_a_payer_the_fields_are_left_to_fill_in(tmp_path):
    view = swiss_view()
    payload = scor_payload(view)
    reference = rf_reference(view.account_number, view.period)
    view = dataclasses.replace(
        in_advance(view),
        reference=reference,
        reference_display=format_reference(reference),
        qr_payload=payload,
        locale="en",
    )

    pdf = render_pdf(view)

    text = pdf_text(pdf, tmp_path, page=1)
    assert "Payable by (name/address)" in text
    assert "RF85 1002 0030 0102 026" in text
    assert flat("Currency Amount CHF") in text
    assert decoded_qr(pdf, tmp_path) == payload


def test_qrbill_builds_the_same_payload_as_ours():
    """One payload builder: the qrbill package, given the data our payload carries, encodes
    exactly our payload."""
    for payload in (swiss_view().qr_payload, scor_payload(swiss_view())):
        assert qrbill_of(swiss_parse(payload), "de").qr_data() == payload


def test_the_swiss_qr_leaves_the_centre_to_the_cross():
    """The cross covers the centre: a symbol of version 14–20 has no alignment pattern there."""
    symbol = swiss_qr(swiss_view().qr_payload)

    assert 14 <= symbol.version <= 20
    assert 46 / len(symbol.matrix) >= 0.4  # mm per module, the guidelines' minimum


def test_amounts_and_languages_of_the_payment_part():
    assert amount_text(810903) == "8 109.03"
    assert amount_text(123456789) == "1 234 567.89"
    assert amount_text(5) == "0.05"
    assert [payment_part_language(x) for x in ("de-CH", "fr_CH", "it", "rm", "ru")] == [
        "de",
        "fr",
        "it",
        "en",
        "en",
    ]


def test_ru_and_sepa_bills_have_no_payment_part(tmp_path):
    for profile in ("RU", "SEPA"):
        text = pdf_text(render_pdf(sample_document_view(profile)), tmp_path)
        assert "Zahlteil" not in text and "Payment part" not in text
