"""Renderings of a payment document, checked as a reader would: the PDF is A4 — one page as long
as the document fits, continuation pages past that — and its QR on page 1 decodes with the real
zbar decoder to exactly the view's payload, the printed text shows the amounts in the locale's
format, and the HTML and the DOCX show the same numbers as the PDF.

The Debian tools (poppler-utils, zbar-tools) are installed by `make system-packages`; when one
is missing these tests fail and name its package, they never skip."""

import dataclasses
import html
import io
import re
import shutil
import subprocess
from collections import Counter
from decimal import Decimal

import docx
import pytest

from core.money import format_amount, format_currency
from invoicing.document_view import (
    DocumentView,
    Party,
    ServiceLine,
    SupplierBlock,
    sample_document_view,
)
from invoicing.qr import SwissAddress, swiss_payload
from invoicing.references import format_reference, qrr_reference
from invoicing.rendering import build_sheet
from invoicing.rendering.docx import render_docx
from invoicing.rendering.html import render_html
from invoicing.rendering.pdf import pages_of, render_pdf, render_pdfs

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


def pdf_text(pdf: bytes, tmp_path, page: int | None = None, layout: bool = False) -> str:
    """The text, whitespace collapsed; `layout` keeps a table row's cells together in order."""
    pages = ("-f", str(page), "-l", str(page)) if page else ()
    pages += ("-layout",) if layout else ()
    text = run("pdftotext", *pages, write(tmp_path, "text.pdf", pdf), "-").decode()
    return " ".join(text.replace("\u00a0", " ").split())


def page_count(pdf: bytes, tmp_path) -> int:
    return int(pdf_info(pdf, tmp_path)["Pages"])


def page_sizes(pdf: bytes, tmp_path) -> list[str]:
    """pdfinfo's `Page N size: … (A4)` line of every page."""
    path = write(tmp_path, "sizes.pdf", pdf)
    out = run("pdfinfo", "-f", "1", "-l", str(page_count(pdf, tmp_path)), path).decode()
    return [line for line in out.splitlines() if re.match(r"Page +\d+ size:", line)]


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
        ("CH", "en", "Total to pay: 8’109.03 CHF"),  # Swiss notation whatever the language
    ],
)
def test_pdf_prints_the_amount_due_in_the_locales_format(profile, locale, expected, tmp_path):
    view = dataclasses.replace(sample_document_view(profile), locale=locale)

    text = pdf_text(render_pdf(view), tmp_path)

    assert expected in text
    assert flat(format_currency(view.amount_due, view)) in text


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


def penalties_everywhere(view: DocumentView, amount: int = 111) -> DocumentView:
    """The second month of a bill: a penalty line for every recipient."""
    blocks = tuple(
        dataclasses.replace(
            block,
            lines=(
                *block.lines,
                ServiceLine("PENALTY", "Пени за просрочку оплаты", "penalty", amount),
            ),
            amount_due=block.amount_due + amount,
        )
        for block in view.suppliers
    )
    return dataclasses.replace(
        view, suppliers=blocks, amount_due=view.amount_due + amount * len(blocks)
    )


@pytest.mark.parametrize("profile", ["RU", "SEPA"])
def test_a_penalty_per_recipient_keeps_the_bill_on_one_sheet(profile, tmp_path):
    """At the normal spacing the penalties would run onto a second page (measured), so the
    tighter spacing is taken: a print run does not double its paper in the second month."""
    view = penalties_everywhere(sample_document_view(profile))
    assert pages_of(build_sheet(view), compact=False) == 2

    pdf = render_pdf(view)

    assert pdf_info(pdf, tmp_path)["Pages"].strip() == "1"
    assert printed_qr(pdf, tmp_path) == view.qr_payload


def test_six_recipients_with_a_penalty_each_stay_on_one_sheet(tmp_path):
    """The second month of a settlement centre's ЕПД: six recipients, each with its bank
    details in section 2 and a penalty line; the amount columns narrow to their amounts so the
    details wrap less, and every amount still prints whole."""
    view = penalties_everywhere(with_services(sample_document_view("RU"), 2))
    assert len(view.suppliers) == 6

    pdf = render_pdf(view)

    assert pdf_info(pdf, tmp_path)["Pages"].strip() == "1"
    text = pdf_text(pdf, tmp_path)
    for block in view.suppliers:
        assert flat(format_amount(block.amount_due, view)) in text
    assert printed_qr(pdf, tmp_path) == view.qr_payload


def test_a_long_document_still_prints_on_one_page(tmp_path):
    view = with_services(sample_document_view("RU"), 10)  # 16 services of 6 suppliers

    pdf = render_pdf(view)

    assert pdf_info(pdf, tmp_path)["Pages"].strip() == "1"
    text = pdf_text(pdf, tmp_path)
    assert "Обслуживание лифта, подъезд 10" in text
    assert "р/с 40702810900000012345, АО «Банк», БИК 044525225" in text
    assert "Итого к оплате по неустойкам и судебным издержкам: 25,00 ₽" in text
    assert printed_qr(pdf, tmp_path) == view.qr_payload


def swiss_document_view() -> DocumentView:
    """The sample as a Swiss operator's document, as `period_close` builds it for a CH tenant
    (test_swiss_profile.py): CHF, a QR-IBAN, a QRR reference and a QR-bill payload."""
    view = sample_document_view("SEPA")
    iban = "CH4431999123000889012"
    reference = qrr_reference(view.account_number, view.period)
    bank = {"name": "Example Bank", "iban": iban}
    operator = Party("ACME Verwaltung AG", "Bahnhofstrasse 1, 8001 Zürich", {}, bank)
    payload = swiss_payload(
        iban=iban,
        creditor=SwissAddress("ACME Verwaltung AG", "8001", "Zürich", "CH", "Bahnhofstrasse", "1"),
        amount_minor=view.amount_due,
        currency="CHF",
        debtor=SwissAddress("Anna Müller", "8001", "Zürich", "CH", "Seestrasse", "2"),
        reference_type="QRR",
        reference=reference,
        message="Nebenkosten Oktober 2026",
    )
    return dataclasses.replace(
        view,
        profile="CH",
        currency="CHF",
        operator=operator,
        reference=reference,
        reference_display=format_reference(reference),
        qr_payload=payload,
    )


def profile_view(profile: str) -> DocumentView:
    return swiss_document_view() if profile == "CH" else sample_document_view(profile)


LIFT = re.compile(r"Обслуживание лифта, подъезд (\d+)(?!\d)")


@pytest.mark.parametrize("profile", ["RU", "SEPA", "CH"])
@pytest.mark.parametrize("count", [1, 10, 40, 120])
def test_a_document_of_any_length_prints_whole_on_continuation_pages(profile, count, tmp_path):
    view = with_services(profile_view(profile), count)
    sheet = build_sheet(view)
    L = sheet.labels

    pdf = render_pdf(view)

    pages = page_count(pdf, tmp_path)
    # ~58 service rows a continuation page; a Swiss bill's first page ends with the payment part
    expected = {1: 2, 10: 2, 40: 2, 120: 4} if profile == "CH" else {1: 1, 10: 1, 40: 2, 120: 3}
    assert pages == expected[count]
    sizes = page_sizes(pdf, tmp_path)
    assert len(sizes) == pages
    assert all("(A4)" in size for size in sizes), sizes
    texts = [pdf_text(pdf, tmp_path, page) for page in range(1, pages + 1)]
    whole = " ".join(texts)
    # Every service exactly once, lift 1 again in section 5 (its recalculation); lift 2 has a
    # privilege, so a row of its own even when only lift 1 is billed.
    expected = Counter(range(1, max(count, 2) + 1)) + Counter([1])
    assert Counter(int(n) for n in LIFT.findall(whole)) == expected
    assert f"Обслуживание лифта, подъезд {count}" in texts[-1]
    total = sheet.services_total
    amounts = (total.accrued, total.recalculation, total.privileges, total.total)
    row = flat(" ".join([L["services_total"], *(format_amount(a, view) for a in amounts)]))
    assert row in pdf_text(pdf, tmp_path, pages, layout=True)
    penalties = flat(f"{L['penalties_total']}: {format_currency(sheet.penalties_total, view)}")
    assert penalties in texts[-1]
    # Page 1: the payment slip and its QR, whatever the length.
    assert flat(f"{L['amount_due']}: {format_currency(view.amount_due, view)}") in texts[0]
    assert view.pay_url in texts[0]
    assert f"{L['tan']}: {view.tan}" in texts[0]
    assert printed_qr(pdf, tmp_path) == view.qr_payload
    # Each page says where it stands; the compact header repeats the account on every page.
    if pages == 1:
        assert L["continued_next"] not in texts[0]
        assert L["page"].format(page=1) not in texts[0]
    for page, text in enumerate(texts, start=1):
        assert flat(f"{L['account']}: {view.account_number}") in text
        if pages > 1:
            assert L["page"].format(page=page) in text
            assert (L["continued_next"] in text) == (page < pages)
        if page > 1:
            assert f"{L['page'].format(page=page)} ({L['continued']})" in text
            assert L["title"] in text
            assert flat(f"{L['period']}:") in text


@pytest.mark.parametrize(
    ("profile", "locale", "footer", "header"),
    [
        ("RU", "ru", "Продолжение на следующей странице · Лист 1", "Лист 2 (продолжение)"),
        ("SEPA", "de", "Fortsetzung auf der nächsten Seite · Seite 1", "Seite 2 (Fortsetzung)"),
        ("CH", "en", "Continued on the next page · Page 1", "Page 2 (continued)"),
    ],
)
def test_continuation_pages_say_so_in_the_documents_language(
    profile, locale, footer, header, tmp_path
):
    view = dataclasses.replace(with_services(profile_view(profile), 40), locale=locale)

    pdf = render_pdf(view)

    assert page_count(pdf, tmp_path) == 2
    first, second = pdf_text(pdf, tmp_path, 1), pdf_text(pdf, tmp_path, 2)
    assert footer in first
    assert header in second
    assert "Продолжение" not in second and "Fortsetzung auf" not in second
    assert "Continued on" not in second


@pytest.mark.parametrize("count", range(11, 17))
def test_the_penalties_total_prints_wherever_the_page_turns(count, tmp_path):
    """Around the count where recalculations and penalties stop fitting side by side on page 1
    they go one after the other, and the penalties (with their total) onto page 2."""
    view = with_services(sample_document_view("RU"), count)

    pdf = render_pdf(view)

    text = pdf_text(pdf, tmp_path)
    assert f"Обслуживание лифта, подъезд {count}" in text
    assert "Обслуживание лифта, подъезд 1 (ООО «УК Комфорт»)" in text  # section 5
    assert "Пени (ООО «УК Комфорт»)" in text
    assert "Итого к оплате по неустойкам и судебным издержкам: 25,00 ₽" in text
    assert printed_qr(pdf, tmp_path) == view.qr_payload


def test_merged_print_file_starts_each_document_on_its_own_page(tmp_path):
    long = variant(with_services(sample_document_view("RU"), 120), 1)
    views = [variant(sample_document_view("RU"), 0), long, variant(sample_document_view("RU"), 2)]
    long_pages = page_count(render_pdf(long), tmp_path)

    merged = render_pdfs(views)

    assert long_pages >= 3
    assert page_count(merged, tmp_path) == 1 + long_pages + 1
    assert all("(A4)" in size for size in page_sizes(merged, tmp_path))
    firsts = [1, 2, 2 + long_pages]
    for page, view in zip(firsts, views, strict=True):
        text = pdf_text(merged, tmp_path, page)
        assert "Единый платёжный документ" in text
        assert "1. Сведения о плательщике и исполнителе услуг" in text
        assert f"Лицевой счёт (ЕЛС): {view.account_number}" in text
        assert flat(format_currency(view.amount_due, view)) in text
    for page in range(3, 2 + long_pages):
        text = pdf_text(merged, tmp_path, page)
        assert f"Лист {page - 1} (продолжение)" in text
        assert f"Лицевой счёт (ЕЛС): {long.account_number}" in text
    assert "Лист" not in pdf_text(merged, tmp_path, 1)
    assert "Лист" not in pdf_text(merged, tmp_path, 2 + long_pages)


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
        flat(format_currency(view.amount_due, view)),
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


@pytest.mark.parametrize("profile", ["RU", "SEPA"])
def test_html_and_docx_take_a_long_document_whole(profile):
    view = with_services(sample_document_view(profile), 120)

    page = html_text(render_html(view))
    letter = docx.Document(io.BytesIO(render_docx(view)))
    cells = " ".join(flat(c.text) for t in letter.tables for r in t.rows for c in r.cells)

    for text in (page, cells):
        assert {int(n) for n in LIFT.findall(text)} == set(range(1, 121))
    assert flat(format_currency(view.amount_due, view)) in page


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
    assert flat(format_currency(view.amount_due, view)) in paragraphs
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

    assert flat(format_currency(amount, view)) == expected
    rendered = Template("{% load money %}{{ amount|money:view }}").render(
        Context({"amount": amount, "view": view})
    )
    assert flat(rendered) == expected
