"""Renderings of a payment document, checked as a reader would: the PDF is one A4 page whose QR
decodes with the real zbar decoder to exactly the view's payload, the printed text shows the
amounts in the locale's format, and the HTML and the DOCX show the same numbers as the PDF.

The Debian tools (poppler-utils, zbar-tools) are installed by `make system-packages`; when one
is missing these tests fail and name its package, they never skip."""

import dataclasses
import html
import io
import re
import shutil
import subprocess
from decimal import Decimal

import docx
import pytest

from invoicing.document_view import (
    DocumentView,
    Party,
    ServiceLine,
    SupplierBlock,
    sample_document_view,
)
from invoicing.rendering import format_money
from invoicing.rendering.docx import render_docx
from invoicing.rendering.html import render_html
from invoicing.rendering.pdf import render_pdf, render_pdfs

DEBIAN_PACKAGES = {
    "pdfinfo": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdftotext": "poppler-utils",
    "zbarimg": "zbar-tools",
}
# Only QR symbols, and the symbol's bytes as they are: zbar's default "guesses" a text charset
# and re-encodes, which can mangle UTF-8 Cyrillic; -Sbinary leaves the bytes to us.
ZBARIMG_FLAGS = ("--raw", "-q", "-Sdisable", "-Sqrcode.enable", "-Sbinary")

# A number with 2 decimals, grouped as the locale groups it (no-break spaces read as spaces).
AMOUNT = {
    "ru": re.compile(r"(?<![\d,.])−?\d{1,3}(?: \d{3})*,\d{2}(?![\d,])"),
    "de": re.compile(r"(?<![\d,.])−?\d{1,3}(?:\.\d{3})*,\d{2}(?![\d,])"),
}


def run(tool: str, *args: str) -> bytes:
    if shutil.which(tool) is None:
        pytest.fail(
            f"{tool} is missing: install the Debian package {DEBIAN_PACKAGES[tool]} "
            "(`make system-packages`)"
        )
    return subprocess.run([tool, *args], check=True, capture_output=True, timeout=60).stdout


def write(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def pdf_info(pdf: bytes, tmp_path) -> dict[str, str]:
    out = run("pdfinfo", write(tmp_path, "info.pdf", pdf)).decode()
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pdf_text(pdf: bytes, tmp_path, page: int | None = None) -> str:
    pages = ("-f", str(page), "-l", str(page)) if page else ()
    text = run("pdftotext", *pages, write(tmp_path, "text.pdf", pdf), "-").decode()
    return " ".join(text.replace("\u00a0", " ").split())


def html_text(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(text.replace("\u00a0", " ").split())


def printed_qr(pdf: bytes, tmp_path) -> str:
    """Page 1 rasterised as a printer would (200 dpi), then read by zbar."""
    run("pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile",
        write(tmp_path, "qr.pdf", pdf), str(tmp_path / "page"))  # fmt: skip
    return run("zbarimg", *ZBARIMG_FLAGS, str(tmp_path / "page.png")).decode("utf-8")


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def with_penalty(view: DocumentView, amount: int = 39385) -> DocumentView:
    block = view.suppliers[1]
    penalty = ServiceLine("PENALTY", "Пени за просрочку оплаты", "penalty", amount)
    block = dataclasses.replace(
        block, lines=(*block.lines, penalty), amount_due=block.amount_due + amount
    )
    suppliers = (view.suppliers[0], block, *view.suppliers[2:])
    return dataclasses.replace(view, suppliers=suppliers, amount_due=view.amount_due + amount)


def in_advance(view: DocumentView, advance: int = 50000) -> DocumentView:
    """The first supplier's opening credit covers everything and leaves `advance` over."""
    total = sum(block.amount_due for block in view.suppliers)
    first = view.suppliers[0]
    credit = total + advance
    first = dataclasses.replace(
        first, opening=first.opening - credit, amount_due=first.amount_due - credit
    )
    return dataclasses.replace(
        view,
        suppliers=(first, *view.suppliers[1:]),
        amount_due=0,
        advance=advance,
        qr_payload=view.qr_payload.replace(f"Sum={total}", "Sum=0"),
    )


def variant(view: DocumentView, index: int) -> DocumentView:
    account = str(int(view.account_number) + index)
    return dataclasses.replace(
        view,
        account_number=account,
        number=f"{account}-202610",
        qr_payload=view.qr_payload.replace("PersAcc=100200300", f"PersAcc={account}"),
    )


# --- PDF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["RU", "SEPA"])
def test_pdf_is_one_a4_page(profile, tmp_path):
    info = pdf_info(render_pdf(with_penalty(sample_document_view(profile))), tmp_path)

    assert info["Pages"].strip() == "1"
    assert "(A4)" in info["Page size"]


@pytest.mark.parametrize("profile", ["RU", "SEPA"])
def test_printed_qr_decodes_to_exactly_the_payload(profile, tmp_path):
    view = sample_document_view(profile)

    decoded = printed_qr(render_pdf(view), tmp_path)

    assert decoded == view.qr_payload
    if profile == "RU":
        assert decoded.startswith("ST00012|Name=ООО «Расчётный центр Пример»|")


@pytest.mark.parametrize(
    ("profile", "locale", "expected"),
    [
        ("RU", "ru", "Итого к оплате: 8 109,03 ₽"),
        ("SEPA", "de", "Zu zahlender Gesamtbetrag: 8.109,03 €"),
        ("SEPA", "en", "Total to pay: 8,109.03 EUR"),
        ("CH", "en", "Total to pay: 8,109.03 EUR"),
    ],
)
def test_pdf_prints_the_amount_due_in_the_locales_format(profile, locale, expected, tmp_path):
    view = dataclasses.replace(sample_document_view(profile), locale=locale)

    text = pdf_text(render_pdf(view), tmp_path)

    assert expected in text
    assert flat(format_money(view.amount_due, view)) in text


def test_ru_pdf_follows_the_sections_of_the_epd(tmp_path):
    view = with_penalty(sample_document_view("RU"))

    text = pdf_text(render_pdf(view), tmp_path)

    for expected in [
        "Единый платёжный документ",
        "Расчётный период: 10.2026",
        "Лицевой счёт (ЕЛС): 100200300",
        "Идентификатор платежа: 1002 0030 0102 0266",
        "1. Сведения о плательщике и исполнителе услуг",
        "Иванов Иван Иванович",
        "Общая площадь: 54,80 м²",
        "ИНН 7701000019, КПП 770101001",
        "2. Реквизиты для оплаты по получателям платежа",
        "Оплатить до: 10.11.2026",
        "Код подтверждения (TAN): 483920",
        "3. Расчёт размера платы",
        "5. Перерасчёты",
        "Итого к оплате по неустойкам и судебным издержкам: 393,85 ₽",
        "Итого к оплате: 8 502,88 ₽",
    ]:
        assert expected in text, expected
    for block in view.suppliers:
        assert block.name in text


def test_sepa_pdf_shows_the_rf_reference_in_groups_of_four(tmp_path):
    view = sample_document_view("SEPA")

    text = pdf_text(render_pdf(view), tmp_path)

    assert "Verwendungszweck: RF87 1002 0030 0102 026" in text
    assert "Zahlbar bis: 10.11.2026" in text
    assert "IBAN DE89 3704 0044 0532 0130 00" in text
    assert "TAN: 483920" in text


def test_merged_print_file_has_one_page_per_view_in_order(tmp_path):
    views = [variant(sample_document_view("RU"), index) for index in range(4)]

    merged = render_pdfs(views)

    assert pdf_info(merged, tmp_path)["Pages"].strip() == "4"
    for page, view in enumerate(views, start=1):
        assert f"Лицевой счёт (ЕЛС): {view.account_number}" in pdf_text(merged, tmp_path, page)


def with_services(view: DocumentView, count: int) -> DocumentView:
    """The sample plus a supplier billing `count` more services, a recalculation, a privilege
    and a penalty."""
    bank = {"name": "АО «Банк»", "account": "40702810900000012345", "bic": "044525225"}
    lines = tuple(
        ServiceLine(f"LIFT{n}", f"Обслуживание лифта, подъезд {n}", "regular", 12345,
                    "m2", Decimal("54.80"), Decimal("2.25"))
        for n in range(1, count + 1)
    )  # fmt: skip
    lines += (
        ServiceLine("LIFT1", "Обслуживание лифта, подъезд 1", "recalculation", -500),
        ServiceLine("LIFT2", "Обслуживание лифта, подъезд 2", "privilege", -1500),
        ServiceLine("PENALTY", "Пени", "penalty", 2500),
    )
    due = sum(line.amount for line in lines)
    block = SupplierBlock("uk", "ООО «УК Комфорт»", Party("ООО «УК Комфорт»", bank=bank), 0,
                          lines, 0, due)  # fmt: skip
    return dataclasses.replace(
        view, suppliers=(*view.suppliers, block), amount_due=view.amount_due + due
    )


def test_a_long_document_still_prints_on_one_page(tmp_path):
    view = with_services(sample_document_view("RU"), 10)  # 16 services of 6 suppliers

    pdf = render_pdf(view)

    assert pdf_info(pdf, tmp_path)["Pages"].strip() == "1"
    text = pdf_text(pdf, tmp_path)
    assert "Обслуживание лифта, подъезд 10" in text
    assert "р/с 40702810900000012345, АО «Банк», БИК 044525225" in text
    assert "Итого к оплате по неустойкам и судебным издержкам: 25,00 ₽" in text
    assert printed_qr(pdf, tmp_path) == view.qr_payload


def test_a_document_too_long_for_one_page_is_refused_not_cut():
    with pytest.raises(ValueError, match="does not fit one A4 page"):
        render_pdf(with_services(sample_document_view("RU"), 40))


def test_penalties_have_their_own_total(tmp_path):
    view = with_penalty(sample_document_view("RU"), amount=12345)

    text = pdf_text(render_pdf(view), tmp_path)

    assert "Пени за просрочку оплаты (ПАО «Теплосеть»)" in text
    assert "Итого к оплате по неустойкам и судебным издержкам: 123,45 ₽" in text


# --- HTML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["RU", "SEPA"])
def test_html_shows_what_the_pdf_prints(profile, tmp_path):
    view = with_penalty(sample_document_view(profile))
    lang = "ru" if profile == "RU" else "de"

    pdf = pdf_text(render_pdf(view), tmp_path)
    page = render_html(view)
    text = html_text(page)

    assert page.lstrip().startswith('<article class="payment-document')
    assert set(AMOUNT[lang].findall(text)) == set(AMOUNT[lang].findall(pdf))
    assert len(set(AMOUNT[lang].findall(text))) > 15
    for expected in [
        flat(format_money(view.amount_due, view)),
        view.reference_display,
        view.pay_url,
        view.tan,
        view.account_number,
    ]:
        assert expected in text, expected
        assert expected in pdf, expected
    for block in view.suppliers:
        for line in block.lines:
            assert line.service_name in text
            assert line.service_name in pdf


def test_html_draws_the_qr_as_inline_svg_and_links_the_local_stylesheet():
    page = render_html(sample_document_view("RU"))

    assert "<svg" in page and "<path" in page
    assert 'href="/static/css/document.css"' in page
    assert "http" not in page.replace(sample_document_view("RU").pay_url, "")


def test_ch_uses_the_sepa_template():
    page = render_html(dataclasses.replace(sample_document_view("SEPA"), profile="CH"))

    assert "payment-document--sepa" in page
    assert "Swiss QR Code" in page


# --- DOCX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["RU", "SEPA"])
def test_docx_letter_contains_the_amount_due_the_reference_and_the_qr(profile, tmp_path):
    view = sample_document_view(profile)

    document = docx.Document(io.BytesIO(render_docx(view)))

    paragraphs = "\n".join(flat(p.text) for p in document.paragraphs)
    cells = "\n".join(flat(c.text) for t in document.tables for r in t.rows for c in r.cells)
    assert flat(format_money(view.amount_due, view)) in paragraphs
    assert view.reference_display in paragraphs
    assert view.pay_url in paragraphs
    assert len(document.inline_shapes) == 1  # the QR picture, and it scans
    picture = document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    png = write(tmp_path, "qr.png", document.part.related_parts[picture].blob)
    assert run("zbarimg", *ZBARIMG_FLAGS, png).decode("utf-8") == view.qr_payload
    for block in view.suppliers:
        assert block.name in cells
    assert "Холодное водоснабжение" in cells


# --- a document in advance ----------------------------------------------------------------------


def test_document_in_advance_shows_the_advance_and_nothing_to_pay(tmp_path):
    view = in_advance(sample_document_view("RU"))

    pdf = pdf_text(render_pdf(view), tmp_path)
    page = html_text(render_html(view))
    letter = "\n".join(
        flat(p.text) for p in docx.Document(io.BytesIO(render_docx(view))).paragraphs
    )

    for text in (pdf, page, letter):
        assert "Аванс (переплата): 500,00 ₽" in text
        assert "Итого к оплате:" not in text
        assert "Оплатить до" not in text


def test_sepa_document_in_advance_shows_the_credit(tmp_path):
    view = in_advance(sample_document_view("SEPA"), advance=1234)

    text = pdf_text(render_pdf(view), tmp_path)

    assert "Guthaben: 12,34 €" in text
    assert "Zu zahlender Gesamtbetrag" not in text


# --- money at the edge --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "locale", "amount", "expected"),
    [
        ("RU", "ru", 512345, "5 123,45 ₽"),
        ("RU", "ru", -2000, "−20,00 ₽"),
        ("RU", "ru", 5, "0,05 ₽"),
        ("SEPA", "de", 512345, "5.123,45 €"),
        ("SEPA", "de", 123456789012345678, "1.234.567.890.123.456,78 €"),
        ("SEPA", "en", 512345, "5,123.45 EUR"),
        ("SEPA", "en", -100, "−1.00 EUR"),
    ],
)
def test_money_is_formatted_from_integers_for_the_locale(profile, locale, amount, expected):
    from django.template import Context, Template

    view = dataclasses.replace(sample_document_view(profile), locale=locale)

    assert flat(format_money(amount, view)) == expected
    rendered = Template("{% load money %}{{ amount|money:view }}").render(
        Context({"amount": amount, "view": view})
    )
    assert flat(rendered) == expected
